// The event-log flags that `vitrine train --events`, `vitrine eval --events` and `vitrine inputs --events` share, and
// the summary of a log that train and eval print.
#pragma once

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
Result<train::EventLog> read_event_log_verbose(const char* command, const std::string& path,
                                               const train::EventLogOptions& options, bool quiet);

}  // namespace vitrine::cli
