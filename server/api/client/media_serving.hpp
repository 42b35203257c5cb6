#pragma once
// What the media download, thumbnail and federation handlers share: finding media locally,
// in the remote cache or on its origin server, waiting for pending uploads, and building the
// binary responses (client-server API, "Content repository").

#include "api/context.hpp"
#include "media/repository.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ranvier::api::media_serving {

/// How a download or thumbnail request was made.
struct MediaRequest {
  std::string server_name;
  std::string media_id;
  std::int64_t timeout_ms = 20'000;
  bool allow_remote = true;
  /// Came through the deprecated /_matrix/media/v3 endpoints (frozen media is not served).
  bool legacy = false;
};

/// The repository, or 404 M_NOT_FOUND when this server runs without one.
media::MediaRepository& repository(RequestContext& ctx);

/// The Matrix error for a repository error.
[[noreturn]] void throw_media_error(media::MediaError error);

/// 404 M_NOT_FOUND unless `media_id` has only the spec's characters.
void check_media_id(std::string_view media_id);

/// A 200 response carrying `bytes` with the media headers (Content-Disposition from the
/// content type, CSP, CORP).
ApiResponse binary_response(std::string_view content_type, std::string bytes, std::string_view file_name);

/// Builds the answer from available media; gets the request's context (a new one when the
/// request was parked), so it must not capture the handler's.
using MediaAnswer = std::function<ApiResponse(RequestContext&, const media::StoredMedia&)>;

/// Runs `answer(ctx, media)` for the requested media once it is available: local, cached, or
/// fetched from its origin server. A pending upload parks the request until it arrives or
/// `timeout_ms` passes (then 504 M_NOT_YET_UPLOADED).
ApiResponse with_media(RequestContext& ctx, const MediaRequest& request,
                       MediaAnswer answer);

/// The thumbnail answer for `media` (400 for non-images and bad sizes, 413 for huge images).
ApiResponse thumbnail_response(RequestContext& ctx, const media::StoredMedia& media, std::int64_t width,
                               std::int64_t height, const std::optional<std::string>& method);

}  // namespace ranvier::api::media_serving
