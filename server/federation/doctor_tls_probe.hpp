#pragma once
// A look at a server's TLS certificate for `ranvier doctor`. The outbound client only says
// whether a handshake was accepted; an operator needs to know what the server presented (its
// names, issuer, dates) and why it was refused. The probe connects, completes the handshake
// without trusting anything, and judges the chain and the name afterwards with OpenSSL.

#include "core/expected.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ranvier::federation::doctor {

/// What one certificate of the presented chain says.
struct CertificateInfo {
  std::string subject;             ///< RFC 2253 form
  std::string issuer;              ///< RFC 2253 form
  std::vector<std::string> names;  ///< subjectAltName entries as "DNS:x" / "IP:x"
  std::int64_t not_before = 0;     ///< seconds since the epoch
  std::int64_t not_after = 0;      ///< seconds since the epoch
};

/// The outcome of a successful handshake.
struct TlsProbe {
  std::string address;                 ///< the address connected to, "IP:port"
  std::string protocol;                ///< e.g. "TLSv1.3"
  std::vector<CertificateInfo> chain;  ///< as presented, leaf first
  /// OpenSSL's chain verification result against the trusted CAs (X509_V_OK = 0), name aside.
  long verify_code = 0;
  std::string verify_error;  ///< empty when verify_code is 0
  bool name_matches = false;  ///< whether the leaf carries the TLS name (DNS or IP)
};

/// Why the probe got no certificate.
enum class ProbeErrorKind { resolve_failed, connect_failed, handshake_failed };

struct ProbeError {
  ProbeErrorKind kind;
  std::string message;
};

/// Where and how to connect.
struct ProbeTarget {
  std::string connect_host;  ///< host name or IP literal (no brackets)
  std::uint16_t port = 8448;
  std::string tls_name;      ///< SNI (unless an IP literal) and the name the leaf must carry
};

struct ProbeOptions {
  std::filesystem::path ca_file;  ///< extra trusted CAs (PEM), besides the system store
  std::chrono::milliseconds timeout{10'000};
};

/// Connects (trying each address), shakes hands and inspects the presented certificate.
/// Never throws for network or peer problems.
core::Expected<TlsProbe, ProbeError> probe_tls(const ProbeTarget& target, const ProbeOptions& options);

}  // namespace ranvier::federation::doctor
