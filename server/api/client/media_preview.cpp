// GET /_matrix/client/v1/media/preview_url and its deprecated twin /_matrix/media/v3/preview_url
// (client-server API, "Content repository",
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1mediapreview_url): the
// server fetches an http(s) page for the user and answers its OpenGraph data; an image (the
// page itself or its og:image) is stored in the content repository and named by its mxc://
// URI. Off unless config media.url_preview.enabled. Pages are fetched by media_fetch (every
// address checked against the IP lists, redirects included) and capped at max_page_bytes.

#include "api/client/media_fetch.hpp"
#include "api/client/media_serving.hpp"
#include "api/clock.hpp"
#include "api/errors.hpp"
#include "api/handlers_client_server.hpp"
#include "api/json_response.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "media/content_headers.hpp"
#include "media/opengraph.hpp"
#include "media/thumbnailer.hpp"

#include <algorithm>


namespace ranvier::api::client_server {
namespace {

std::string lower_essence(std::string_view content_type) {
  std::string out(content_type.substr(0, content_type.find(';')));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

/// Stores an image in the content repository and describes it as og:image fields.
void add_image(RequestContext& ctx, const media_fetch::Fetched& image, nlohmann::json& og) {
  auto& repo = media_serving::repository(ctx);
  if (image.body.size() > repo.config().max_upload_size) {
    return;
  }
  const auto type = media::sniff_image_type(image.body);
  const std::string content_type = type.empty() ? lower_essence(image.content_type) : std::string(type);
  auto media_id = repo.upload(ctx.principal->user_id, content_type, std::nullopt, image.body, now_ms());
  if (!media_id) {
    return;
  }
  og["og:image"] = "mxc://" + ctx.services.config.server_name + "/" + *media_id;
  og["og:image:type"] = content_type;
  og["matrix:image:size"] = image.body.size();
  if (auto size = media::image_size(image.body)) {
    og["og:image:width"] = size->width;
    og["og:image:height"] = size->height;
  }
}

ApiResponse preview(RequestContext& ctx, const std::string& url) {
  if (!ctx.services.config.media.url_preview.enabled || ctx.services.url_preview_client == nullptr) {
    throw MatrixError(ErrCode::forbidden, "URL previews are disabled on this server");
  }
  const auto page = media_fetch::fetch_url(ctx, url, ctx.services.config.media.url_preview.max_page_bytes);
  const auto type = lower_essence(page.content_type);
  auto og = nlohmann::json::object();
  if (type.starts_with("image/")) {
    add_image(ctx, page, og);
  } else if (type == "text/html" || type == "application/xhtml+xml") {
    og = media::parse_opengraph(page.body);
    if (og.contains("og:image")) {
      const auto image_url = media::resolve_url(page.url, og["og:image"].get<std::string>());
      og.erase("og:image");
      try {
        add_image(ctx, media_fetch::fetch_url(ctx, image_url, ctx.services.config.media.url_preview.max_page_bytes),
                  og);
      } catch (const MatrixError&) {
        // A page whose image cannot be fetched still has a preview, without the image.
      }
    }
  }
  return json_response(og);
}

}  // namespace

ApiResponse getUrlPreviewAuthed(RequestContext& ctx, const GetUrlPreviewAuthedRequest& req) {
  return preview(ctx, req.url);
}

ApiResponse getUrlPreview(RequestContext& ctx, const GetUrlPreviewRequest& req) { return preview(ctx, req.url); }

}  // namespace ranvier::api::client_server
