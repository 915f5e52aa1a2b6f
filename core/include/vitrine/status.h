// Error handling for the core: result types instead of exceptions.
//
// Every fallible core function returns Status or Result<T>. A failed Status carries a code from
// status_codes.h and a message that names the problem ("tensor 'item_emb': shape [10,64] disagrees with
// header vocab 12"). The C API turns these into a vt_status plus a last-error string; JS turns those into Error.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "vitrine/status_codes.h"

namespace vitrine {

enum class StatusCode : int32_t {
#define VITRINE_STATUS_ENUM(name, value, text) k##name = value,
  VITRINE_STATUS_CODES(VITRINE_STATUS_ENUM)
#undef VITRINE_STATUS_ENUM
};

// Short stable name of a code ("MODEL_TRUNCATED").
const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOK; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "MODEL_TRUNCATED: model file is 100 bytes, header declares 4096"
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOK;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit on purpose, like std::optional
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  Result(StatusCode code, std::string message) : status_(code, std::move(message)) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // Only valid when ok().
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }

 private:
  Status status_;
  T value_{};
};

}  // namespace vitrine

// Early-return helper: VITRINE_RETURN_IF_ERROR(load_header(bytes));
#define VITRINE_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::vitrine::Status vitrine_status_ = (expr);        \
    if (!vitrine_status_.ok()) return vitrine_status_; \
  } while (0)
