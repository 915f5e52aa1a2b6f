#include "vitrine/status.h"

namespace vitrine {

const char* status_code_name(StatusCode code) {
  switch (code) {
#define VITRINE_STATUS_NAME(name, value, text) \
  case StatusCode::k##name:                    \
    return #name;
    VITRINE_STATUS_CODES(VITRINE_STATUS_NAME)
#undef VITRINE_STATUS_NAME
  }
  return "UNKNOWN";
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  return std::string(status_code_name(code_)) + ": " + message_;
}

}  // namespace vitrine
