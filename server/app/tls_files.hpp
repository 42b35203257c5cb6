#pragma once
// Creating the TLS key and certificate that `ranvier init` writes, so a new server has working
// HTTPS on its federation port without any other tool.

#include <filesystem>
#include <optional>
#include <string>

namespace ranvier::app {

/// A CA to sign with instead of self-signing (test harnesses bring their own CA).
struct CertificateAuthority {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
};

/// Writes an EC P-256 private key (mode 0600) and a certificate for `server_name` (CN and
/// subjectAltName, DNS or IP), valid for ten years. Throws std::runtime_error on failure.
void write_tls_files(const std::string& server_name, const std::filesystem::path& key_file,
                     const std::filesystem::path& cert_file, const std::optional<CertificateAuthority>& ca = std::nullopt);

}  // namespace ranvier::app
