#pragma once
// The media store over a sql::Session (both engines).

#include "storage/media.hpp"
#include "storage/sql/media_queries.hpp"

namespace ranvier::storage::sql {

class SqlMediaStore final : public MediaStore {
 public:
  SqlMediaStore(Session& session, const MediaSql& sql) : session_(session), sql_(sql) {}
  std::optional<MediaRecord> get(std::string_view origin, std::string_view media_id) override;
  std::optional<MediaThumbnailRecord> thumbnail(std::string_view origin, std::string_view media_id,
                                                std::int64_t width, std::int64_t height,
                                                std::string_view method) override;
  std::int64_t pending_uploads(std::string_view user_id, std::int64_t now_ts) override;
  bool file_in_use(std::string_view sha256) override;
  bool add(const MediaRecord& record) override;
  bool complete_upload(const MediaRecord& uploaded) override;
  void put_thumbnail(const MediaThumbnailRecord& thumbnail) override;

 private:
  Session& session_;
  const MediaSql& sql_;
};

}  // namespace ranvier::storage::sql
