#pragma once
// The full-text index behind /search (client-server API, "Server Side Search"): the searchable
// text of each event (content.body, content.name or content.topic), written in the event's
// transaction. SQLite uses FTS5, PostgreSQL a tsvector with a GIN index; both stem English.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier::storage {

enum class SearchOrder { rank, recent };

struct SearchQuery {
  /// The words to find, all of them (already split; each is a run of letters and digits).
  std::vector<std::string> words;
  std::vector<std::string> room_ids;
  /// Any of content.body, content.name, content.topic.
  std::vector<std::string> keys;
  SearchOrder order = SearchOrder::rank;
  /// Results to skip (paging) and to return.
  std::size_t offset = 0;
  std::size_t limit = 10;
};

struct SearchHit {
  std::string event_id;
  std::int64_t stream = 0;
  /// Higher is better; comparable only within one query.
  double rank = 0;
};

struct SearchResults {
  std::vector<SearchHit> hits;
  /// Every match in the rooms, before paging.
  std::int64_t count = 0;
};

class SearchReads {
 public:
  virtual ~SearchReads() = default;
  /// Events of the rooms whose indexed text contains every word, skipping redacted, rejected
  /// and soft-failed events.
  virtual SearchResults search(const SearchQuery& query) = 0;
};

class SearchStore : public SearchReads {
 public:
  /// Indexes `text` under `key` for the event at stream position `stream`.
  virtual void index(std::int64_t stream, std::string_view key, std::string_view text) = 0;
};

}  // namespace ranvier::storage
