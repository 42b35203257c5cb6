// GET /_matrix/federation/v1/media/download/{mediaId} and /thumbnail/{mediaId} (server-server
// API, "Content Repository", https://spec.matrix.org/latest/server-server-api/#content-repository):
// this server's own media for other servers, as multipart/mixed — an empty JSON metadata
// part, then the bytes with their Content-Type and Content-Disposition. Cached copies of
// other servers' media are not served on (the caller asks the origin).

#include "api/client/media_serving.hpp"
#include "api/handlers_server_server.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "media/content_headers.hpp"
#include "media/multipart.hpp"

namespace ranvier::api::server_server {
namespace {

/// The binary answer of a client handler wrapped as the federation multipart body.
ApiResponse as_multipart(ApiResponse binary) {
  media::MultipartPart part;
  part.headers.emplace_back("Content-Type", binary.content_type);
  for (const auto& [name, value] : binary.headers) {
    if (name == "Content-Disposition") {
      part.headers.emplace_back(name, value);
    }
  }
  part.body = std::move(binary.body);
  const auto boundary = media::make_boundary(part.body);
  ApiResponse r;
  r.content_type = media::multipart_content_type(boundary);
  r.body = media::write_federation_media(boundary, "{}", part);
  return r;
}

media_serving::MediaRequest local_request(RequestContext& ctx, std::string media_id, std::int64_t timeout_ms) {
  return {ctx.services.config.server_name, std::move(media_id), timeout_ms, false, false};
}

/// `answer` for the media, with a parked answer (pending upload) wrapped when it resumes.
ApiResponse multipart_for(RequestContext& ctx, const media_serving::MediaRequest& request,
                          media_serving::MediaAnswer answer) {
  return media_serving::with_media(ctx, request, [answer = std::move(answer)](RequestContext& current, const media::StoredMedia& stored) {
    return as_multipart(answer(current, stored));
  });
}

}  // namespace

ApiResponse getContent(RequestContext& ctx, const GetContentRequest& req) {
  return multipart_for(ctx, local_request(ctx, req.media_id, req.timeout_ms), [](RequestContext&, const media::StoredMedia& stored) {
    const auto& r = stored.record;
    return media_serving::binary_response(r.content_type.value_or("application/octet-stream"), stored.bytes,
                                          r.upload_name.value_or(""));
  });
}

ApiResponse getContentThumbnail(RequestContext& ctx, const GetContentThumbnailRequest& req) {
  const auto width = req.width;
  const auto height = req.height;
  const auto method = req.method;
  return multipart_for(ctx, local_request(ctx, req.media_id, req.timeout_ms),
                       [width, height, method](RequestContext& current, const media::StoredMedia& stored) {
                         return media_serving::thumbnail_response(current, stored, width, height, method);
                       });
}

}  // namespace ranvier::api::server_server
