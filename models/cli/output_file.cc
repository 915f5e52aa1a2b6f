#include "output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace vitrine::cli {

std::string write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write " + path + " (cannot create " + temporary + ")";
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      return "cannot write " + path + " (writing " + temporary + " failed)";
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    return "cannot write " + path + " (" + why + ")";
  }
  return "";
}

}  // namespace vitrine::cli
