#include "storage/sql/media_store.hpp"

namespace ranvier::storage::sql {

std::optional<MediaRecord> SqlMediaStore::get(std::string_view origin, std::string_view media_id) {
  auto rows = session_.query(sql_.get, {origin, media_id});
  if (rows.empty()) {
    return std::nullopt;
  }
  const auto& row = rows.front();
  return MediaRecord{.origin = std::string(origin),
                     .media_id = std::string(media_id),
                     .user_id = row.at(0).as_optional_text(),
                     .content_type = row.at(1).as_optional_text(),
                     .upload_name = row.at(2).as_optional_text(),
                     .size = row.at(3).as_optional_int(),
                     .sha256 = row.at(4).as_optional_text(),
                     .created_ts = row.at(5).as_int(),
                     .unused_expires_ts = row.at(6).as_optional_int(),
                     .quarantined = row.at(7).as_bool(),
                     .authenticated_only = row.at(8).as_bool()};
}

std::optional<MediaThumbnailRecord> SqlMediaStore::thumbnail(std::string_view origin, std::string_view media_id,
                                                             std::int64_t width, std::int64_t height,
                                                             std::string_view method) {
  auto rows = session_.query(sql_.thumbnail, {origin, media_id, width, height, method});
  if (rows.empty()) {
    return std::nullopt;
  }
  const auto& row = rows.front();
  return MediaThumbnailRecord{.origin = std::string(origin),
                              .media_id = std::string(media_id),
                              .width = width,
                              .height = height,
                              .method = std::string(method),
                              .content_type = row.at(0).as_text(),
                              .size = row.at(1).as_int(),
                              .sha256 = row.at(2).as_text(),
                              .created_ts = row.at(3).as_int()};
}

std::int64_t SqlMediaStore::pending_uploads(std::string_view user_id, std::int64_t now_ts) {
  return session_.query(sql_.pending_uploads, {user_id, now_ts}).front().at(0).as_int();
}

bool SqlMediaStore::file_in_use(std::string_view sha256) {
  return !session_.query(sql_.file_in_use, {sha256}).empty();
}

bool SqlMediaStore::add(const MediaRecord& r) {
  return session_.execute(sql_.add, {std::string_view(r.origin), std::string_view(r.media_id), nullable(r.user_id),
                                     nullable(r.content_type), nullable(r.upload_name), nullable(r.size),
                                     nullable(r.sha256), r.created_ts, nullable(r.unused_expires_ts), r.quarantined,
                                     r.authenticated_only}) > 0;
}

bool SqlMediaStore::complete_upload(const MediaRecord& r) {
  return session_.execute(sql_.complete_upload,
                          {std::string_view(r.origin), std::string_view(r.media_id), nullable(r.content_type),
                           nullable(r.upload_name), nullable(r.size), nullable(r.sha256), r.authenticated_only}) > 0;
}

void SqlMediaStore::put_thumbnail(const MediaThumbnailRecord& t) {
  session_.execute(sql_.put_thumbnail,
                   {std::string_view(t.origin), std::string_view(t.media_id), t.width, t.height,
                    std::string_view(t.method), std::string_view(t.content_type), t.size, std::string_view(t.sha256),
                    t.created_ts});
}

}  // namespace ranvier::storage::sql
