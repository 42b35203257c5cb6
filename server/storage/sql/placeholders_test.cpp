#include "storage/sql/placeholders.hpp"
#include "storage/sql/session.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace ranvier::storage::sql {
namespace {

inline constexpr char shared[] = "SELECT 1 FROM t WHERE a = ?1 AND b = ?12 AND c = '?' AND d = ?";
inline constexpr char ends_with_mark[] = "SELECT ?";

TEST(DollarPlaceholders, NumberedPlaceholdersOnly) {
  // Checked at compile time too: the PostgreSQL text is a constant.
  static_assert(dollar_placeholders<shared>.size() == sizeof(shared));
  EXPECT_EQ(std::string_view(dollar_placeholders<shared>.data()),
            "SELECT 1 FROM t WHERE a = $1 AND b = $12 AND c = '?' AND d = ?");
  EXPECT_EQ(std::string_view(dollar_placeholders<ends_with_mark>.data()), "SELECT ?");
}

TEST(DollarPlaceholders, UsableAsStaticSql) {
  constexpr StaticSql sql = dollar_placeholders<shared>.data();
  EXPECT_EQ(std::string_view(sql.text()).substr(0, 28), "SELECT 1 FROM t WHERE a = $1");
}

}  // namespace
}  // namespace ranvier::storage::sql
