#include "flags.h"

#include <algorithm>
#include <cstdio>

namespace vitrine::cli {
namespace {

// The old usage texts' layout: the usage lines and prose first (they are the app's description, so CLI11's own
// "Usage: ... [OPTIONS]" line is left out), then the flags as "-h, --help", one group after another.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string) const override { return {}; }

  std::string make_group(std::string group, bool is_positional, std::vector<const CLI::Option*> opts) const override {
    std::string out = group + ":\n";
    for (const CLI::Option* opt : opts) out += make_option(opt, is_positional);
    return out;
  }

  // The value's label only: what a flag needs or excludes is said by its group and help.
  std::string make_option_opts(const CLI::Option* opt) const override {
    return opt->get_option_text().empty() ? std::string() : " " + opt->get_option_text();
  }

  std::string make_option_name(const CLI::Option* opt, bool) const override {
    std::string names;
    for (const std::string& s : opt->get_snames()) names += (names.empty() ? "-" : ", -") + s;
    for (const std::string& l : opt->get_lnames()) names += (names.empty() ? "--" : ", --") + l;
    return names;
  }
};

}  // namespace

void configure_command_app(CLI::App& app, const char* footer, size_t help_width) {
  auto formatter = std::make_shared<HelpFormatter>();
  formatter->column_width(help_width);
  app.formatter(formatter);
  app.set_help_flag("-h,--help", "show this help");
  app.footer(footer);
  app.option_defaults()->take_last();
  // Unknown flags and stray words are reported by parse_flags, in the CLI's own words.
  app.allow_extras();
}

int parse_flags(CLI::App& app, int argc, char** argv) {
  std::string problem;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ArgumentMismatch& e) {
    // CLI11 says "--epochs: 1 required N missing"; the flag is named before the colon.
    const std::string what = e.what();
    problem = what.substr(0, what.find(':')) + " needs a value";
  } catch (const CLI::ParseError& e) {
    problem = e.what();
  }
  // An unknown flag is named first: a misspelt one is the likely cause of any other complaint (--ouput x: "--out is
  // required"). CLI11 would check the required flags first.
  const std::vector<std::string> extras = app.remaining();
  if (!extras.empty()) {
    const std::string& first = extras.front();
    if (first.size() > 1 && first[0] == '-' && first != "--")
      return usage_error(app, "unknown option " + first.substr(0, first.find('=')));
    return usage_error(app, "unexpected argument '" + first + "'");
  }
  return problem.empty() ? -1 : usage_error(app, problem);
}

int usage_error(const CLI::App& app, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n(see %s --help)\n", app.get_name().c_str(), message.c_str(), app.get_name().c_str());
  return 2;
}

int command_error(const char* command, const std::string& message, int exit_code) {
  std::fprintf(stderr, "vitrine %s: %s\n", command, message.c_str());
  return exit_code;
}

CLI::Validator decimal_digits() {
  return CLI::Validator(
      [](std::string& text) {
        // No sign: every whole-number flag counts something, and "-1" would wrap around in an unsigned one.
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
          return "wants a whole number written in digits, got '" + text + "'";
        text.erase(0, std::min(text.find_first_not_of('0'), text.size() - 1));  // 010 is 10; 000 is 0
        return std::string();
      },
      "");
}

CLI::Option* add_text(CLI::App& app, const std::string& flag, std::string* value, const std::string& help,
                      const char* label) {
  return app.add_option(flag, *value, help)->type_name(label)->option_text(label);
}

}  // namespace vitrine::cli
