// Validation of requests by the generated parsers, on real operations from spec/.
// A few handlers are defined here (strong definitions override the table's weak references),
// so the invokers run; each records what it was given.

#include "api/coverage.hpp"
#include "api/errors.hpp"
#include "api/handlers.hpp"
#include "api/operation.hpp"
#include "api/services.hpp"
#include "api/validation.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

namespace ranvier::api {
namespace {

// What the last handler call saw.
std::string last_handler;
nlohmann::json last_seen;

ApiResponse record(std::string name, nlohmann::json seen) {
  last_handler = std::move(name);
  last_seen = std::move(seen);
  return ApiResponse{200, "application/json", "{}", {}};
}

}  // namespace

namespace client_server {

ApiResponse createRoom(RequestContext&, const CreateRoomRequest& req) {
  return record("createRoom", {{"visibility", req.visibility.value_or("")},
                               {"is_direct", req.is_direct.value_or(false)},
                               {"invite", req.invite.value_or(nlohmann::json())}});
}

ApiResponse getPublicRooms(RequestContext&, const GetPublicRoomsRequest& req) {
  return record("getPublicRooms", {{"limit", req.limit.value_or(-1)}, {"server", req.server.value_or("")}});
}

ApiResponse getRoomEvents(RequestContext&, const GetRoomEventsRequest& req) {
  return record("getRoomEvents", {{"room_id", req.room_id}, {"dir", req.dir}});
}

ApiResponse inviteUser(RequestContext&, const InviteUserRequest& req) {
  return record("inviteUser", {{"room_id", req.room_id}, {"user_id", req.user_id}});
}

ApiResponse register_(RequestContext&, const RegisterRequest& req) {
  return record("register", {{"kind", req.kind}});
}

}  // namespace client_server

namespace {

const Operation& find_op(ApiFamily api, std::string_view operation_id) {
  for (const auto& op : operations()) {
    if (op.api == api && op.operation_id == operation_id) {
      return op;
    }
  }
  throw std::runtime_error("no operation " + std::string(operation_id));
}

// Handlers in this test never touch services, so the context refers to raw storage rather than
// depending on how Services is composed (it only holds references).
Services& no_services() {
  alignas(Services) static unsigned char storage[sizeof(Services)];
  return *reinterpret_cast<Services*>(storage);
}

struct Call {
  std::string body = {};
  std::vector<std::string> path_params = {};
  std::vector<std::pair<std::string, std::string>> query = {};
};

// Invokes an operation; returns "" on success or the errcode thrown.
std::string invoke(std::string_view operation_id, const Call& call,
                   ApiFamily api = ApiFamily::client_server) {
  const Operation& op = find_op(api, operation_id);
  ApiRequest request;
  request.method = std::string(op.method);
  request.path = std::string(op.path);
  request.body = call.body;
  RequestContext ctx{request, op, no_services(), call.path_params, call.query, std::nullopt, std::nullopt};
  last_handler.clear();
  try {
    op.invoke(ctx);
    return "";
  } catch (const MatrixError& e) {
    EXPECT_TRUE(last_handler.empty()) << "handler ran before the error";
    return std::string(errcode_string(e.code()));
  }
}

TEST(GeneratedTable, HasEveryOperationOnce) {
  std::map<ApiFamily, int> per_api;
  std::set<std::pair<ApiFamily, std::string_view>> ids;
  for (const auto& op : operations()) {
    ++per_api[op.api];
    EXPECT_TRUE(ids.emplace(op.api, op.operation_id).second) << op.operation_id;
    EXPECT_TRUE(op.path.starts_with("/")) << op.path;
    EXPECT_NE(op.invoke, nullptr);
  }
  EXPECT_EQ(operations().size(), 235U);
  EXPECT_EQ(per_api[ApiFamily::client_server], 166);
  EXPECT_EQ(per_api[ApiFamily::server_server], 36);
  EXPECT_EQ(per_api[ApiFamily::application_service], 9);
  EXPECT_EQ(per_api[ApiFamily::push_gateway], 1);
  EXPECT_EQ(per_api[ApiFamily::identity], 23);
}

TEST(GeneratedTable, CarriesSpecMetadata) {
  const auto& versions = find_op(ApiFamily::client_server, "getVersions");
  EXPECT_EQ(versions.method, "GET");
  EXPECT_EQ(versions.path, "/_matrix/client/versions");
  EXPECT_EQ(versions.auth, AuthRequirement::optional);
  EXPECT_EQ(versions.spec_file, "client-server/versions.yaml");
  const auto& ts = find_op(ApiFamily::server_server, "getEventByTimestamp");
  EXPECT_EQ(ts.scheme, AuthScheme::signed_request);  // the spec's `accessToken` quirk
  const auto& invite = find_op(ApiFamily::client_server, "inviteUser");
  EXPECT_TRUE(invite.rate_limited);
  EXPECT_EQ(find_op(ApiFamily::application_service, "ping").scheme, AuthScheme::homeserver_token);
  EXPECT_TRUE(find_op(ApiFamily::client_server, "getEvents").deprecated);
}

TEST(GeneratedTable, HasHandlerFollowsLinkedFunctions) {
  EXPECT_TRUE(find_op(ApiFamily::client_server, "createRoom").has_handler());
  EXPECT_FALSE(find_op(ApiFamily::client_server, "getVersions").has_handler());
  // inviteUser and inviteBy3PID share one route: the route is served if either is linked.
  EXPECT_TRUE(find_op(ApiFamily::client_server, "inviteBy3PID").has_handler());
}

TEST(BodyValidation, AcceptsValidBodyAndFillsFields) {
  EXPECT_EQ(invoke("createRoom", {R"({"visibility":"public","is_direct":true,"invite":["@a:example.org"]})"}), "");
  EXPECT_EQ(last_handler, "createRoom");
  EXPECT_EQ(last_seen["visibility"], "public");
  EXPECT_EQ(last_seen["is_direct"], true);
  EXPECT_EQ(last_seen["invite"][0], "@a:example.org");
}

TEST(BodyValidation, WrongTypeIsBadJson) {
  EXPECT_EQ(invoke("createRoom", {R"({"visibility":3})"}), "M_BAD_JSON");
  EXPECT_EQ(invoke("createRoom", {R"({"is_direct":"yes"})"}), "M_BAD_JSON");
  EXPECT_EQ(invoke("createRoom", {R"({"initial_state":{"type":"m.room.name"}})"}), "M_BAD_JSON");
}

TEST(BodyValidation, BadEnumIsBadJson) {
  EXPECT_EQ(invoke("createRoom", {R"({"preset":"party"})"}), "M_BAD_JSON");
}

TEST(BodyValidation, NestedRequiredAndFormatsAreChecked) {
  // initial_state items require `type` and `content`.
  EXPECT_EQ(invoke("createRoom", {R"({"initial_state":[{"type":"m.room.name"}]})"}), "M_BAD_JSON");
  EXPECT_EQ(invoke("createRoom", {R"({"initial_state":[{"type":"m.room.name","content":{}}]})"}), "");
  // invite items are user IDs.
  EXPECT_EQ(invoke("createRoom", {R"({"invite":["not-a-user"]})"}), "M_BAD_JSON");
}

TEST(BodyValidation, MissingRequiredFieldIsBadJson) {
  EXPECT_EQ(invoke("inviteUser", {R"({"reason":"hi"})", {"!room:example.org"}}), "M_BAD_JSON");
  EXPECT_EQ(invoke("inviteUser", {R"({"user_id":"@bob:example.org"})", {"!room:example.org"}}), "");
  EXPECT_EQ(last_seen["user_id"], "@bob:example.org");
}

TEST(BodyValidation, NotJsonOrWrongTopLevelTypeIsNotJson) {
  EXPECT_EQ(invoke("createRoom", {"not json"}), "M_NOT_JSON");
  EXPECT_EQ(invoke("createRoom", {"[1,2]"}), "M_NOT_JSON");
  EXPECT_EQ(invoke("createRoom", {""}), "M_NOT_JSON");  // createRoom's body is required
  EXPECT_EQ(invoke("createRoom", {"{\"name\":\"\xff\"}"}), "M_NOT_JSON");
  EXPECT_EQ(invoke("createRoom", {R"({"name":"\ud800"})"}), "M_NOT_JSON");
}

TEST(BodyValidation, DuplicateKeyIsBadJson) {
  EXPECT_EQ(invoke("createRoom", {R"({"name":"a","name":"b"})"}), "M_BAD_JSON");
  EXPECT_EQ(invoke("createRoom", {R"({"creation_content":{"x":1,"x":2}})"}), "M_BAD_JSON");
}

TEST(QueryValidation, BadIntegerIsInvalidParam) {
  EXPECT_EQ(invoke("getPublicRooms", {"", {}, {{"limit", "abc"}}}), "M_INVALID_PARAM");
  EXPECT_EQ(invoke("getPublicRooms", {"", {}, {{"limit", "10x"}}}), "M_INVALID_PARAM");
  EXPECT_EQ(invoke("getPublicRooms", {"", {}, {{"limit", "10"}, {"server", "example.org"}}}), "");
  EXPECT_EQ(last_seen["limit"], 10);
  EXPECT_EQ(last_seen["server"], "example.org");
}

TEST(QueryValidation, BadFormatIsInvalidParam) {
  EXPECT_EQ(invoke("getPublicRooms", {"", {}, {{"server", "bad server"}}}), "M_INVALID_PARAM");
}

TEST(QueryValidation, MissingRequiredIsMissingParamAndBadEnumInvalid) {
  EXPECT_EQ(invoke("getRoomEvents", {"", {"!room:example.org"}, {}}), "M_MISSING_PARAM");
  EXPECT_EQ(invoke("getRoomEvents", {"", {"!room:example.org"}, {{"dir", "x"}}}), "M_INVALID_PARAM");
  EXPECT_EQ(invoke("getRoomEvents", {"", {"!room:example.org"}, {{"dir", "b"}}}), "");
  EXPECT_EQ(last_seen["dir"], "b");
}

TEST(QueryValidation, DefaultsApply) {
  EXPECT_EQ(invoke("register", {"{}"}), "");
  EXPECT_EQ(last_seen["kind"], "user");
  EXPECT_EQ(invoke("register", {"{}", {}, {{"kind", "admin"}}}), "M_INVALID_PARAM");
}

TEST(PathValidation, MalformedIdentifierIsInvalidParam) {
  EXPECT_EQ(invoke("getRoomEvents", {"", {"room"}, {{"dir", "b"}}}), "M_INVALID_PARAM");
  EXPECT_EQ(invoke("getRoomEvents", {"", {"!room:exa\xffmple.org"}, {{"dir", "b"}}}), "M_INVALID_PARAM");
}

TEST(PathValidation, PatternIsChecked) {
  using namespace validation;
  EXPECT_TRUE(matches_pattern("m.tz", R"(^(avatar_url|displayname|m\.tz|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$)"));
  EXPECT_FALSE(matches_pattern("Bad Key", R"(^(avatar_url|displayname|m\.tz|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$)"));
  EXPECT_TRUE(matches_pattern("@a:b", "^@"));
  EXPECT_FALSE(matches_pattern("a:b", "^@"));
  EXPECT_TRUE(matches_pattern("$e", "^\\$"));        // escaped literal prefix
  EXPECT_FALSE(matches_pattern("e$", "^\\$"));
  EXPECT_TRUE(matches_pattern("mxc://a/b", "^mxc:\\/\\/"));
  EXPECT_TRUE(matches_pattern("anything", ""));       // empty pattern: every key
  EXPECT_TRUE(matches_pattern("x", "(unclosed"));     // uncompilable: not enforced
}

TEST(SharedRoute, PicksTheLinkedOperationByShape) {
  const auto& by3pid = find_op(ApiFamily::client_server, "inviteBy3PID");
  ApiRequest request;
  request.body = R"({"user_id":"@carol:example.org"})";
  std::vector<std::string> path{"!room:example.org"};
  RequestContext ctx{request, by3pid, no_services(), path, {}, std::nullopt, std::nullopt};
  by3pid.invoke(ctx);
  EXPECT_EQ(last_handler, "inviteUser");
  // A third-party invite shape cannot reach inviteUser; inviteBy3PID has no handler here.
  request.body = R"({"id_server":"id.example.org","id_access_token":"t","medium":"email","address":"a@b"})";
  last_handler.clear();
  EXPECT_THROW(by3pid.invoke(ctx), MatrixError);
  EXPECT_TRUE(last_handler.empty());
}

TEST(Coverage, CountsLinkedHandlersPerOperation) {
  const std::string report = coverage_report();
  EXPECT_NE(report.find("client-server 5/166\n"), std::string::npos) << report;
  EXPECT_NE(report.find("  client-server/create_room.yaml 1/1\n"), std::string::npos) << report;
  EXPECT_NE(report.find("  client-server/third_party_membership.yaml 0/1\n"), std::string::npos) << report;
  EXPECT_NE(report.find("\ncoverage: client-server=5/166 server-server=0/36 application-service=0/9 "
                        "push-gateway=0/1 identity=0/23 total=5/235\n"),
            std::string::npos)
      << report;
}

TEST(BodySchemaRules, AdditionalAndPatternProperties) {
  validation::BodySchema schema(
      R"({"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false,)"
      R"("patternProperties":{"^@":{"key_format":"mx-user-id","type":"string"}}})");
  EXPECT_FALSE(schema.violation(nlohmann::json::parse(R"({"a":1,"@u:example.org":"x"})")));
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"b":1})")));                 // not allowed
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"@bad":"x"})")));            // key format
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"@u:example.org":1})")));    // value type
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"a":9223372036854775808})")));  // > int64
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"a":1.5})")));
}

