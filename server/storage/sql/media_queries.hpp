#pragma once
// SQL slots of the media store (storage/media.hpp).

#include "storage/sql/session.hpp"

namespace ranvier::storage::sql {

/// The columns every `get` selects, in MediaRecord order from user_id on.
#define RANVIER_MEDIA_COLUMNS                                                                            \
  "user_id, content_type, upload_name, size, sha256, created_ts, unused_expires_ts, quarantined," \
  " authenticated_only"

struct MediaSql {
  StaticSql get;              ///< (origin, media_id) → RANVIER_MEDIA_COLUMNS
  StaticSql thumbnail;        ///< (origin, media_id, width, height, method) → content_type, size, sha256, created_ts
  StaticSql pending_uploads;  ///< (user_id, now_ts) → COUNT(*)
  StaticSql file_in_use;      ///< (sha256) → 1 if referenced
  StaticSql add;              ///< (origin, media_id, RANVIER_MEDIA_COLUMNS…), nothing on conflict
  StaticSql complete_upload;  ///< (origin, media_id, content_type, upload_name, size, sha256, authenticated_only)
  StaticSql put_thumbnail;    ///< (origin, media_id, width, height, method, content_type, size, sha256, created_ts)
};

}  // namespace ranvier::storage::sql
