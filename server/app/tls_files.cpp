#include "app/tls_files.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace ranvier::app {
namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using FilePtr = std::unique_ptr<FILE, Deleter<std::fclose>>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("TLS: " + what); }

/// The host part of a server name ("example.org:8448" → "example.org", "[::1]:8448" → "::1").
std::string host_of(const std::string& server_name) {
  if (server_name.starts_with("[")) {
    return server_name.substr(1, server_name.find(']') - 1);
  }
  return server_name.substr(0, server_name.rfind(':') == std::string::npos ? server_name.size()
                                                                              : server_name.rfind(':'));
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return host.find(':') != std::string::npos ||
         (!host.empty() && host.find_first_not_of("0123456789.") == std::string::npos && host.size() <= 15 &&
          std::sscanf(host.c_str(), "%hhu.%hhu.%hhu.%hhu", &buf[0], &buf[1], &buf[2], &buf[3]) == 4);
}

PkeyPtr read_key(const std::filesystem::path& file) {
  FilePtr f(std::fopen(file.c_str(), "rb"));
  if (!f) {
    fail("cannot read CA key " + file.string());
  }
  PkeyPtr key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
  if (!key) {
    fail("CA key " + file.string() + " is not a PEM private key");
  }
  return key;
}

X509Ptr read_cert(const std::filesystem::path& file) {
  FilePtr f(std::fopen(file.c_str(), "rb"));
  if (!f) {
    fail("cannot read CA certificate " + file.string());
  }
  X509Ptr cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    fail("CA certificate " + file.string() + " is not a PEM certificate");
  }
  return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) {
    fail("cannot build certificate extension " + value);
  }
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

void write_tls_files(const std::string& server_name, const std::filesystem::path& key_file,
                     const std::filesystem::path& cert_file, const std::optional<CertificateAuthority>& ca) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    fail("key generation failed");
  }
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7F;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 60 * 60);
  X509_set_pubkey(cert.get(), key.get());

  const std::string host = host_of(server_name);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(host.c_str()), -1, -1,
                             0);

  PkeyPtr signer_key;
  X509Ptr issuer;
  if (ca) {
    signer_key = read_key(ca->private_key);
    issuer = read_cert(ca->certificate);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer.get()));
  } else {
    X509_set_issuer_name(cert.get(), name);
  }
  X509* issuer_cert = issuer ? issuer.get() : cert.get();
  add_extension(cert.get(), issuer_cert, NID_subject_alt_name, (is_ip_literal(host) ? "IP:" : "DNS:") + host);
  add_extension(cert.get(), issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), issuer_cert, NID_ext_key_usage, "serverAuth,clientAuth");
  if (X509_sign(cert.get(), ca ? signer_key.get() : key.get(), EVP_sha256()) == 0) {
    fail("signing the certificate failed");
  }

  {
    const auto old_mask = ::umask(077);
    FilePtr f(std::fopen(key_file.c_str(), "wb"));
    ::umask(old_mask);
    if (!f || PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      fail("cannot write " + key_file.string());
    }
  }
  FilePtr f(std::fopen(cert_file.c_str(), "wb"));
  if (!f || PEM_write_X509(f.get(), cert.get()) != 1) {
    fail("cannot write " + cert_file.string());
  }
}

}  // namespace ranvier::app
