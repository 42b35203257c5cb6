#include "appservice/pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace ranvier::appservice {
namespace {

// Backtracking steps allowed per match: far beyond what a sane namespace needs on a 255-byte
// identifier, far below what would stall a request.
constexpr std::uint32_t match_limit = 100'000;

struct MatchResources {
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_match_data* data = nullptr;
  explicit MatchResources(const pcre2_code* code) : data(pcre2_match_data_create_from_pattern(code, nullptr)) {
    pcre2_set_match_limit(context, match_limit);
    pcre2_set_depth_limit(context, match_limit);
  }
  ~MatchResources() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(context);
  }
  MatchResources(const MatchResources&) = delete;
  MatchResources& operator=(const MatchResources&) = delete;
};

}  // namespace

core::Expected<NamespacePattern, std::string> NamespacePattern::compile(std::string_view regex) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(), PCRE2_UTF, &error,
                                   &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    return core::fail(std::string(reinterpret_cast<const char*>(message)) + " at offset " + std::to_string(offset));
  }
  NamespacePattern pattern;
  pattern.source_ = std::string(regex);
  pattern.code_ = std::shared_ptr<pcre2_real_code_8>(code, pcre2_code_free);
  return pattern;
}

bool NamespacePattern::matches(std::string_view subject) const {
  if (!code_) {
    return false;
  }
  MatchResources resources(code_.get());
  const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                             PCRE2_ANCHORED, resources.data, resources.context);
  return rc >= 0;
}

}  // namespace ranvier::appservice
