#include "load_http.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace ranvier::bench {

Connection::Connection(std::string_view base_url) {
  constexpr std::string_view scheme = "http://";
  if (!base_url.starts_with(scheme)) {
    throw HttpError("only http:// URLs are supported: " + std::string(base_url));
  }
  auto authority = base_url.substr(scheme.size());
  authority = authority.substr(0, authority.find('/'));
  const auto colon = authority.rfind(':');
  host_ = std::string(authority.substr(0, colon));
  port_ = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
}

Connection::~Connection() { close(); }

void Connection::open() {
  close();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found); rc != 0) {
    throw HttpError("cannot resolve " + host_ + ": " + gai_strerror(rc));
  }
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd_ >= 0 && ::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) {
      break;
    }
    close();
  }
  freeaddrinfo(found);
  if (fd_ < 0) {
    throw HttpError("cannot connect to " + host_ + ":" + port_ + ": " + std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  buffer_.clear();
  offset_ = 0;
}

void Connection::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void Connection::send(std::string_view method, std::string_view target, const std::string* body,
                      std::string_view token) {
  last_request_.clear();
  last_request_.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  last_request_.append(host_).append(":").append(port_).append("\r\n");
  if (!token.empty()) {
    last_request_.append("Authorization: Bearer ").append(token).append("\r\n");
  }
  if (body != nullptr) {
    last_request_.append("Content-Type: application/json\r\nContent-Length: ");
    last_request_.append(std::to_string(body->size())).append("\r\n");
  }
  last_request_.append("\r\n");
  if (body != nullptr) {
    last_request_.append(*body);
  }
  if (fd_ < 0) {
    open();
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::size_t written = 0;
    while (written < last_request_.size()) {
      const auto n = ::send(fd_, last_request_.data() + written, last_request_.size() - written, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;
      }
      written += static_cast<std::size_t>(n);
    }
    if (written == last_request_.size()) {
      return;
    }
    open();  // the server closed the idle connection: once more on a new one
  }
  throw HttpError("cannot write the request to " + host_ + ":" + port_);
}

bool Connection::fill() {
  if (offset_ > 0 && offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  char chunk[65536];
  while (true) {
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
}

std::string Connection::take_until(std::string_view marker) {
  std::size_t at = std::string::npos;
  while ((at = buffer_.find(marker, offset_)) == std::string::npos) {
    if (!fill()) {
      throw HttpError("the server closed the connection mid-response");
    }
  }
  std::string head = buffer_.substr(offset_, at - offset_);
  offset_ = at + marker.size();
  return head;
}

std::string Connection::take(std::size_t count) {
  while (buffer_.size() - offset_ < count) {
    if (!fill()) {
      throw HttpError("the server closed the connection mid-body");
    }
  }
  std::string data = buffer_.substr(offset_, count);
  offset_ += count;
  return data;
}

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

HttpResponse Connection::receive() {
  if (offset_ == buffer_.size() && !fill()) {
    // Closed while idle, before our request was read: send it again on a new connection.
    open();
    std::string again = std::move(last_request_);
    if (::send(fd_, again.data(), again.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(again.size())) {
      throw HttpError("cannot write the request again after the server closed the connection");
    }
    last_request_ = std::move(again);
  }
  const std::string head = take_until("\r\n\r\n");
  HttpResponse response;
  const auto first_end = head.find("\r\n");
  const std::string_view status_line = std::string_view(head).substr(0, first_end);
  const auto space = status_line.find(' ');
  if (!status_line.starts_with("HTTP/1.") || space == std::string_view::npos) {
    throw HttpError("not an HTTP/1.x response: " + std::string(status_line));
  }
  response.status = std::atoi(std::string(status_line.substr(space + 1, 3)).c_str());
  std::size_t content_length = 0;
  bool chunked = false;
  bool close_after = false;
  std::size_t pos = first_end == std::string::npos ? head.size() : first_end + 2;
  while (pos < head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string::npos) {
      end = head.size();
    }
    const std::string_view line = std::string_view(head).substr(pos, end - pos);
    pos = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    const auto name = lower(trim(line.substr(0, colon)));
    const auto value = lower(trim(line.substr(colon + 1)));
    if (name == "content-length") {
      content_length = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "transfer-encoding") {
      chunked = value.find("chunked") != std::string::npos;
    } else if (name == "connection") {
      close_after = value == "close";
    }
  }
  if (chunked) {
    while (true) {
      const auto size_line = take_until("\r\n");
      const auto size = std::strtoull(size_line.c_str(), nullptr, 16);
      response.body += take(size);
      take_until("\r\n");
      if (size == 0) {
        break;
      }
    }
  } else {
    response.body = take(content_length);
  }
  if (close_after) {
    close();
  }
  return response;
}

HttpResponse Connection::request(std::string_view method, std::string_view target, const std::string* body,
                                 std::string_view token) {
  send(method, target, body, token);
  return receive();
}

nlohmann::json Matrix::call(std::string_view method, std::string_view path, const nlohmann::json* body) {
  std::string payload;
  if (body != nullptr) {
    payload = body->dump();
  }
  const std::string target = "/_matrix/client/v3" + std::string(path);
  auto response = http_.request(method, target, body != nullptr ? &payload : nullptr, token_);
  if (response.status != 200) {
    throw StatusError(std::string(method) + " " + std::string(path) + " -> " + std::to_string(response.status) +
                          " " + response.body.substr(0, 500),
                      response.status);
  }
  return nlohmann::json::parse(response.body);
}

void Matrix::register_and_login(const std::string& username, const std::string& password) {
  const nlohmann::json registration{
      {"username", username}, {"password", password}, {"auth", {{"type", "m.login.dummy"}}}};
  call("POST", "/register", &registration);
  const nlohmann::json login{{"type", "m.login.password"},
                             {"identifier", {{"type", "m.id.user"}, {"user", username}}},
                             {"password", password}};
  auto answer = call("POST", "/login", &login);
  token_ = answer.at("access_token").get<std::string>();
  user_id_ = answer.at("user_id").get<std::string>();
}

std::string quote(std::string_view segment) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size() * 3);
  for (const unsigned char c : segment) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) {
    return std::nan("");
  }
  const auto rank = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(fraction * sorted.size())), 1,
                                            sorted.size());
  return sorted[rank - 1];
}

}  // namespace ranvier::bench
