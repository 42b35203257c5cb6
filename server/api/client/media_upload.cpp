// Uploads and the media configuration (client-server API, "Content repository",
// https://spec.matrix.org/latest/client-server-api/#content-repository):
//   POST /_matrix/media/v3/upload, POST /_matrix/media/v1/create,
//   PUT /_matrix/media/v3/upload/{serverName}/{mediaId},
//   GET /_matrix/media/v3/config and GET /_matrix/client/v1/media/config.
// The body is the file itself (any Content-Type, application/octet-stream when absent).

#include "api/client/media_serving.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "media/content_headers.hpp"

namespace ranvier::api::client_server {
namespace {

std::string mxc_uri(const RequestContext& ctx, std::string_view media_id) {
  return "mxc://" + ctx.services.config.server_name + "/" + std::string(media_id);
}

void check_size(RequestContext& ctx) {
  const auto limit = media_serving::repository(ctx).config().max_upload_size;
  if (ctx.request.body.size() > limit) {
    throw MatrixError(ErrCode::too_large, "Cannot upload files larger than " + std::to_string(limit) + " bytes");
  }
}

ApiResponse media_config(RequestContext& ctx) {
  return json_response({{"m.upload.size", media_serving::repository(ctx).config().max_upload_size}});
}

}  // namespace

ApiResponse uploadContent(RequestContext& ctx, const UploadContentRequest& req) {
  check_size(ctx);
  auto media_id = media_serving::repository(ctx).upload(ctx.principal->user_id,
                                                        media::upload_content_type(ctx.request.header("content-type")),
                                                        req.filename, ctx.request.body, now_ms());
  if (!media_id) {
    media_serving::throw_media_error(media_id.error());
  }
  return json_response({{"content_uri", mxc_uri(ctx, *media_id)}});
}

ApiResponse createContent(RequestContext& ctx, const CreateContentRequest& /*req*/) {
  auto created = media_serving::repository(ctx).create(ctx.principal->user_id, now_ms());
  if (!created) {
    media_serving::throw_media_error(created.error());
  }
  return json_response(
      {{"content_uri", mxc_uri(ctx, created->media_id)}, {"unused_expires_at", created->unused_expires_at}});
}

ApiResponse uploadContentToMXC(RequestContext& ctx, const UploadContentToMXCRequest& req) {
  if (req.server_name != ctx.services.config.server_name) {
    throw MatrixError(ErrCode::not_found, "Media IDs of other servers cannot be uploaded to here");
  }
  media_serving::check_media_id(req.media_id);
  check_size(ctx);
  auto done = media_serving::repository(ctx).upload_to(
      req.media_id, ctx.principal->user_id, media::upload_content_type(ctx.request.header("content-type")),
      req.filename, ctx.request.body, now_ms());
  if (!done) {
    media_serving::throw_media_error(done.error());
  }
  return json_response(nlohmann::json::object());
}

ApiResponse getConfig(RequestContext& ctx, const GetConfigRequest& /*req*/) { return media_config(ctx); }

ApiResponse getConfigAuthed(RequestContext& ctx, const GetConfigAuthedRequest& /*req*/) { return media_config(ctx); }

}  // namespace ranvier::api::client_server
