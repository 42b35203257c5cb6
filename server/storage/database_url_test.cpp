#include "storage/database_url.hpp"

#include "storage/database.hpp"
#include "storage/errors.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ranvier::storage {
namespace {

ErrorKind error_kind(std::string_view url) {
  try {
    parse_database_url(url);
  } catch (const StorageError& error) {
    return error.kind();
  }
  ADD_FAILURE() << "no error for " << url;
  return ErrorKind::misuse;
}

TEST(DatabaseUrl, SqliteAbsolutePath) {
  DatabaseUrl url = parse_database_url("sqlite:///var/lib/ranvier/ranvier.db");
  EXPECT_EQ(url.backend, Backend::sqlite);
  EXPECT_EQ(url.location, "/var/lib/ranvier/ranvier.db");
}

TEST(DatabaseUrl, SqliteRelativePathAndPercentDecoding) {
  DatabaseUrl url = parse_database_url("sqlite://data/my%20db.sqlite");
  EXPECT_EQ(url.location, "data/my db.sqlite");
}

TEST(DatabaseUrl, SqliteRejectsWhatIsNotAFile) {
  EXPECT_EQ(error_kind("sqlite://"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("sqlite:///"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("sqlite:///var/lib/"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("sqlite:///a.db?mode=ro"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("sqlite:///a%2.db"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("sqlite:///a%"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("sqlite:///a%00b"), ErrorKind::bad_url);
}

TEST(DatabaseUrl, PostgresBothSchemesAndRedaction) {
  DatabaseUrl url = parse_database_url("postgres://ranvier:s3cret@db.example:5432/matrix");
  EXPECT_EQ(url.backend, Backend::postgres);
  EXPECT_EQ(url.location, "postgres://ranvier:s3cret@db.example:5432/matrix");
  EXPECT_EQ(url.redacted, "postgres://ranvier:***@db.example:5432/matrix");

  DatabaseUrl long_form =
      parse_database_url("postgresql://ranvier@localhost/matrix?sslmode=disable");
  EXPECT_EQ(long_form.backend, Backend::postgres);
  EXPECT_EQ(long_form.redacted, long_form.location);
}

TEST(DatabaseUrl, PostgresNeedsADatabaseName) {
  EXPECT_EQ(error_kind("postgres://user@host:5432"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("postgres://user@host:5432/"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("postgres://user@host/?sslmode=require"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("postgres://user@host/d b"), ErrorKind::bad_url);
}

TEST(DatabaseUrl, ErrorMessagesNeverShowThePassword) {
  try {
    parse_database_url("postgres://user:hunter2@host:5432/");
    FAIL() << "accepted a URL without database";
  } catch (const StorageError& error) {
    EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos) << error.what();
  }
  try {
    parse_database_url("mysql://user:hunter2@host/db");
    FAIL() << "accepted mysql";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_url);
    EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos) << error.what();
  }
}

TEST(DatabaseUrl, UnknownSchemes) {
  EXPECT_EQ(error_kind(""), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("/var/lib/ranvier.db"), ErrorKind::bad_url);
  EXPECT_EQ(error_kind("sqlite3:///x.db"), ErrorKind::bad_url);
}

// open_database must turn unusable targets into typed errors, not crashes or hangs.
TEST(OpenDatabase, UnreachableTargetsAreUnavailable) {
  try {
    open_database("sqlite:///nonexistent-ranvier-dir/sub/x.db");
    FAIL() << "opened a database in a missing directory";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::unavailable) << error.what();
  }
  try {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    open_database("postgres://nobody:pw@127.0.0.1:1/none");
    FAIL() << "connected to a closed port";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::unavailable) << error.what();
    EXPECT_NE(std::string(error.what()).find("127.0.0.1"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find(":pw@"), std::string::npos) << error.what();
  }
  try {
    open_database("postgres://nobody@127.0.0.1:1/none?nosuchoption=1");
    FAIL() << "accepted an unknown libpq option";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::bad_url) << error.what();
  }
}

TEST(OpenDatabase, FileThatIsNotADatabaseIsUnavailable) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("ranvier-not-a-db-" + std::to_string(::getpid()) + ".db");
  std::ofstream(path) << "this is a text file, not a SQLite database, and it is long enough\n";
  try {
    open_database("sqlite://" + path.string());
    ADD_FAILURE() << "opened a text file as a database";
  } catch (const StorageError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::unavailable) << error.what();
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
  }
  std::ifstream check(path);
  std::string first_line;
  std::getline(check, first_line);
  EXPECT_EQ(first_line, "this is a text file, not a SQLite database, and it is long enough");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ranvier::storage
