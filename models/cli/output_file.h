// Writing the CLI's output files so that a reader never sees half of one: the bytes go to a temporary file beside
// the target, which replaces the target only once it is complete (rename within one directory is atomic on POSIX).
// An interrupted or failed run leaves the previous file, if any, as it was.
#pragma once

#include <string>
#include <string_view>

namespace vitrine::cli {

// Writes `bytes` to `path` as above. Returns "" on success, else what went wrong (the temporary file is removed).
std::string write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace vitrine::cli
