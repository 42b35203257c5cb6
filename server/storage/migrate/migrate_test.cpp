// Conversion, checksum and table-matching rules of migrate-db; no database needed.

#include "storage/migrate/migrate_error.hpp"
#include "storage/migrate/table_copy.hpp"
#include "storage/migrate/table_plan.hpp"
#include "storage/migrate/values.hpp"

#include <gtest/gtest.h>

namespace ranvier::storage::migrate {
namespace {

TEST(MigrateValues, IntegersBooleansAndTextTakePostgresTextForm) {
  EXPECT_EQ(normal_form(SourceValue::of_int(-42), ColumnType::integer, "t.c"), "-42");
  EXPECT_EQ(normal_form(SourceValue::of_int(1), ColumnType::boolean, "t.c"), "true");
  EXPECT_EQ(normal_form(SourceValue::of_int(0), ColumnType::boolean, "t.c"), "false");
  EXPECT_EQ(normal_form(SourceValue::of_text("héllo"), ColumnType::text, "t.c"), "héllo");
  EXPECT_EQ(normal_form(SourceValue::of_text("[{\"a\": 1}]"), ColumnType::json, "t.c"),
            "[{\"a\": 1}]");
  EXPECT_EQ(normal_form(SourceValue::null(), ColumnType::boolean, "t.c"), std::nullopt);
  EXPECT_EQ(normal_form(SourceValue::of_real(0.1), ColumnType::real, "t.c"), "0.1");
  EXPECT_EQ(normal_form(SourceValue::of_text("123"), ColumnType::integer, "t.c"), "123");
}

TEST(MigrateValues, BlobsBecomeHexBytea) {
  EXPECT_EQ(normal_form(SourceValue::of_blob(std::string("\x00\xff\x10", 3)), ColumnType::bytea,
                        "t.c"),
            "\\x00ff10");
  EXPECT_EQ(bytea_hex(""), "\\x");
}

TEST(MigrateValues, ValuesThatDoNotFitNameTheColumn) {
  try {
    normal_form(SourceValue::of_int(2), ColumnType::boolean, "accounts.is_admin");
    FAIL() << "2 accepted as a boolean";
  } catch (const MigrateError& error) {
    EXPECT_NE(std::string(error.what()).find("accounts.is_admin"), std::string::npos);
  }
  EXPECT_THROW(normal_form(SourceValue::of_blob("x"), ColumnType::integer, "t.c"), MigrateError);
  EXPECT_THROW(normal_form(SourceValue::of_text("12a"), ColumnType::integer, "t.c"), MigrateError);
  EXPECT_THROW(normal_form(SourceValue::of_text(std::string("a\0b", 3)), ColumnType::text, "t.c"),
               MigrateError);
}

TEST(MigrateValues, PostgresTypesMapToColumnTypes) {
  EXPECT_EQ(column_type_from_udt("int8"), ColumnType::integer);
  EXPECT_EQ(column_type_from_udt("int4"), ColumnType::integer);
  EXPECT_EQ(column_type_from_udt("bool"), ColumnType::boolean);
  EXPECT_EQ(column_type_from_udt("tsvector"), ColumnType::tsvector);
  EXPECT_EQ(column_type_from_udt("json"), ColumnType::json);
  EXPECT_EQ(column_type_from_udt("point"), std::nullopt);
  EXPECT_TRUE(derived_by_postgres(ColumnType::tsvector));
  EXPECT_FALSE(derived_by_postgres(ColumnType::json));
}

std::string checksum_of(const std::vector<std::vector<std::optional<std::string>>>& rows) {
  RowChecksum sum;
  for (const auto& row : rows) {
    for (const auto& value : row) {
      sum.add_value(value);
    }
    sum.end_row();
  }
  return sum.finish();
}

TEST(MigrateChecksum, FramesValuesAndRows) {
  const auto a = checksum_of({{"ab", "c"}});
  EXPECT_EQ(a.size(), 64U);
  EXPECT_EQ(a, checksum_of({{"ab", "c"}}));
  EXPECT_NE(a, checksum_of({{"a", "bc"}}));
  EXPECT_NE(checksum_of({{std::nullopt}}), checksum_of({{""}}));
  EXPECT_NE(checksum_of({{"a"}, {"b"}}), checksum_of({{"a", "b"}}));
  EXPECT_NE(checksum_of({{"a"}, {"b"}}), checksum_of({{"b"}, {"a"}}));
}

TargetTable target(std::string name, std::vector<TargetColumn> columns, std::vector<std::string> key) {
  return TargetTable{std::move(name), std::move(columns), std::move(key)};
}

TEST(MigratePlan, MatchesColumnsByNameInTargetOrder) {
  const std::vector<SourceTable> source = {{"accounts", {"user_id", "is_admin"}, {"user_id"}, false}};
  const auto plans = plan_tables(
      source, {target("accounts", {{"is_admin", "bool"}, {"user_id", "text"}}, {"user_id"})}, {});
  ASSERT_EQ(plans.size(), 1U);
  ASSERT_EQ(plans[0].columns.size(), 2U);
  EXPECT_EQ(plans[0].columns[0].target, "is_admin");
  EXPECT_EQ(plans[0].columns[0].type, ColumnType::boolean);
  EXPECT_EQ(plans[0].columns[0].source_expr, "\"is_admin\"");
  EXPECT_EQ(plans[0].key, std::vector<std::size_t>{1});
}

TEST(MigratePlan, FullTextTableMapsRowidAndIndexedText) {
  const std::vector<SourceTable> source = {{"event_search", {"body", "key"}, {}, true}};
  const auto plans = plan_tables(
      source,
      {target("event_search", {{"stream", "int8"}, {"key", "text"}, {"vector", "tsvector"}},
              {"stream"})},
      {});
  ASSERT_EQ(plans.size(), 1U);
  EXPECT_EQ(plans[0].columns[0].source_expr, "rowid");
  EXPECT_EQ(plans[0].columns[1].source_expr, "\"key\"");
  EXPECT_EQ(plans[0].columns[2].source_expr, "\"body\"");
  EXPECT_EQ(target_expression(plans[0].columns[2], "r.c2"), "to_tsvector('english', r.c2)");
  EXPECT_EQ(target_expression(plans[0].columns[0], "r.c0"), "r.c0::bigint");
}

TEST(MigratePlan, MissingTablesAndColumnsAreNamed) {
  const std::vector<SourceTable> source = {{"a", {"id", "extra"}, {"id"}, false},
                                           {"only_sqlite", {"id"}, {"id"}, false}};
  try {
    plan_tables(source,
                {target("a", {{"id", "int8"}, {"other", "text"}}, {"id"}),
                 target("only_pg", {{"id", "int8"}}, {"id"})},
                {});
    FAIL() << "mismatched schemas accepted";
  } catch (const MigrateError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("only_sqlite exists in SQLite"), std::string::npos) << what;
    EXPECT_NE(what.find("only_pg exists in PostgreSQL"), std::string::npos) << what;
    EXPECT_NE(what.find("a.extra exists in SQLite"), std::string::npos) << what;
    EXPECT_NE(what.find("a.other exists in PostgreSQL"), std::string::npos) << what;
  }
}

TEST(MigratePlan, ReferencedTablesComeFirst) {
  const std::vector<SourceTable> source = {{"a_child", {"id"}, {"id"}, false},
                                           {"b_parent", {"id"}, {"id"}, false},
                                           {"c_root", {"id"}, {"id"}, false}};
  const std::vector<TargetTable> targets = {target("a_child", {{"id", "int8"}}, {"id"}),
                                            target("b_parent", {{"id", "int8"}}, {"id"}),
                                            target("c_root", {{"id", "int8"}}, {"id"})};
  const auto plans = plan_tables(
      source, targets, {{"a_child", "b_parent"}, {"b_parent", "c_root"}, {"c_root", "c_root"}});
  ASSERT_EQ(plans.size(), 3U);
  EXPECT_EQ(plans[0].name, "c_root");
  EXPECT_EQ(plans[1].name, "b_parent");
  EXPECT_EQ(plans[2].name, "a_child");
  EXPECT_THROW(plan_tables(source, targets, {{"a_child", "b_parent"}, {"b_parent", "a_child"}}),
               MigrateError);
}

TEST(MigratePlan, SqlTextQuotesNamesAndPagesByKey) {
  const std::vector<SourceTable> source = {{"t", {"k1", "k2", "v"}, {"k1", "k2"}, false}};
  const auto plans = plan_tables(
      source, {target("t", {{"k1", "text"}, {"k2", "int8"}, {"v", "bool"}}, {"k1", "k2"})}, {});
  EXPECT_EQ(source_select(plans[0], true, 10),
            "SELECT \"k1\", \"k2\", \"v\" FROM \"t\" WHERE (\"k1\", \"k2\") > (?1, ?2) ORDER BY "
            "\"k1\", \"k2\" LIMIT 10");
  EXPECT_EQ(insert_statement(plans[0]),
            "INSERT INTO \"t\" (\"k1\", \"k2\", \"v\") OVERRIDING SYSTEM VALUE SELECT r.c0::text, "
            "r.c1::bigint, r.c2::boolean FROM json_to_recordset($1::json) AS r(c0 text, c1 text, "
            "c2 text)");
}

}  // namespace
}  // namespace ranvier::storage::migrate
