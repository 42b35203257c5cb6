// Backup and restore at library level on SQLite (PostgreSQL's pg_dump path is covered by
// conformance/tests/test_backup.py), and the manifest rules.

#include "storage/database.hpp"
#include "storage/migrate/backup.hpp"
#include "storage/migrate/backup_manifest.hpp"
#include "storage/migrate/migrate_error.hpp"
#include "storage/storage_test_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ranvier::storage::migrate {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(BackupManifest, RoundTripsAndRejectsEscapingNames) {
  Manifest manifest;
  manifest.ranvier_version = "0.1.0";
  manifest.created_ts = 1700000000000;
  manifest.server_name = "example.org";
  manifest.database_backend = "sqlite";
  manifest.schema_version = 20;
  manifest.files.push_back({"signing.key", "signing_key", "/etc/k", 42, "ab"});
  const Manifest parsed = parse_manifest(manifest_json(manifest));
  EXPECT_EQ(parsed.schema_version, 20);
  ASSERT_EQ(parsed.files.size(), 1U);
  EXPECT_EQ(parsed.files[0].size, 42U);
  EXPECT_EQ(parsed.files[0].sha256, "ab");

  manifest.files[0].name = "../../etc/passwd";
  EXPECT_THROW(parse_manifest(manifest_json(manifest)), MigrateError);
  EXPECT_THROW(parse_manifest("[]"), MigrateError);
  EXPECT_THROW(parse_manifest("{\"format\": 1}"), MigrateError);
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ranvier-backup-" + test::random_suffix());
    fs::create_directories(root_ / "live");
    fs::create_directories(root_ / "backups");
    sources_.server_name = "example.org";
    sources_.database_url = "sqlite://" + (root_ / "live/ranvier.db").string();
    sources_.config_file = root_ / "live/ranvier.yaml";
    sources_.signing_key = root_ / "live/signing.key";
    sources_.tls_certificate = root_ / "live/tls.crt";
    sources_.ranvier_version = "test";
    write(sources_.config_file, "server_name: example.org\n");
    write(sources_.signing_key, "ed25519 a_key secret\n");
    write(*sources_.tls_certificate, "-----BEGIN CERTIFICATE-----\n");
    sources_.media_dir = root_ / "live/media";
    write(*sources_.media_dir / "ab/cd" / media_name, "picture bytes");
    write(*sources_.media_dir / "ab/cd" / (media_name + ".tmp123"), "half an upload");
    db_ = open_database(sources_.database_url);
    db_->write([](WriteTx& tx) { tx.accounts().create(test::user("@alice:example.org")); });
  }

  void TearDown() override {
    db_.reset();
    fs::remove_all(root_);
  }

  RestoreTargets fresh_targets() {
    RestoreTargets targets;
    targets.database_url = "sqlite://" + (root_ / "new/ranvier.db").string();
    targets.signing_key = root_ / "new/keys/signing.key";
    targets.tls_certificate = root_ / "new/tls.crt";
    targets.config_file = root_ / "new/ranvier.yaml";
    targets.media_dir = root_ / "new/media";
    return targets;
  }

  const std::string media_name = std::string("abcd") + std::string(60, '0');
  fs::path root_;
  BackupSources sources_;
  std::unique_ptr<Database> db_;
  std::vector<std::string> lines_;
  std::function<void(const std::string&)> report_ = [this](const std::string& line) {
    lines_.push_back(line);
  };
};

TEST_F(BackupTest, BacksUpARunningDatabaseAndRestoresItElsewhere) {
  // The database stays open (as under a running server) during the backup.
  const fs::path backup = create_backup(sources_, root_ / "backups", report_);
  EXPECT_EQ(backup.parent_path(), root_ / "backups");
  EXPECT_TRUE(backup.filename().string().starts_with("ranvier-backup-"));
  const Manifest manifest = verify_backup(backup);
  EXPECT_EQ(manifest.database_backend, "sqlite");
  EXPECT_GE(manifest.schema_version, 20);
  // database, signing key, certificate, config, one media file (not the upload in progress)
  EXPECT_EQ(manifest.files.size(), 5U);

  // Written after the backup: must not come back.
  db_->write([](WriteTx& tx) { tx.accounts().create(test::user("@later:example.org")); });

  const RestoreTargets targets = fresh_targets();
  restore_backup(backup, targets, false, report_);
  EXPECT_EQ(read(targets.signing_key), "ed25519 a_key secret\n");
  EXPECT_EQ(read(*targets.config_file), "server_name: example.org\n");
  EXPECT_EQ(read(*targets.media_dir / "ab/cd" / media_name), "picture bytes");
  auto restored = open_database(targets.database_url);
  EXPECT_TRUE(restored->read([](ReadTx& tx) { return tx.accounts().get("@alice:example.org"); }));
  EXPECT_FALSE(restored->read([](ReadTx& tx) { return tx.accounts().get("@later:example.org"); }));
}

TEST_F(BackupTest, RestoreRefusesANonEmptyTargetUnlessForced) {
  const fs::path backup = create_backup(sources_, root_ / "backups", report_);
  RestoreTargets targets = fresh_targets();
  write(targets.signing_key, "another key\n");
  try {
    restore_backup(backup, targets, false, report_);
    FAIL() << "replaced another signing key";
  } catch (const MigrateError& error) {
    EXPECT_NE(std::string(error.what()).find(targets.signing_key.string()), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(read(targets.signing_key), "another key\n");
  EXPECT_FALSE(fs::exists(root_ / "new/ranvier.db"));
  restore_backup(backup, targets, true, report_);
  EXPECT_EQ(read(targets.signing_key), "ed25519 a_key secret\n");
}

TEST_F(BackupTest, ADamagedBackupIsRefusedBeforeAnythingIsWritten) {
  const fs::path backup = create_backup(sources_, root_ / "backups", report_);
  write(backup / "signing.key", "tampered\n");
  try {
    restore_backup(backup, fresh_targets(), false, report_);
    FAIL() << "restored a damaged backup";
  } catch (const MigrateError& error) {
    EXPECT_NE(std::string(error.what()).find("signing.key"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(root_ / "new"));
}

TEST_F(BackupTest, AnUnusableBackupDirectoryLeavesNothingBehind) {
  EXPECT_THROW(create_backup(sources_, root_ / "missing", report_), MigrateError);
  // A source file that cannot be read fails half-way: the partial directory goes away.
  sources_.tls_private_key = root_ / "live/no-such.key";
  EXPECT_THROW(create_backup(sources_, root_ / "backups", report_), MigrateError);
  EXPECT_TRUE(fs::is_empty(root_ / "backups"));
}

}  // namespace
}  // namespace ranvier::storage::migrate
