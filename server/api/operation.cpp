#include "api/operation.hpp"

namespace ranvier::api {

std::string_view api_family_name(ApiFamily api) {
  switch (api) {
    case ApiFamily::client_server:
      return "client-server";
    case ApiFamily::server_server:
      return "server-server";
    case ApiFamily::application_service:
      return "application-service";
    case ApiFamily::push_gateway:
      return "push-gateway";
    case ApiFamily::identity:
      return "identity";
  }
  return "unknown";
}

}  // namespace ranvier::api
