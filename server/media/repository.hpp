#pragma once
// The content repository's logic over the database and the blob store (client-server API,
// "Content repository"): uploads, created-then-uploaded media, the cache of other servers'
// media, thumbnails, and waiting for a pending upload. No HTTP here: the handlers in
// api/client/media_*.cpp and api/federation/media.cpp translate requests and errors.
//
// Consistency: the file is written (temp + rename) before its row is committed; when the
// commit fails the file is removed again unless another row uses it. A row therefore never
// names a missing file, and a file without a row is at worst left by a crash in between.

#include "config/config.hpp"
#include "core/expected.hpp"
#include "media/blob_store.hpp"
#include "media/thumbnailer.hpp"
#include "storage/media.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::storage {
class Database;
class WriteTx;
}

namespace ranvier::media {

/// Why a repository call did not do what was asked.
enum class MediaError {
  not_found,          ///< no such media, an expired created ID, or a quarantined file
  forbidden,          ///< another user created this ID
  cannot_overwrite,   ///< the ID already has content
  limit_exceeded,     ///< too many pending uploads
  too_large,          ///< over media.max_upload_size
  not_yet_uploaded,   ///< created but the content has not arrived
  file_missing,       ///< the row names a file that is gone (the disk lost it)
};

/// Media with its bytes.
struct StoredMedia {
  storage::MediaRecord record;
  std::string bytes;
};

/// A thumbnail answer: generated (or cached) bytes, or the original when it is small enough.
struct ThumbnailAnswer {
  std::string content_type;
  std::string bytes;
};

/// POST /_matrix/media/v1/create's answer.
struct CreatedMedia {
  std::string media_id;
  std::int64_t unused_expires_at = 0;
};

class MediaRepository {
 public:
  /// `config` and `database` must outlive it. Files go under `config.path`.
  MediaRepository(const config::Media& config, std::string server_name, storage::Database& database);

  /// Stores a new local upload and returns its media ID.
  core::Expected<std::string, MediaError> upload(std::string_view user_id, std::string_view content_type,
                                                 const std::optional<std::string>& upload_name, std::string_view bytes,
                                                 std::int64_t now_ms);

  /// Reserves a media ID for a later upload_to.
  core::Expected<CreatedMedia, MediaError> create(std::string_view user_id, std::int64_t now_ms);

  /// Fills in a created media ID (only its creator, only once, only before it expires).
  core::Expected<std::monostate, MediaError> upload_to(std::string_view media_id, std::string_view user_id,
                                                       std::string_view content_type,
                                                       const std::optional<std::string>& upload_name,
                                                       std::string_view bytes, std::int64_t now_ms);

  /// The metadata row, if any (pending ones included).
  std::optional<storage::MediaRecord> find(std::string_view origin, std::string_view media_id);

  /// The media with its bytes: not_found, not_yet_uploaded or file_missing otherwise.
  core::Expected<StoredMedia, MediaError> load(std::string_view origin, std::string_view media_id,
                                               std::int64_t now_ms);

  /// Stores a copy of another server's media; a copy cached meanwhile by another request wins.
  core::Expected<storage::MediaRecord, MediaError> cache_remote(std::string_view origin, std::string_view media_id,
                                                                std::string_view content_type,
                                                                const std::optional<std::string>& upload_name,
                                                                std::string_view bytes, std::int64_t now_ms);

  /// A thumbnail of stored media, cached by request; the original when it is small enough.
  core::Expected<ThumbnailAnswer, ThumbnailError> thumbnail(const StoredMedia& media, const ThumbnailSpec& spec,
                                                            std::int64_t now_ms);

  /// Counts completed uploads of created media; read it before looking at a pending upload
  /// and hand it to on_uploaded, so an upload in between is not missed.
  std::uint64_t upload_generation() const { return upload_generation_.load(); }

  /// Calls `wake` at most once: when media `origin/media_id` is uploaded, or at once if some
  /// upload completed since `generation` (the caller then looks again). Touches no database,
  /// so network threads may call it. Returns a function that unregisters it.
  std::function<void()> on_uploaded(std::string_view origin, std::string_view media_id, std::uint64_t generation,
                                    std::function<void()> wake);

  const config::Media& config() const { return config_; }
  const std::string& server_name() const { return server_name_; }

 private:
  /// Writes the file, then runs `commit(tx, sha256)` in a write transaction; it returns false
  /// to refuse. The file is removed again when the commit threw or refused and no row uses
  /// it. True when committed.
  bool store_then_commit(std::string_view bytes,
                         const std::function<bool(storage::WriteTx&, const std::string&)>& commit);
  void notify_uploaded(const std::string& key);

  const config::Media& config_;
  std::string server_name_;
  storage::Database& database_;
  BlobStore blobs_;
  std::mutex waiters_mutex_;
  std::uint64_t next_waiter_ = 0;
  std::atomic<std::uint64_t> upload_generation_{0};
  std::map<std::string, std::map<std::uint64_t, std::function<void()>>> waiters_;
};

/// Short description, for error messages.
std::string_view to_string(MediaError error);

}  // namespace ranvier::media
