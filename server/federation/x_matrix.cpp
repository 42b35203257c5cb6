#include "federation/x_matrix.hpp"

namespace ranvier::federation {
namespace {

using core::fail;

/// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

/// A byte allowed in an unquoted value: tchar, plus ':' for older servers (spec).
bool is_value_char(char c) { return is_tchar(c) || c == ':'; }

bool is_ows(char c) { return c == ' ' || c == '\t'; }

/// Bytes allowed inside a quoted string besides escapes: HTAB, SP, VCHAR except `"` and `\`,
/// and obs-text (RFC 9110 §5.6.4).
bool is_qdtext(unsigned char c) { return c == '\t' || c == ' ' || (c >= 0x21 && c != '"' && c != '\\' && c != 0x7f); }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    x = (x >= 'A' && x <= 'Z') ? static_cast<char>(x - 'A' + 'a') : x;
    y = (y >= 'A' && y <= 'Z') ? static_cast<char>(y - 'A' + 'a') : y;
    if (x != y) {
      return false;
    }
  }
  return true;
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }
  void skip_ows() {
    while (!done() && is_ows(peek())) {
      ++pos_;
    }
  }
  /// A run of bytes satisfying `pred`; empty if none.
  template <class Pred>
  std::string_view take(Pred pred) {
    const auto start = pos_;
    while (!done() && pred(peek())) {
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }
  bool consume(char c) {
    if (!done() && peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  /// A quoted string after its opening quote, unescaped; nullopt if unterminated or bad.
  std::optional<std::string> quoted_rest() {
    std::string out;
    while (!done()) {
      const char c = s_[pos_++];
      if (c == '"') {
        return out;
      }
      if (c == '\\') {
        if (done()) {
          return std::nullopt;
        }
        const auto e = static_cast<unsigned char>(s_[pos_++]);
        if (!(e == '\t' || e == ' ' || (e >= 0x21 && e != 0x7f))) {
          return std::nullopt;
        }
        out.push_back(static_cast<char>(e));
      } else if (is_qdtext(static_cast<unsigned char>(c))) {
        out.push_back(c);
      } else {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

/// Stores `value` into `slot` unless it was set before.
bool set_once(std::optional<std::string>& slot, std::string value) {
  if (slot) {
    return false;
  }
  slot = std::move(value);
  return true;
}

}  // namespace

std::string_view to_string(XMatrixError e) {
  switch (e) {
    case XMatrixError::wrong_scheme:
      return "the Authorization header is not an X-Matrix signature";
    case XMatrixError::malformed:
      return "malformed X-Matrix parameters";
    case XMatrixError::duplicate_param:
      return "an X-Matrix parameter appears twice";
    case XMatrixError::missing_origin:
      return "the X-Matrix header has no origin";
    case XMatrixError::missing_key:
      return "the X-Matrix header has no key";
    case XMatrixError::missing_signature:
      return "the X-Matrix header has no sig";
  }
  return "bad X-Matrix header";
}

core::Expected<XMatrixAuth, XMatrixError> parse_x_matrix(std::string_view header) {
  constexpr std::string_view scheme = "X-Matrix";
  if (header.size() <= scheme.size() || !equals_ignoring_case(header.substr(0, scheme.size()), scheme) ||
      header[scheme.size()] != ' ') {
    return fail(XMatrixError::wrong_scheme);
  }
  Cursor in(header.substr(scheme.size()));
  std::optional<std::string> origin;
  std::optional<std::string> destination;
  std::optional<std::string> key;
  std::optional<std::string> sig;
  bool first = true;
  in.skip_ows();
  while (!in.done()) {
    // #auth-param: elements separated by commas with optional white space; empty elements
    // (",,") are allowed by RFC 9110's list rule.
    if (!first) {
      if (!in.consume(',')) {
        return fail(XMatrixError::malformed);
      }
      in.skip_ows();
      if (in.done() || in.peek() == ',') {
        continue;
      }
    }
    first = false;
    const auto name = in.take(is_tchar);
    if (name.empty()) {
      return fail(XMatrixError::malformed);
    }
    in.skip_ows();
    if (!in.consume('=')) {
      return fail(XMatrixError::malformed);
    }
    in.skip_ows();
    std::string value;
    if (in.consume('"')) {
      auto quoted = in.quoted_rest();
      if (!quoted) {
        return fail(XMatrixError::malformed);
      }
      value = std::move(*quoted);
    } else {
      value = std::string(in.take(is_value_char));
      if (value.empty()) {
        return fail(XMatrixError::malformed);
      }
    }
    in.skip_ows();
    bool fresh = true;
    if (equals_ignoring_case(name, "origin")) {
      fresh = set_once(origin, std::move(value));
    } else if (equals_ignoring_case(name, "destination")) {
      fresh = set_once(destination, std::move(value));
    } else if (equals_ignoring_case(name, "key")) {
      fresh = set_once(key, std::move(value));
    } else if (equals_ignoring_case(name, "sig")) {
      fresh = set_once(sig, std::move(value));
    }
    if (!fresh) {
      return fail(XMatrixError::duplicate_param);
    }
  }
  if (!origin || origin->empty()) {
    return fail(XMatrixError::missing_origin);
  }
  if (!key || key->empty()) {
    return fail(XMatrixError::missing_key);
  }
  if (!sig || sig->empty()) {
    return fail(XMatrixError::missing_signature);
  }
  return XMatrixAuth{std::move(*origin), std::move(destination), std::move(*key), std::move(*sig)};
}

namespace {

std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string format_x_matrix(const XMatrixAuth& auth) {
  std::string out = "X-Matrix origin=" + quoted(auth.origin);
  if (auth.destination) {
    out += ",destination=" + quoted(*auth.destination);
  }
  out += ",key=" + quoted(auth.key) + ",sig=" + quoted(auth.sig);
  return out;
}

}  // namespace ranvier::federation
