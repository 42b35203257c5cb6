// `ranvier init`: everything a new server needs, in one directory, without other tools.

#include "app/args.hpp"
#include "app/commands.hpp"
#include "app/signing_key_file.hpp"
#include "app/tls_files.hpp"
#include "config/config.hpp"
#include "core/identifiers.hpp"

#include <fstream>
#include <iostream>

namespace ranvier::app {
namespace {

namespace fs = std::filesystem;

/// Writes text to `file` via a temporary file and rename, so a crash never leaves half a file.
void write_file_atomically(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      throw std::runtime_error("cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, file);
}

}  // namespace

int run_init(int argc, char** argv) {
  Args args("init",
            "Writes DIR/ranvier.yaml, an ed25519 signing key and a TLS key and certificate for the server.\n"
            "Existing files are kept: the signing key is never overwritten.");
  args.option("server-name", "the server name users and rooms are named after (e.g. example.org)", true)
      .option("dir", "directory to write into (created if missing)", true)
      .option("database", "sqlite:///path/file.db (default DIR/ranvier.db) or postgres://user:pass@host:port/db")
      .option("registration", "open, token or closed (default closed)")
      .option("client-listen", "HOST:PORT of the client API, plain HTTP (default 127.0.0.1:8008)")
      .option("federation-listen", "HOST:PORT of the federation API, HTTPS (default 0.0.0.0:8448)")
      .option("metrics-listen", "HOST:PORT for GET /metrics (default: no metrics listener)")
      .option("import-key", "use this signing key: a Synapse key file or a Dendrite matrix_key.pem")
      .option("tls-ca-cert", "sign the TLS certificate with this CA certificate instead of self-signing")
      .option("tls-ca-key", "the CA's private key (with --tls-ca-cert)");
  int code = 0;
  if (!args.parse(argc, argv, code)) {
    return code;
  }
  try {
    const std::string server_name = args.value("server-name");
    if (!core::is_valid_server_name(server_name)) {
      std::cerr << "ranvier init: --server-name: '" << server_name << "' is not a valid server name\n";
      return 2;
    }
    const fs::path dir = fs::absolute(args.value("dir"));

    config::InitOptions o;
    o.server_name = server_name;
    o.database = args.get("database").value_or("sqlite://" + (dir / "ranvier.db").string());
    config::check_database_url(o.database, "--database");
    if (auto r = args.get("registration")) {
      o.registration = config::parse_registration_mode(*r, "--registration");
    }
    if (auto l = args.get("client-listen")) {
      config::parse_listen_address(*l, "--client-listen");
      o.client_listen = *l;
    }
    if (auto l = args.get("federation-listen")) {
      config::parse_listen_address(*l, "--federation-listen");
      o.federation_listen = *l;
    }
    if (auto l = args.get("metrics-listen")) {
      config::parse_listen_address(*l, "--metrics-listen");
      o.metrics_listen = *l;
    }
    if (args.has("tls-ca-cert") != args.has("tls-ca-key")) {
      std::cerr << "ranvier init: --tls-ca-cert and --tls-ca-key go together\n";
      return 2;
    }

    fs::create_directories(dir);
    const fs::path key_file = dir / "signing.key";
    if (fs::exists(key_file)) {
      if (args.has("import-key")) {
        std::cerr << "ranvier init: " << key_file.string() << " exists; refusing to replace the signing key\n";
        return 1;
      }
      read_signing_key_file(key_file);  // an unreadable existing key is reported now, not at serve
      std::cout << "kept existing signing key " << key_file.string() << "\n";
    } else {
      auto key = args.has("import-key") ? read_signing_key_file(args.value("import-key")) : generate_signing_key();
      write_signing_key_file(key_file, key);
      std::cout << "wrote signing key " << key.key_id << " to " << key_file.string() << "\n";
    }

    const fs::path cert = dir / "tls.crt";
    const fs::path tls_key = dir / "tls.key";
    if (!fs::exists(cert) || !fs::exists(tls_key) || args.has("tls-ca-cert")) {
      std::optional<CertificateAuthority> ca;
      if (args.has("tls-ca-cert")) {
        ca = CertificateAuthority{args.value("tls-ca-cert"), args.value("tls-ca-key")};
      }
      write_tls_files(server_name, dir / "tls.key.tmp", dir / "tls.crt.tmp", ca);
      fs::rename(dir / "tls.key.tmp", tls_key);
      fs::rename(dir / "tls.crt.tmp", cert);
      std::cout << "wrote TLS certificate " << cert.string() << (ca ? " (CA-signed)" : " (self-signed)") << "\n";
    }

    const fs::path config_file = dir / "ranvier.yaml";
    if (fs::exists(config_file)) {
      std::cout << "kept existing " << config_file.string() << "\n";
    } else {
      write_file_atomically(config_file, config::render_config(o));
      std::cout << "wrote " << config_file.string() << "\n";
    }
    return 0;
  } catch (const config::ConfigError& e) {
    std::cerr << "ranvier init: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ranvier init: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ranvier::app
