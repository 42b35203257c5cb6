#include "storage/migrate/backup.hpp"

#include "storage/database_url.hpp"
#include "storage/errors.hpp"
#include "storage/migrate/external_program.hpp"
#include "storage/migrate/migrate_error.hpp"
#include "storage/migrate/pg_client.hpp"
#include "storage/migrate/sqlite_backup.hpp"
#include "storage/migrate/sqlite_source.hpp"
#include "storage/migrate/target_schema.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>

namespace ranvier::storage::migrate {
namespace {

namespace fs = std::filesystem;

constexpr const char* sqlite_file = "database.sqlite";
constexpr const char* pgdump_file = "database.pgdump";

std::string utc_stamp(std::time_t now) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

DatabaseUrl parse_url(const std::string& url) {
  try {
    return parse_database_url(url);
  } catch (const StorageError& error) {
    throw MigrateError(error.what());
  }
}

// Writes `from` to `to` through a temporary name, so `to` is either the old or the new file.
void install_file(const fs::path& from, const fs::path& to, bool secret) {
  if (to.has_parent_path()) {
    fs::create_directories(to.parent_path());
  }
  const fs::path partial = to.string() + ".restoring";
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing);
  if (secret) {
    fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write);
  }
  fs::rename(partial, to);
}

void dump_postgres(const std::string& url, const fs::path& file) {
  const auto result = run_program({"pg_dump", "--format=custom", "--no-owner",
                                   "--file=" + file.string(), "--dbname=" + url});
  if (result.status != 0) {
    throw MigrateError("pg_dump failed" +
                       (result.output.empty() ? std::string() : ": " + result.output) +
                       " (pg_dump comes with Debian's postgresql-client package)");
  }
}

void restore_postgres(const std::string& url, const fs::path& file, bool clean) {
  std::vector<std::string> argv = {"pg_restore", "--no-owner", "--exit-on-error",
                                   "--single-transaction", "--dbname=" + url};
  if (clean) {
    argv.emplace_back("--clean");
    argv.emplace_back("--if-exists");
  }
  argv.push_back(file.string());
  const auto result = run_program(argv);
  if (result.status != 0) {
    throw MigrateError("pg_restore failed" +
                       (result.output.empty() ? std::string() : ": " + result.output));
  }
}

