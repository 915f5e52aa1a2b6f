// The event-log flags that `vitrine train --events` and `vitrine eval --events` share, and the summary both print.
#pragma once

#include <string>

#include "event_log.h"

namespace vitrine::cli {

// Lines for a usage text, one per flag (--session-gap, --skip-bad-rows, --columns, --event-name).
extern const char kEventLogFlagsUsage[];

// If `flag` is one of the shared event-log flags, applies it (taking a value from argv[*i + 1] where it needs one,
// or from `inline_value` when the caller split `--flag=value`) and returns true; a bad value sets *error.
bool parse_event_log_flag(const std::string& flag, const std::string* inline_value, int argc, char** argv, int* i,
                          train::EventLogOptions* options, std::string* error);

// Reads the log; on success prints one summary line and any skipped or ignored counts to stderr (unless quiet),
// each prefixed with `command: `.
Result<train::EventLog> read_event_log_verbose(const char* command, const std::string& path,
                                               const train::EventLogOptions& options, bool quiet);

}  // namespace vitrine::cli
