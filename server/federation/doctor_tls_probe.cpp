#include "federation/doctor_tls_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

namespace ranvier::federation::doctor {
namespace {

using core::fail;

/// Owns a socket.
struct Socket {
  int fd = -1;
  Socket() = default;
  explicit Socket(int f) : fd(f) {}
  Socket(Socket&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd, other.fd);
    return *this;
  }
  ~Socket() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::string address_text(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6->sin6_port));
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
  inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
  return std::string(text) + ":" + std::to_string(ntohs(v4->sin_port));
}

/// Connects within `timeout`; the socket comes back blocking with read/write timeouts set.
core::Expected<Socket, std::string> connect_with_timeout(const addrinfo& ai, std::chrono::milliseconds timeout) {
  Socket s(::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol));
  if (s.fd < 0) {
    return fail(std::string(std::strerror(errno)));
  }
  if (::connect(s.fd, ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      return fail(std::string(std::strerror(errno)));
    }
    pollfd waiting{s.fd, POLLOUT, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(timeout.count()));
    if (ready == 0) {
      return fail(std::string("timed out"));
    }
    int error = 0;
    socklen_t length = sizeof(error);
    if (ready < 0 || ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      return fail(std::string(std::strerror(ready < 0 ? errno : error)));
    }
  }
  ::fcntl(s.fd, F_SETFL, ::fcntl(s.fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  return s;
}

std::string name_text(const X509_NAME* name) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::int64_t epoch_seconds(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) {
    return 0;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::vector<std::string> alt_names(X509* cert) {
  std::vector<std::string> names;
  auto* general = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (general == nullptr) {
    return names;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(general); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(general, i);
    if (entry->type == GEN_DNS) {
      const auto* text = reinterpret_cast<const char*>(ASN1_STRING_get0_data(entry->d.dNSName));
      names.push_back("DNS:" + std::string(text, static_cast<std::size_t>(ASN1_STRING_length(entry->d.dNSName))));
    } else if (entry->type == GEN_IPADD) {
      const int length = ASN1_STRING_length(entry->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
      if (family != 0 && inet_ntop(family, ASN1_STRING_get0_data(entry->d.iPAddress), text, sizeof(text))) {
        names.push_back("IP:" + std::string(text));
      }
    }
  }
  GENERAL_NAMES_free(general);
  return names;
}

CertificateInfo describe(X509* cert) {
  return CertificateInfo{name_text(X509_get_subject_name(cert)), name_text(X509_get_issuer_name(cert)),
                         alt_names(cert), epoch_seconds(X509_get0_notBefore(cert)),
                         epoch_seconds(X509_get0_notAfter(cert))};
}

std::string openssl_error(int ssl_result, SSL* ssl) {
  std::string message;
  while (const unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    message = text;
  }
  const int kind = SSL_get_error(ssl, ssl_result);
  if (message.empty() && (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE)) {
    // The socket's receive/send timeout ran out (EAGAIN on a blocking socket).
    return "no TLS answer in time (is this port serving plain HTTP or something else?)";
  }
  if (message.empty() && kind == SSL_ERROR_SYSCALL) {
    message = errno != 0 ? std::strerror(errno) : "the server closed the connection";
  }
  return message.empty() ? "handshake failed" : message;
}

}  // namespace

core::Expected<TlsProbe, ProbeError> probe_tls(const ProbeTarget& target, const ProbeOptions& options) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int gai = ::getaddrinfo(target.connect_host.c_str(), std::to_string(target.port).c_str(), &hints, &found);
  if (gai != 0) {
    return fail(ProbeError{ProbeErrorKind::resolve_failed,
                           "cannot resolve " + target.connect_host + ": " + ::gai_strerror(gai)});
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);

  Socket connected;
  TlsProbe probe;
  std::string failures;
  for (const addrinfo* ai = addresses.get(); ai != nullptr; ai = ai->ai_next) {
    auto attempt = connect_with_timeout(*ai, options.timeout);
    if (attempt) {
      connected = std::move(*attempt);
      probe.address = address_text(ai->ai_addr);
      break;
    }
    failures += (failures.empty() ? "" : "; ") + address_text(ai->ai_addr) + ": " + attempt.error();
  }
  if (connected.fd < 0) {
    return fail(ProbeError{ProbeErrorKind::connect_failed, "cannot connect to " + target.connect_host + " port " +
                                                               std::to_string(target.port) + " (" + failures + ")"});
  }

  std::unique_ptr<SSL_CTX, SslCtxFree> context(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_default_verify_paths(context.get());
  if (!options.ca_file.empty() &&
      SSL_CTX_load_verify_locations(context.get(), options.ca_file.c_str(), nullptr) != 1) {
    return fail(ProbeError{ProbeErrorKind::handshake_failed, "cannot load CA file " + options.ca_file.string()});
  }
  // Nothing is refused during the handshake: the chain and name are judged afterwards, so a
  // bad certificate can be described instead of only rejected.
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(context.get()));
  SSL_set_fd(ssl.get(), connected.fd);
  const bool ip_name = is_ip_literal(target.tls_name);
  if (!ip_name) {
    SSL_set_tlsext_host_name(ssl.get(), target.tls_name.c_str());
  }
  ERR_clear_error();
  errno = 0;
  const int result = SSL_connect(ssl.get());
  if (result != 1) {
    return fail(ProbeError{ProbeErrorKind::handshake_failed,
                           "TLS handshake with " + probe.address + " failed: " + openssl_error(result, ssl.get())});
  }
  probe.protocol = SSL_get_version(ssl.get());
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get());
  std::unique_ptr<X509, X509Free> leaf(SSL_get1_peer_certificate(ssl.get()));
  if (leaf == nullptr) {
    return fail(ProbeError{ProbeErrorKind::handshake_failed, "the server presented no certificate"});
  }
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    probe.chain.push_back(describe(sk_X509_value(chain, i)));
  }
  if (probe.chain.empty()) {
    probe.chain.push_back(describe(leaf.get()));
  }
  probe.verify_code = SSL_get_verify_result(ssl.get());
  if (probe.verify_code != X509_V_OK) {
    probe.verify_error = X509_verify_cert_error_string(probe.verify_code);
  }
  probe.name_matches = ip_name ? X509_check_ip_asc(leaf.get(), target.tls_name.c_str(), 0) == 1
                               : X509_check_host(leaf.get(), target.tls_name.data(), target.tls_name.size(), 0,
                                                 nullptr) == 1;
  SSL_shutdown(ssl.get());
  return probe;
}

}  // namespace ranvier::federation::doctor
