#include "api/client/media_serving.hpp"

#include "api/client/media_fetch.hpp"

#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/percent_encoding.hpp"
#include "federation/federation_client.hpp"
#include "media/content_headers.hpp"
#include "media/media_id.hpp"
#include "media/multipart.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

namespace ranvier::api::media_serving {
namespace {

// The longest a request waits for a pending upload, whatever timeout_ms says.
constexpr std::int64_t max_wait_ms = 60'000;

// Fetches `origin/media_id` from its server (spec: server-server API, "Content Repository"),
// falling back to the deprecated client-server download path for servers that lack the
// federation one, and caches it.
media::StoredMedia fetch_remote(RequestContext& ctx, const MediaRequest& request) {
  auto* client = ctx.services.federation_client;
  if (client == nullptr) {
    throw MatrixError(ErrCode::not_found, "Remote media is not available on this server");
  }
  auto& repo = repository(ctx);
  const auto id = core::percent_encode(request.media_id);
  const auto timeout = "timeout_ms=" + std::to_string(std::clamp<std::int64_t>(request.timeout_ms, 0, max_wait_ms));
  auto answer = client->get_raw(request.server_name, "/_matrix/federation/v1/media/download/" + id + "?" + timeout);
  bool legacy = false;
  if (answer && (answer->status == 404 || answer->status == 400) &&
      answer->body.find("M_UNRECOGNIZED") != std::string::npos) {
    answer = client->get_raw(request.server_name, "/_matrix/media/v3/download/" +
                                                      core::percent_encode(request.server_name) + "/" + id +
                                                      "?allow_remote=false&" + timeout);
    legacy = true;
  }
  if (!answer) {
    if (answer.error().errcode == http::to_string(http::ClientErrorKind::too_large)) {
      throw MatrixError(ErrCode::remote_too_large, "The remote media is larger than this server fetches");
    }
    throw MatrixError(ErrCode::bad_gateway, "Could not reach " + request.server_name + ": " +
                                                federation::describe(answer.error()));
  }
  if (answer->status == 404) {
    throw MatrixError(ErrCode::not_found, "Media not found on " + request.server_name);
  }
  if (answer->status == 504) {
    throw MatrixError(ErrCode::not_yet_uploaded, "Content has not yet been uploaded");
  }
  if (answer->status != 200) {
    throw MatrixError(ErrCode::bad_gateway,
                      request.server_name + " answered " + std::to_string(answer->status) + " for the media");
  }
  std::string content_type;
  std::string disposition;
  std::string bytes;
  if (legacy) {
    content_type = std::string(answer->header("content-type"));
    disposition = std::string(answer->header("content-disposition"));
    bytes = std::move(answer->body);
  } else {
    auto parts = media::parse_federation_media(answer->header("content-type"), answer->body);
    if (!parts) {
      throw MatrixError(ErrCode::bad_gateway, request.server_name + " sent a bad multipart answer: " +
                                                  std::string(media::to_string(parts.error())));
    }
    if (const auto location = parts->media.header("location"); !location.empty()) {
      // The origin keeps the bytes elsewhere (a CDN): fetched like a URL preview, under the
      // same address checks, so a remote server cannot point this one into its own network.
      media_fetch::Fetched fetched;
      try {
        fetched = media_fetch::fetch_url(ctx, std::string(location), repo.config().max_upload_size);
      } catch (const MatrixError& e) {
        // The caller did nothing wrong: whatever stopped the fetch is the origin's doing.
        throw MatrixError(e.code() == ErrCode::remote_too_large ? e.code() : ErrCode::bad_gateway,
                          request.server_name + " sent a media location that cannot be fetched: " + e.what());
      }
      content_type = std::move(fetched.content_type);
      bytes = std::move(fetched.body);
    } else {
      content_type = std::string(parts->media.header("content-type"));
      disposition = std::string(parts->media.header("content-disposition"));
      bytes = std::move(parts->media.body);
    }
  }
  if (bytes.size() > repo.config().max_upload_size) {
    throw MatrixError(ErrCode::remote_too_large, "The remote media is too large");
  }
  auto name = media::file_name_of(disposition);
  auto record = repo.cache_remote(request.server_name, request.media_id, media::upload_content_type(content_type),
                                  name.empty() ? std::nullopt : std::optional<std::string>(name), bytes, now_ms());
  if (!record) {
    throw_media_error(record.error());
  }
  return media::StoredMedia{std::move(*record), std::move(bytes)};
}

// Local or cached media, or the repository's reason why not.
core::Expected<media::StoredMedia, media::MediaError> load(RequestContext& ctx, const MediaRequest& request) {
  return repository(ctx).load(request.server_name, request.media_id, now_ms());
}

// The answer for a load result: the media, or the error why not.
ApiResponse answer_loaded(RequestContext& ctx, const MediaRequest& request,
                          core::Expected<media::StoredMedia, media::MediaError> found, const MediaAnswer& answer) {
  if (!found) {
    throw_media_error(found.error());
  }
  if (request.legacy && found->record.authenticated_only) {
    throw MatrixError(ErrCode::not_found, "Media not found (this media is served by the authenticated endpoints)");
  }
  return answer(ctx, *found);
}

// Local or cached media now; while its upload is pending, a parked request that looks again
// when some upload completes, until `deadline`.
ApiResponse answer_or_park(RequestContext& ctx, const MediaRequest& request, MediaAnswer answer,
                           std::chrono::steady_clock::time_point deadline, bool at_deadline) {
  auto& repo = repository(ctx);
  const auto generation = repo.upload_generation();
  auto found = load(ctx, request);
  if (found || found.error() != media::MediaError::not_yet_uploaded || at_deadline ||
      std::chrono::steady_clock::now() >= deadline) {
    return answer_loaded(ctx, request, std::move(found), answer);
  }
  ApiResponse waiting;
  waiting.long_poll = std::make_shared<LongPoll>();
  waiting.long_poll->deadline = deadline;
  waiting.long_poll->arm = [&repo, request, generation](std::function<void()> wake) {
    return repo.on_uploaded(request.server_name, request.media_id, generation, std::move(wake));
  };
  // The request and services outlive the parked request (see sync.cpp).
  Services* services = &ctx.services;
  const ApiRequest* raw = &ctx.request;
  const Operation* operation = &ctx.operation;
  waiting.long_poll->resume = [services, raw, operation, request, answer = std::move(answer),
                               deadline](bool again_at_deadline) {
    RequestContext again{*raw, *operation, *services, {}, {}, std::nullopt, std::nullopt};
    return answer_or_park(again, request, answer, deadline, again_at_deadline);
  };
  return waiting;
}

}  // namespace

media::MediaRepository& repository(RequestContext& ctx) {
  if (ctx.services.media == nullptr) {
    throw MatrixError(ErrCode::not_found, "This server has no content repository");
  }
  return *ctx.services.media;
}

void throw_media_error(media::MediaError error) {
  const std::string message(media::to_string(error));
  switch (error) {
    case media::MediaError::not_found:
      throw MatrixError(ErrCode::not_found, message);
    case media::MediaError::forbidden:
      throw MatrixError(ErrCode::forbidden, message);
    case media::MediaError::cannot_overwrite:
      throw MatrixError(ErrCode::cannot_overwrite_media, message);
    case media::MediaError::limit_exceeded:
      throw MatrixError(ErrCode::limit_exceeded, message);
    case media::MediaError::too_large:
      throw MatrixError(ErrCode::too_large, message);
    case media::MediaError::not_yet_uploaded:
      throw MatrixError(ErrCode::not_yet_uploaded, message);
    case media::MediaError::file_missing:
      throw MatrixError(ErrCode::internal, message);
  }
  throw MatrixError(ErrCode::internal, message);
}

void check_media_id(std::string_view media_id) {
  if (!media::is_valid_media_id(media_id)) {
    throw MatrixError(ErrCode::not_found, "Media not found");
  }
}

ApiResponse binary_response(std::string_view content_type, std::string bytes, std::string_view file_name) {
  ApiResponse r;
  r.content_type = std::string(content_type);
  r.body = std::move(bytes);
  r.headers = media::media_headers(content_type, file_name);
  return r;
}

ApiResponse with_media(RequestContext& ctx, const MediaRequest& request,
                       MediaAnswer answer) {
  check_media_id(request.media_id);
  auto& repo = repository(ctx);
  const bool local = request.server_name == ctx.services.config.server_name;
  if (!local) {
    auto cached = repo.find(request.server_name, request.media_id);
    if (!cached) {
      if (request.legacy && !ctx.services.config.media.allow_unauthenticated) {
        // A copy cached now would be frozen media: the deprecated endpoints may not serve it.
        throw MatrixError(ErrCode::not_found, "Media not found");
      }
      if (!request.allow_remote) {
        throw MatrixError(ErrCode::not_found, "Media not found here and allow_remote is false");
      }
      auto fetched = fetch_remote(ctx, request);
      return answer(ctx, fetched);
    }
  }
  const auto wait = std::chrono::milliseconds(std::clamp<std::int64_t>(request.timeout_ms, 0, max_wait_ms));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  return answer_or_park(ctx, request, std::move(answer), deadline, request.timeout_ms <= 0);
}

ApiResponse thumbnail_response(RequestContext& ctx, const media::StoredMedia& stored, std::int64_t width,
                               std::int64_t height, const std::optional<std::string>& method) {
  if (method && *method != "crop" && *method != "scale") {
    throw MatrixError(ErrCode::invalid_param, "method must be crop or scale");
  }
  if (width <= 0 || height <= 0 || width > 4096 || height > 4096) {
    throw MatrixError(ErrCode::invalid_param, "width and height must be between 1 and 4096");
  }
  media::ThumbnailSpec spec{.width = static_cast<int>(width),
                            .height = static_cast<int>(height),
                            .method = method == std::optional<std::string>("crop") ? media::ThumbnailMethod::crop
                                                                                   : media::ThumbnailMethod::scale};
  auto thumb = repository(ctx).thumbnail(stored, spec, now_ms());
  if (!thumb) {
    const std::string message(media::to_string(thumb.error()));
    switch (thumb.error()) {
      case media::ThumbnailError::too_large:
        throw MatrixError(stored.record.user_id ? ErrCode::too_large : ErrCode::remote_too_large, message);
      case media::ThumbnailError::bad_dimensions:
        throw MatrixError(ErrCode::invalid_param, message);
      case media::ThumbnailError::not_an_image:
      case media::ThumbnailError::encode_failed:
        throw MatrixError(ErrCode::unknown, message);
    }
  }
  return binary_response(thumb->content_type, std::move(thumb->bytes), "");
}

}  // namespace ranvier::api::media_serving
