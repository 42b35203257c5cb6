#pragma once
// A minimal value-or-error type (std::expected is C++23; the project is C++20).

#include <utility>
#include <variant>

namespace ranvier::core {

/// Wraps an error so that Expected can be constructed from it unambiguously.
template <class E>
struct Unexpected {
  E error;
};

/// Makes an Unexpected<E>, for `return fail(MyError::x);`.
template <class E>
Unexpected<E> fail(E error) {
  return Unexpected<E>{std::move(error)};
}

/// Either a T or an error E. Accessing the wrong side is a programmer error (checked by variant).
template <class T, class E>
class Expected {
 public:
  Expected(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  Expected(Unexpected<E> e) : data_(std::in_place_index<1>, std::move(e.error)) {}

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, E> data_;
};

}  // namespace ranvier::core