TEST(BodySchemaRules, OneOfRangesAndLengths) {
  validation::BodySchema schema(
      R"({"type":"object","properties":{)"
      R"("id":{"oneOf":[{"type":"string","format":"mx-room-id"},{"type":"string","format":"mx-room-alias"}]},)"
      R"("n":{"type":"integer","minimum":1,"maximum":3},"s":{"type":"string","maxLength":2},)"
      R"("l":{"type":"array","minItems":1,"items":{"type":["string","null"]}}}})");
  EXPECT_FALSE(schema.violation(nlohmann::json::parse(R"({"id":"#a:b.c","n":3,"s":"éé","l":[null,"x"]})")));
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"id":"@a:b.c"})")));
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"n":0})")));
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"s":"abc"})")));
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"l":[]})")));
  EXPECT_TRUE(schema.violation(nlohmann::json::parse(R"({"l":[1]})")));
  const auto message = schema.violation(nlohmann::json::parse(R"({"l":["x",2]})"));
  ASSERT_TRUE(message);
  EXPECT_EQ(*message, "l[1]: expected string or null");
}

// The spec's own whole-body request examples (spec/request-examples.json, written by
// tools/spec_import.py) must pass validation: the generated checks may not be stricter than
// the spec's examples.
TEST(SpecExamples, EveryRequestExampleValidates) {
  std::ifstream in(RANVIER_SOURCE_DIR "/spec/request-examples.json");
  ASSERT_TRUE(in) << "spec/request-examples.json missing";
  const auto examples = nlohmann::json::parse(in);
  int checked = 0;
  for (auto api : {ApiFamily::client_server, ApiFamily::server_server, ApiFamily::application_service,
                   ApiFamily::push_gateway, ApiFamily::identity}) {
    for (const auto& [operation_id, example] : examples.at(std::string(api_family_name(api))).items()) {
      const auto* schema = validation::body_schema(api, operation_id);
      ASSERT_NE(schema, nullptr) << operation_id;
      const auto violation = schema->violation(example);
      EXPECT_FALSE(violation) << api_family_name(api) << " " << operation_id << ": " << *violation;
      ++checked;
    }
  }
  EXPECT_GE(checked, 50);
  EXPECT_EQ(validation::body_schema(ApiFamily::client_server, "getVersions"), nullptr);
}

TEST(Formats, IdentifierMasks) {
  using namespace validation;
  EXPECT_TRUE(has_format("!r:example.org", format::room_id | format::room_alias));
  EXPECT_TRUE(has_format("#a:example.org", format::room_id | format::room_alias));
  EXPECT_FALSE(has_format("@u:example.org", format::room_id | format::room_alias));
  EXPECT_TRUE(has_format("mxc://example.org/abc_DEF-1", format::mxc_uri));
  EXPECT_FALSE(has_format("mxc://example.org/", format::mxc_uri));
  EXPECT_TRUE(has_format("anything", format::none));
  EXPECT_EQ(format_from_name("mx-event-id"), format::event_id);
  EXPECT_EQ(format_from_name("uri"), format::none);
}

}  // namespace
}  // namespace ranvier::api