bool is_sha256_name(const std::string& name) {
  return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

const BackupFile* file_with_role(const Manifest& manifest, std::string_view role) {
  for (const BackupFile& file : manifest.files) {
    if (file.role == role) {
      return &file;
    }
  }
  return nullptr;
}

fs::path create_backup_in(const BackupSources& sources, const fs::path& parent,
                          const std::function<void(const std::string&)>& report) {
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    throw MigrateError("the backup directory " + parent.string() + " does not exist");
  }
  const auto now = std::chrono::system_clock::now();
  const std::string stamp = utc_stamp(std::chrono::system_clock::to_time_t(now));
  fs::path final_dir = parent / ("ranvier-backup-" + stamp);
  for (int n = 2; fs::exists(final_dir, ec); ++n) {
    final_dir = parent / ("ranvier-backup-" + stamp + "-" + std::to_string(n));
  }
  const fs::path work = parent / ("." + final_dir.filename().string() + "." +
                                  std::to_string(::getpid()) + ".partial");
  if (!fs::create_directory(work, ec) || ec) {
    throw MigrateError("cannot write into the backup directory " + parent.string() + ": " +
                       (ec ? ec.message() : "a temporary directory of that name exists"));
  }
  try {
    fs::permissions(work, fs::perms::owner_all);
    Manifest manifest;
    manifest.ranvier_version = sources.ranvier_version;
    manifest.created_ts =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    manifest.server_name = sources.server_name;
    const DatabaseUrl url = parse_url(sources.database_url);
    manifest.database_backend = std::string(to_string(url.backend));
    if (url.backend == Backend::sqlite) {
      report("copying the SQLite database " + url.location + " (online backup)");
      sqlite_backup(url.location, (work / sqlite_file).string());
      fs::permissions(work / sqlite_file, fs::perms::owner_read | fs::perms::owner_write);
      manifest.schema_version = sqlite_schema_version((work / sqlite_file).string());
      manifest.files.push_back(describe_file(work, sqlite_file, "database", url.redacted));
    } else {
      {
        PgClient pg(sources.database_url);
        manifest.schema_version = target_schema_version(pg);
      }
      report("dumping the PostgreSQL database " + url.redacted + " (pg_dump, custom format)");
      dump_postgres(sources.database_url, work / pgdump_file);
      fs::permissions(work / pgdump_file, fs::perms::owner_read | fs::perms::owner_write);
      manifest.files.push_back(describe_file(work, pgdump_file, "database", url.redacted));
    }
    const auto add = [&](const fs::path& from, const std::string& name, const std::string& role) {
      report("copying " + role + " " + from.string());
      fs::copy_file(from, work / name);
      manifest.files.push_back(describe_file(work, name, role, fs::absolute(from).string()));
    };
    add(sources.signing_key, "signing.key", "signing_key");
    if (sources.tls_certificate) {
      add(*sources.tls_certificate, "tls.crt", "tls_certificate");
    }
    if (sources.tls_private_key) {
      add(*sources.tls_private_key, "tls.key", "tls_private_key");
    }
    add(sources.config_file, "ranvier.yaml", "config");
    if (sources.media_dir && fs::is_directory(*sources.media_dir, ec)) {
      std::size_t count = 0;
      for (const auto& entry : fs::recursive_directory_iterator(*sources.media_dir)) {
        // Finished files only: uploads in progress have temporary names.
        if (!entry.is_regular_file() || !is_sha256_name(entry.path().filename().string())) {
          continue;
        }
        const fs::path relative = fs::path("media") / fs::relative(entry.path(), *sources.media_dir);
        fs::create_directories((work / relative).parent_path());
        fs::copy_file(entry.path(), work / relative);
        manifest.files.push_back(describe_file(work, relative.string(), "media", entry.path().string()));
        ++count;
      }
      report("copied " + std::to_string(count) + " media files from " + sources.media_dir->string());
    }
    {
      std::ofstream out(work / manifest_name);
      out << manifest_json(manifest);
      if (!out.flush()) {
        throw MigrateError("cannot write " + (work / manifest_name).string());
      }
    }
    fs::rename(work, final_dir);
  } catch (...) {
    fs::remove_all(work, ec);
    throw;
  }
  return final_dir;
}

}  // namespace

fs::path create_backup(const BackupSources& sources, const fs::path& parent,
                       const std::function<void(const std::string&)>& report) {
  try {
    return create_backup_in(sources, parent, report);
  } catch (const fs::filesystem_error& error) {
    throw MigrateError(error.what());
  }
}

