#include "storage/migrate/backup_manifest.hpp"

#include "storage/migrate/migrate_error.hpp"
#include "storage/migrate/values.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <fstream>
#include <memory>

namespace ranvier::storage::migrate {
namespace {

bool safe_name(const std::string& name) {
  const std::filesystem::path path(name);
  if (name.empty() || path.is_absolute()) {
    return false;
  }
  for (const auto& part : path) {
    if (part == ".." || part == ".") {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string manifest_json(const Manifest& manifest) {
  nlohmann::json files = nlohmann::json::array();
  for (const BackupFile& file : manifest.files) {
    files.push_back({{"name", file.name},
                     {"role", file.role},
                     {"original", file.original},
                     {"size", file.size},
                     {"sha256", file.sha256}});
  }
  const nlohmann::json out = {{"format", manifest.format},
                              {"ranvier_version", manifest.ranvier_version},
                              {"created_ts", manifest.created_ts},
                              {"server_name", manifest.server_name},
                              {"database_backend", manifest.database_backend},
                              {"schema_version", manifest.schema_version},
                              {"files", files}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Manifest parse_manifest(std::string_view json) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (!doc.is_object()) {
    throw MigrateError("manifest.json is not a JSON object");
  }
  Manifest out;
  try {
    out.format = doc.at("format").get<int>();
    if (out.format != 1) {
      throw MigrateError("manifest.json has format " + std::to_string(out.format) +
                         "; this ranvier reads format 1");
    }
    out.ranvier_version = doc.at("ranvier_version").get<std::string>();
    out.created_ts = doc.at("created_ts").get<std::int64_t>();
    out.server_name = doc.at("server_name").get<std::string>();
    out.database_backend = doc.at("database_backend").get<std::string>();
    out.schema_version = doc.at("schema_version").get<int>();
    for (const auto& entry : doc.at("files")) {
      BackupFile file{entry.at("name").get<std::string>(), entry.at("role").get<std::string>(),
                      entry.at("original").get<std::string>(),
                      entry.at("size").get<std::uint64_t>(), entry.at("sha256").get<std::string>()};
      if (!safe_name(file.name)) {
        throw MigrateError("manifest.json names a file outside the backup: " + file.name);
      }
      out.files.push_back(std::move(file));
    }
  } catch (const nlohmann::json::exception& error) {
    throw MigrateError(std::string("manifest.json is malformed: ") + error.what());
  }
  if (out.database_backend != "sqlite" && out.database_backend != "postgres") {
    throw MigrateError("manifest.json names an unknown database backend '" +
                       out.database_backend + "'");
  }
  return out;
}

std::string sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw MigrateError("cannot read " + path.string());
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    EVP_DigestUpdate(ctx.get(), buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    throw MigrateError("cannot read " + path.string());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  return bytea_hex(std::string_view(reinterpret_cast<const char*>(digest), length)).substr(2);
}

BackupFile describe_file(const std::filesystem::path& dir, std::string name, std::string role,
                         std::string original) {
  const auto path = dir / name;
  return BackupFile{std::move(name), std::move(role), std::move(original),
                    static_cast<std::uint64_t>(std::filesystem::file_size(path)), sha256_file(path)};
}

std::vector<std::string> verify_files(const std::filesystem::path& dir, const Manifest& manifest) {
  std::vector<std::string> problems;
  for (const BackupFile& file : manifest.files) {
    const auto path = dir / file.name;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
      problems.push_back(file.name + " is missing");
    } else if (size != file.size) {
      problems.push_back(file.name + " has " + std::to_string(size) + " bytes, the manifest says " +
                         std::to_string(file.size));
    } else if (sha256_file(path) != file.sha256) {
      problems.push_back(file.name + " does not match its SHA-256 in the manifest");
    }
  }
  return problems;
}

}  // namespace ranvier::storage::migrate
