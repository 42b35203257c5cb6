// Downloads and thumbnails (client-server API, "Content repository",
// https://spec.matrix.org/latest/client-server-api/#content-repository):
//   GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}] and
//   GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}, which need an access token,
//   and their deprecated unauthenticated /_matrix/media/v3 twins, which serve only media
//   stored while config media.allow_unauthenticated was on (the spec's "freeze").
// Media of other servers is fetched over federation and cached; created media that is not
// uploaded yet is waited for up to timeout_ms. allow_redirect is accepted, but the bytes are
// always served directly.

#include "api/client/media_serving.hpp"
#include "api/handlers_client_server.hpp"
#include "storage/media.hpp"

namespace ranvier::api::client_server {
namespace {

using media_serving::MediaRequest;

ApiResponse download(RequestContext& ctx, const MediaRequest& request, std::optional<std::string> file_name) {
  return media_serving::with_media(ctx, request, [file_name](RequestContext&, const media::StoredMedia& stored) {
    const auto& r = stored.record;
    return media_serving::binary_response(r.content_type.value_or("application/octet-stream"), stored.bytes,
                                          file_name.value_or(r.upload_name.value_or("")));
  });
}

ApiResponse thumbnail(RequestContext& ctx, const MediaRequest& request, std::int64_t width, std::int64_t height,
                      std::optional<std::string> method) {
  return media_serving::with_media(ctx, request, [width, height, method](RequestContext& current, const media::StoredMedia& stored) {
    return media_serving::thumbnail_response(current, stored, width, height, method);
  });
}

}  // namespace

ApiResponse getContentAuthed(RequestContext& ctx, const GetContentAuthedRequest& req) {
  return download(ctx, {req.server_name, req.media_id, req.timeout_ms, true, false}, std::nullopt);
}

ApiResponse getContentOverrideNameAuthed(RequestContext& ctx, const GetContentOverrideNameAuthedRequest& req) {
  return download(ctx, {req.server_name, req.media_id, req.timeout_ms, true, false}, req.file_name);
}

ApiResponse getContentThumbnailAuthed(RequestContext& ctx, const GetContentThumbnailAuthedRequest& req) {
  return thumbnail(ctx, {req.server_name, req.media_id, req.timeout_ms, true, false}, req.width, req.height,
                   req.method);
}

ApiResponse getContent(RequestContext& ctx, const GetContentRequest& req) {
  return download(ctx, {req.server_name, req.media_id, req.timeout_ms, req.allow_remote, true}, std::nullopt);
}

ApiResponse getContentOverrideName(RequestContext& ctx, const GetContentOverrideNameRequest& req) {
  return download(ctx, {req.server_name, req.media_id, req.timeout_ms, req.allow_remote, true}, req.file_name);
}

ApiResponse getContentThumbnail(RequestContext& ctx, const GetContentThumbnailRequest& req) {
  return thumbnail(ctx, {req.server_name, req.media_id, req.timeout_ms, req.allow_remote, true}, req.width,
                   req.height, req.method);
}

}  // namespace ranvier::api::client_server
