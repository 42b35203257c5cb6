"""Account data (global and per room), room tags and filters: each user reads and writes only
their own; server-managed types are refused; filters come back as uploaded."""

from harness.checks import assert_json_response, assert_matrix_error, spec

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
REGISTER = "/_matrix/client/v3/register"
USER = "/_matrix/client/v3/user"
ROOM = "!someroom:localhost"


def new_user(client, name):
    body = assert_json_response(client.post(REGISTER, json_body={
        "username": name, "password": "pw", "auth": {"type": "m.login.dummy"}}))
    return body["user_id"], body["access_token"]


@spec("client-server-api/#put_matrixclientv3useruseridaccount_datatype")
def test_global_account_data(client):
    user_id, token = new_user(client, "configured")
    assert_matrix_error(client.get(f"{USER}/{user_id}/account_data/org.example.x", token=token), 404, "M_NOT_FOUND")
    assert_json_response(client.put(f"{USER}/{user_id}/account_data/org.example.x", token=token,
                                    json_body={"theme": "dark", "n": [1, 2]}))
    assert assert_json_response(client.get(f"{USER}/{user_id}/account_data/org.example.x", token=token)) == \
        {"theme": "dark", "n": [1, 2]}
    assert_json_response(client.put(f"{USER}/{user_id}/account_data/org.example.x", token=token,
                                    json_body={"theme": "light"}))
    assert assert_json_response(client.get(f"{USER}/{user_id}/account_data/org.example.x", token=token)) == \
        {"theme": "light"}


@spec("client-server-api/#put_matrixclientv3useruseridroomsroomidaccount_datatype")
def test_room_account_data_is_separate_from_global(client):
    user_id, token = new_user(client, "roomy")
    assert_json_response(client.put(f"{USER}/{user_id}/rooms/{ROOM}/account_data/org.example.y", token=token,
                                    json_body={"room": True}))
    assert assert_json_response(client.get(f"{USER}/{user_id}/rooms/{ROOM}/account_data/org.example.y",
                                           token=token)) == {"room": True}
    assert_matrix_error(client.get(f"{USER}/{user_id}/account_data/org.example.y", token=token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.put(f"{USER}/{user_id}/rooms/not-a-room/account_data/x.y", token=token,
                                   json_body={}), 400, "M_INVALID_PARAM")


@spec("client-server-api/#put_matrixclientv3useruseridaccount_datatype")
def test_account_data_errors(client):
    user_id, token = new_user(client, "guarded")
    other_id, _ = new_user(client, "neighbour")
    assert_matrix_error(client.get(f"{USER}/{other_id}/account_data/org.example.x", token=token), 403, "M_FORBIDDEN")
    assert_matrix_error(client.put(f"{USER}/{other_id}/account_data/org.example.x", token=token, json_body={}),
                        403, "M_FORBIDDEN")
    for owned in ("m.fully_read", "m.push_rules"):
        assert_matrix_error(client.put(f"{USER}/{user_id}/account_data/{owned}", token=token, json_body={}),
                            405, "M_BAD_JSON")
    assert_matrix_error(client.put(f"{USER}/{user_id}/account_data/org.example.x", token=token,
                                   json_body=[1, 2]), 400, ("M_BAD_JSON", "M_NOT_JSON"))


@spec("client-server-api/#room-tagging")
def test_tags(client):
    user_id, token = new_user(client, "tagger")
    tags = f"{USER}/{user_id}/rooms/{ROOM}/tags"
    assert assert_json_response(client.get(tags, token=token)) == {"tags": {}}
    assert_json_response(client.put(f"{tags}/m.favourite", token=token, json_body={"order": 0.25}))
    assert_json_response(client.put(f"{tags}/u.work", token=token, json_body={}))
    assert assert_json_response(client.get(tags, token=token)) == {"tags": {"m.favourite": {"order": 0.25},
                                                                           "u.work": {}}}
    assert_json_response(client.request("DELETE", f"{tags}/u.work", token=token))
    assert assert_json_response(client.get(tags, token=token)) == {"tags": {"m.favourite": {"order": 0.25}}}
    # Tags are the room account data type m.tag.
    assert assert_json_response(client.get(f"{USER}/{user_id}/rooms/{ROOM}/account_data/m.tag", token=token)) == \
        {"tags": {"m.favourite": {"order": 0.25}}}
    assert_matrix_error(client.put(f"{tags}/m.lowpriority", token=token, json_body={"order": "high"}),
                        400, "M_BAD_JSON")


@spec("client-server-api/#post_matrixclientv3useruseridfilter")
def test_filters(client):
    user_id, token = new_user(client, "filterer")
    other_id, other_token = new_user(client, "peeker")
    definition = {"room": {"timeline": {"limit": 10, "types": ["m.room.message"]}}, "event_fields": ["type"]}
    filter_id = assert_json_response(client.post(f"{USER}/{user_id}/filter", token=token,
                                                 json_body=definition))["filter_id"]
    assert isinstance(filter_id, str) and filter_id and not filter_id.startswith("{")
    assert assert_json_response(client.get(f"{USER}/{user_id}/filter/{filter_id}", token=token)) == definition
    assert_matrix_error(client.get(f"{USER}/{user_id}/filter/{filter_id}", token=other_token), 403, "M_FORBIDDEN")
    assert_matrix_error(client.get(f"{USER}/{other_id}/filter/{filter_id}", token=other_token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(f"{USER}/{user_id}/filter/12345678", token=token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.post(f"{USER}/{user_id}/filter", token=token,
                                    json_body={"room": {"timeline": {"limit": "ten"}}}), 400, "M_BAD_JSON")
