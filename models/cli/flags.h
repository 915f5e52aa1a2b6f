// Flag parsing shared by the subcommands of `vitrine`: each declares its flags with CLI11 (CLI/CLI.hpp) on an app
// set up by configure_command_app, and parse_flags turns help requests and bad flags into the CLI's exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace vitrine::cli {

// Sets up `app` (named "vitrine <command>", described by the command's usage lines and prose) for a subcommand:
// help laid out as the old usage texts were (`help_width` columns for the flag names), `footer` after the flags,
// and a flag given twice keeps its last value, as before (a flag that accumulates says so where it is declared).
void configure_command_app(CLI::App& app, const char* footer, size_t help_width);

// Parses argv (argv[0] is the subcommand's name). Returns -1 to go on; 0 after printing the help to stdout; 2 after
// printing what is wrong, naming the flag, and a pointer to --help to stderr.
int parse_flags(CLI::App& app, int argc, char** argv);

// For the checks CLI11 does not express (one of two flags, a flag that needs another's value): prints
// "vitrine <command>: message" and the pointer to --help to stderr, and returns 2.
int usage_error(const CLI::App& app, const std::string& message);

// For a failure once the flags are read: prints "vitrine <command>: message" to stderr and returns `exit_code` (1: a
// file is missing or malformed, as every command's footer says).
int command_error(const char* command, const std::string& message, int exit_code = 1);

// Whole numbers are written in decimal digits, as the flags always read them: CLI11 alone reads 010 as 8 and 0x10 as
// 16, and -1 as the largest unsigned value.
CLI::Validator decimal_digits();

// `flag N`: a whole number in [min, max] (min >= 0), range-checked by CLI11; `label` names the value in the help.
template <typename T>
CLI::Option* add_whole_number(CLI::App& app, const std::string& flag, T* value, T min, T max, const std::string& help,
                              const char* label = "N") {
  return app.add_option(flag, *value, help)
      ->transform(decimal_digits())
      ->check(CLI::Range(min, max).description(""))
      ->type_name(label)
      ->option_text(label);
}

// `flag X`: a number in [min, max], range-checked by CLI11.
template <typename T>
CLI::Option* add_real_number(CLI::App& app, const std::string& flag, T* value, double min, double max,
                             const std::string& help, const char* label = "X") {
  return app.add_option(flag, *value, help)
      ->check(CLI::Range(min, max).description(""))
      ->type_name(label)
      ->option_text(label);
}

// `flag FILE`: any text (a path, a name).
CLI::Option* add_text(CLI::App& app, const std::string& flag, std::string* value, const std::string& help,
                      const char* label = "FILE");

}  // namespace vitrine::cli
