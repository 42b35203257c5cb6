#pragma once
// The content repository's metadata (client-server API, "Content repository"): one row per
// mxc:// URI, local or a cached copy of another server's, and the thumbnails made of them.
// The bytes themselves are files (media/blob_store.hpp) named by `sha256`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::storage {

struct MediaRecord {
  std::string origin;    ///< the server name of the mxc:// URI
  std::string media_id;
  std::optional<std::string> user_id;  ///< the local uploader; nullopt for remote media
  std::optional<std::string> content_type;
  std::optional<std::string> upload_name;
  std::optional<std::int64_t> size;
  std::optional<std::string> sha256;  ///< nullopt while the upload is pending
  std::int64_t created_ts = 0;
  std::optional<std::int64_t> unused_expires_ts;  ///< pending uploads only
  bool quarantined = false;
  /// Served by the authenticated endpoints only (uploaded or cached during the freeze).
  bool authenticated_only = true;

  bool uploaded() const { return sha256.has_value(); }
  bool operator==(const MediaRecord&) const = default;
};

struct MediaThumbnailRecord {
  std::string origin;
  std::string media_id;
  std::int64_t width = 0;   ///< as requested
  std::int64_t height = 0;  ///< as requested
  std::string method;       ///< "crop" or "scale"
  std::string content_type;
  std::int64_t size = 0;
  std::string sha256;
  std::int64_t created_ts = 0;

  bool operator==(const MediaThumbnailRecord&) const = default;
};

class MediaReads {
 public:
  virtual ~MediaReads() = default;
  virtual std::optional<MediaRecord> get(std::string_view origin, std::string_view media_id) = 0;
  /// The cached thumbnail made for this request, if any.
  virtual std::optional<MediaThumbnailRecord> thumbnail(std::string_view origin, std::string_view media_id,
                                                        std::int64_t width, std::int64_t height,
                                                        std::string_view method) = 0;
  /// The user's pending uploads not expired at `now_ts`.
  virtual std::int64_t pending_uploads(std::string_view user_id, std::int64_t now_ts) = 0;
  /// True if some media or thumbnail row names this file.
  virtual bool file_in_use(std::string_view sha256) = 0;
};

class MediaStore : public MediaReads {
 public:
  /// Inserts a row; false when (origin, media_id) is already taken.
  virtual bool add(const MediaRecord& record) = 0;
  /// Fills in a pending upload (content_type, upload_name, size, sha256, authenticated_only
  /// from `uploaded`); false when the row is missing or already uploaded.
  virtual bool complete_upload(const MediaRecord& uploaded) = 0;
  /// Stores a thumbnail; a concurrent twin that got there first wins.
  virtual void put_thumbnail(const MediaThumbnailRecord& thumbnail) = 0;
};

}  // namespace ranvier::storage
