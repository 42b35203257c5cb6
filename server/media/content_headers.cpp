#include "media/content_headers.hpp"

#include "media/text.hpp"

#include <algorithm>
#include <array>

namespace ranvier::media {
namespace {

constexpr std::array<std::string_view, 26> inline_types{
    "text/css",   "text/plain", "text/csv",        "application/json", "application/ld+json", "image/jpeg",
    "image/gif",  "image/png",  "image/apng",      "image/webp",       "image/avif",          "video/mp4",
    "video/webm", "video/ogg",  "video/quicktime", "audio/mp4",        "audio/webm",          "audio/aac",
    "audio/mpeg", "audio/ogg",  "audio/wave",      "audio/wav",        "audio/x-wav",         "audio/x-pn-wav",
    "audio/flac", "audio/x-flac"};

bool is_token_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// RFC 8187 value: attr-char stays, everything else is %XX of its UTF-8 bytes.
std::string ext_value(std::string_view name) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "UTF-8''";
  for (unsigned char c : name) {
    if (is_token_char(c) && c != '*' && c != '\'' && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// A quoted-string fallback of printable ASCII; other bytes become '_'.
std::string ascii_fallback(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('_');
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  const char l = ascii_lower(c);
  return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

// %XX sequences decoded; malformed ones kept as they are.
std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

bool is_inline_safe(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  const auto essence = ascii_lower(trim_blanks(content_type.substr(0, semicolon)));
  return std::find(inline_types.begin(), inline_types.end(), essence) != inline_types.end();
}

std::string content_disposition(std::string_view content_type, std::string_view file_name) {
  std::string out = is_inline_safe(content_type) ? "inline" : "attachment";
  if (file_name.empty()) {
    return out;
  }
  out += "; filename=\"" + ascii_fallback(file_name) + "\"";
  const bool plain = std::all_of(file_name.begin(), file_name.end(), [](unsigned char c) { return c < 0x80; });
  if (!plain) {
    out += "; filename*=" + ext_value(file_name);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> media_headers(std::string_view content_type,
                                                               std::string_view file_name) {
  return {
      {"Content-Disposition", content_disposition(content_type, file_name)},
      {"Content-Security-Policy",
       "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; "
       "object-src 'self';"},
      {"Cross-Origin-Resource-Policy", "cross-origin"},
  };
}

std::string file_name_of(std::string_view disposition) {
  std::string plain;
  std::string extended;
  // Parameters follow the disposition type, each `; name=value` with a token or quoted value.
  auto rest = disposition.substr(std::min(disposition.find(';'), disposition.size()));
  while (!rest.empty() && rest.front() == ';') {
    rest.remove_prefix(1);
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos) {
      break;
    }
    const auto name = ascii_lower(trim_blanks(rest.substr(0, eq)));
    rest = trim_blanks(rest.substr(eq + 1));
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) {
          ++i;
        }
        value.push_back(rest[i]);
      }
      rest.remove_prefix(std::min(i + 1, rest.size()));
      rest = rest.substr(std::min(rest.find(';'), rest.size()));
    } else {
      const auto end = std::min(rest.find(';'), rest.size());
      value = std::string(trim_blanks(rest.substr(0, end)));
      rest.remove_prefix(end);
    }
    if (name == "filename" && plain.empty()) {
      plain = std::move(value);
    } else if (name == "filename*" && extended.empty() && ascii_lower(value).starts_with("utf-8''")) {
      extended = percent_decode(std::string_view(value).substr(7));
    }
  }
  return extended.empty() ? plain : extended;
}

std::string upload_content_type(std::string_view header_value) {
  const auto value = trim_blanks(header_value);
  return value.empty() ? std::string("application/octet-stream") : std::string(value);
}

}  // namespace ranvier::media