Manifest verify_backup(const fs::path& dir) {
  std::ifstream in(dir / manifest_name);
  if (!in) {
    throw MigrateError((dir / manifest_name).string() +
                       " cannot be read; is this a directory written by `ranvier backup`?");
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Manifest manifest = parse_manifest(text);
  auto problems = verify_files(dir, manifest);
  if (file_with_role(manifest, "database") == nullptr) {
    problems.emplace_back("the manifest lists no database");
  }
  if (file_with_role(manifest, "signing_key") == nullptr) {
    problems.emplace_back("the manifest lists no signing key");
  }
  if (!problems.empty()) {
    std::string joined;
    for (const auto& problem : problems) {
      joined += (joined.empty() ? "" : "; ") + problem;
    }
    throw MigrateError("the backup " + dir.string() + " is damaged: " + joined);
  }
  return manifest;
}

void restore_backup(const fs::path& dir, const RestoreTargets& targets, bool force,
                    const std::function<void(const std::string&)>& report) {
  const Manifest manifest = verify_backup(dir);
  report("backup verified: " + std::to_string(manifest.files.size()) +
         " files match the manifest (Ranvier " + manifest.ranvier_version + ", schema version " +
         std::to_string(manifest.schema_version) + ")");
  const DatabaseUrl url = parse_url(targets.database_url);
  if (std::string(to_string(url.backend)) != manifest.database_backend) {
    throw MigrateError("the backup holds a " + manifest.database_backend +
                       " database but the configuration names a " +
                       std::string(to_string(url.backend)) +
                       " one; restore to the same kind, then use `ranvier migrate-db` if needed");
  }
  const auto known = url.backend == Backend::sqlite ? sqlite::migrations() : postgres::migrations();
  if (!known.empty() && manifest.schema_version > known.back().version) {
    throw MigrateError("the backup's database is at schema version " +
                       std::to_string(manifest.schema_version) + ", newer than this ranvier (" +
                       std::to_string(known.back().version) + "); restore with a newer ranvier");
  }

  std::error_code ec;
  std::vector<std::string> present;
  if (url.backend == Backend::sqlite) {
    if (auto pid = sqlite_in_use(url.location)) {
      throw MigrateError("the database " + url.location + " is open in process " +
                         std::to_string(*pid) + "; stop the server before restoring");
    }
    if (fs::exists(url.location, ec) && fs::file_size(url.location, ec) > 0) {
      present.push_back("the database file " + url.location);
    }
  } else {
    PgClient pg(targets.database_url);
    auto rows = pg.query("SELECT COUNT(*) FROM information_schema.tables"
                         " WHERE table_schema = current_schema()");
    if (rows.at(0).at(0).value_or("0") != "0") {
      present.push_back("the PostgreSQL database " + url.redacted + " (" + *rows[0][0] +
                        " tables)");
    }
  }
  struct Install {
    const BackupFile* file;
    fs::path target;
    bool secret;
  };
  std::vector<Install> installs;
  const auto plan = [&](std::string_view role, const std::optional<fs::path>& target, bool secret) {
    const BackupFile* file = file_with_role(manifest, role);
    if (file == nullptr || !target) {
      return;
    }
    if (fs::exists(*target, ec) && sha256_file(*target) != file->sha256) {
      present.push_back(target->string() + " (other contents than the backup's " +
                        std::string(role) + ")");
    }
    installs.push_back({file, *target, secret});
  };
  plan("signing_key", targets.signing_key, true);
  plan("tls_certificate", targets.tls_certificate, false);
  plan("tls_private_key", targets.tls_private_key, true);
  plan("config", targets.config_file, true);
  if (!present.empty() && !force) {
    std::string joined;
    for (const auto& item : present) {
      joined += (joined.empty() ? "" : ", ") + item;
    }
    throw MigrateError("the restore target is not empty: " + joined +
                       "; nothing was written. Restore into a fresh place, or pass --force to "
                       "replace what is there");
  }

  try {
    const BackupFile& database = *file_with_role(manifest, "database");
    if (url.backend == Backend::sqlite) {
      report("restoring the SQLite database to " + url.location);
      const fs::path target(url.location);
      if (target.has_parent_path()) {
        fs::create_directories(target.parent_path());
      }
      const std::string partial = url.location + ".restoring";
      fs::remove(partial, ec);
      sqlite_backup((dir / database.name).string(), partial);
      fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write);
      fs::rename(partial, target);
      // A log left by the replaced database must not be replayed over the restored one.
      fs::remove(url.location + "-wal", ec);
      fs::remove(url.location + "-shm", ec);
    } else {
      report("restoring the PostgreSQL database " + url.redacted + " (pg_restore)");
      restore_postgres(targets.database_url, dir / database.name, force);
    }
    for (const Install& install : installs) {
      report("restoring " + install.file->role + " to " + install.target.string());
      install_file(dir / install.file->name, install.target, install.secret);
    }
    if (targets.media_dir) {
      std::size_t count = 0;
      for (const BackupFile& file : manifest.files) {
        if (file.role != "media") {
          continue;
        }
        const fs::path target = *targets.media_dir / fs::path(file.name).lexically_relative("media");
        if (!fs::exists(target, ec)) {
          install_file(dir / file.name, target, false);
          ++count;
        }
      }
      report("restored " + std::to_string(count) + " media files to " + targets.media_dir->string());
    }
  } catch (const fs::filesystem_error& error) {
    throw MigrateError(error.what());
  }
}

}  // namespace ranvier::storage::migrate
