// The event-log flags that `vitrine train --events`, `vitrine eval --events` and `vitrine inputs --events` share, and
// the summary of a log that train and eval print.
#pragma once

#include <cstdint>
#include <string>

#include "event_log.h"
#include "flags.h"

namespace vitrine::cli {

// Declares the shared event-log flags (--session-gap, --skip-bad-rows, --columns, --event-name, repeatable) on `app`
// in the help group `group`; their values go to *options as they are parsed. With `events` (the command's --events
// flag) each of them needs it: they mean nothing without a log.
void add_event_log_flags(CLI::App& app, const std::string& group, CLI::Option* events, train::EventLogOptions* options);

// Reads the log; on success prints one summary line and any skipped or ignored counts to stderr (unless quiet),
// each prefixed with `command: `.
// 1234567 -> "1,234,567".
std::string with_commas(uint64_t n);

// The summary read_event_log_verbose prints, for a log read another way (event_stream.h): `sessions` and
// `visitors` ("1,234 visitors", or words saying why there is no count) stand in for the log's own tables.
void print_event_log_summary(const char* command, const std::string& path, const train::EventLog& log, size_t sessions,
                             const char* visitors);

Result<train::EventLog> read_event_log_verbose(const char* command, const std::string& path,
                                               const train::EventLogOptions& options, bool quiet);

}  // namespace vitrine::cli
