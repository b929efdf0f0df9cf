#pragma once

#include <string>
#include <utility>
#include <variant>

namespace cascade {

// Error of a synchronous call: what failed, in words an operator can act on.
struct Error {
  std::string message;
};

// Value or error of a synchronous call. Library code returns this and
// leaves exceptions to the executables' start-up code.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result of a call that returns nothing on success.
struct Unit {};
using Status = Result<Unit>;

inline Status ok_status() { return Unit{}; }

// Builds an Error whose message starts with the failed operation, so
// callers can add context: "load node key: open /x: No such file".
inline Error make_error(std::string operation, const std::string& detail) {
  return Error{std::move(operation) + ": " + detail};
}

}  // namespace cascade
