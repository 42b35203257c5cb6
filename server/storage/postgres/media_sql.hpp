#pragma once
// PostgreSQL text of sql/media_queries.hpp.

#include "storage/sql/media_queries.hpp"

namespace ranvier::storage::postgres {

inline constexpr sql::MediaSql media_sql{
    .get = "SELECT " RANVIER_MEDIA_COLUMNS " FROM media WHERE origin = $1 AND media_id = $2",
    .thumbnail = "SELECT content_type, size, sha256, created_ts FROM media_thumbnails"
                 " WHERE origin = $1 AND media_id = $2 AND width = $3 AND height = $4 AND method = $5",
    .pending_uploads = "SELECT COUNT(*) FROM media WHERE user_id = $1 AND sha256 IS NULL"
                       " AND (unused_expires_ts IS NULL OR unused_expires_ts > $2)",
    .file_in_use = "SELECT 1 FROM media WHERE sha256 = $1"
                   " UNION ALL SELECT 1 FROM media_thumbnails WHERE sha256 = $1 LIMIT 1",
    .add = "INSERT INTO media (origin, media_id, " RANVIER_MEDIA_COLUMNS ")"
           " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
           " ON CONFLICT (origin, media_id) DO NOTHING",
    .complete_upload = "UPDATE media SET content_type = $3, upload_name = $4, size = $5, sha256 = $6,"
                       " authenticated_only = $7, unused_expires_ts = NULL"
                       " WHERE origin = $1 AND media_id = $2 AND sha256 IS NULL",
    .put_thumbnail = "INSERT INTO media_thumbnails (origin, media_id, width, height, method, content_type, size, sha256,"
                     " created_ts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                     " ON CONFLICT (origin, media_id, width, height, method) DO NOTHING",
};

}  // namespace ranvier::storage::postgres
