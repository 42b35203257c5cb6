#include "media/multipart.hpp"

#include "media/media_id.hpp"
#include "media/text.hpp"

#include <algorithm>

namespace ranvier::media {
namespace {

using core::fail;

// Headers of one part up to the blank line, then its body; false when a header line has no
// name or the blank line never comes.
bool parse_part(std::string_view raw, MultipartPart& part) {
  while (true) {
    const auto eol = raw.find("\r\n");
    if (eol == std::string_view::npos) {
      return false;
    }
    const auto line = raw.substr(0, eol);
    raw.remove_prefix(eol + 2);
    if (line.empty()) {
      part.body = std::string(raw);
      return true;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return false;
    }
    part.headers.emplace_back(ascii_lower(trim_blanks(line.substr(0, colon))),
                              std::string(trim_blanks(line.substr(colon + 1))));
  }
}

}  // namespace

std::string_view MultipartPart::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return {};
}

std::string make_boundary(std::string_view body) {
  while (true) {
    auto boundary = "ranvier-" + new_media_id();
    if (body.find(boundary) == std::string_view::npos) {
      return boundary;
    }
  }
}

std::string multipart_content_type(std::string_view boundary) {
  return "multipart/mixed; boundary=" + std::string(boundary);
}

std::string write_federation_media(std::string_view boundary, std::string_view metadata_json,
                                   const MultipartPart& media) {
  std::string out;
  out.reserve(media.body.size() + metadata_json.size() + 256);
  out += "--";
  out += boundary;
  out += "\r\nContent-Type: application/json\r\n\r\n";
  out += metadata_json;
  out += "\r\n--";
  out += boundary;
  out += "\r\n";
  for (const auto& [name, value] : media.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  out += media.body;
  out += "\r\n--";
  out += boundary;
  out += "--\r\n";
  return out;
}

std::string_view to_string(MultipartError error) {
  switch (error) {
    case MultipartError::not_multipart:
      return "not a multipart body with a boundary";
    case MultipartError::malformed:
      return "malformed multipart body";
    case MultipartError::wrong_part_count:
      return "expected exactly two parts";
  }
  return "multipart error";
}

std::string boundary_of(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  if (!ascii_lower(trim_blanks(content_type.substr(0, semicolon))).starts_with("multipart/") ||
      semicolon == std::string_view::npos) {
    return {};
  }
  auto params = content_type.substr(semicolon + 1);
  while (!params.empty()) {
    const auto next = params.find(';');
    const auto param = trim_blanks(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
    const auto eq = param.find('=');
    if (eq == std::string_view::npos || ascii_lower(trim_blanks(param.substr(0, eq))) != "boundary") {
      continue;
    }
    auto value = trim_blanks(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    // RFC 2046: 1 to 70 characters.
    if (value.empty() || value.size() > 70) {
      return {};
    }
    return std::string(value);
  }
  return {};
}

core::Expected<std::vector<MultipartPart>, MultipartError> parse_multipart(std::string_view content_type,
                                                                            std::string_view body) {
  const auto boundary = boundary_of(content_type);
  if (boundary.empty()) {
    return fail(MultipartError::not_multipart);
  }
  const std::string delimiter = "--" + boundary;
  // The preamble ends at the first delimiter at the start of the body or of a line.
  std::size_t pos = body.starts_with(delimiter) ? 0 : body.find("\r\n" + delimiter);
  if (pos == std::string_view::npos) {
    return fail(MultipartError::malformed);
  }
  pos += body.starts_with(delimiter) ? delimiter.size() : delimiter.size() + 2;
  const std::string next_delimiter = "\r\n" + delimiter;
  std::vector<MultipartPart> parts;
  while (true) {
    const auto rest = body.substr(pos);
    if (rest.starts_with("--")) {
      return parts;  // the close delimiter; the epilogue is ignored
    }
    // Transport padding, then the line break that ends the delimiter line.
    auto line_end = rest.find("\r\n");
    if (line_end == std::string_view::npos || !trim_blanks(rest.substr(0, line_end)).empty()) {
      return fail(MultipartError::malformed);
    }
    const auto content_start = pos + line_end + 2;
    const auto end = body.find(next_delimiter, content_start);
    if (end == std::string_view::npos) {
      return fail(MultipartError::malformed);
    }
    MultipartPart part;
    // A part without headers starts straight with the blank line, which parse_part accepts.
    if (!parse_part(body.substr(content_start, end - content_start), part)) {
      return fail(MultipartError::malformed);
    }
    parts.push_back(std::move(part));
    pos = end + next_delimiter.size();
  }
}

core::Expected<FederationMedia, MultipartError> parse_federation_media(std::string_view content_type,
                                                                       std::string_view body) {
  auto parts = parse_multipart(content_type, body);
  if (!parts) {
    return fail(parts.error());
  }
  if (parts->size() != 2) {
    return fail(MultipartError::wrong_part_count);
  }
  return FederationMedia{.metadata_json = std::move((*parts)[0].body), .media = std::move((*parts)[1])};
}

}  // namespace ranvier::media
