"""Profiles: reading a user's profile and fields, setting and deleting fields (only one's
own), the 64 KiB and 255-byte limits, and the display name a new account starts with."""

from harness.checks import assert_json_response, assert_matrix_error, spec

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
REGISTER = "/_matrix/client/v3/register"
PROFILE = "/_matrix/client/v3/profile"


def new_user(client, name):
    body = assert_json_response(client.post(REGISTER, json_body={
        "username": name, "password": "pw", "auth": {"type": "m.login.dummy"}}))
    return body["user_id"], body["access_token"]


@spec("client-server-api/#get_matrixclientv3profileuserid")
def test_new_account_has_its_localpart_as_display_name(client):
    user_id, _ = new_user(client, "fresh")
    assert assert_json_response(client.get(f"{PROFILE}/{user_id}")) == {"displayname": "fresh"}
    assert assert_json_response(client.get(f"{PROFILE}/{user_id}/displayname")) == {"displayname": "fresh"}


@spec("client-server-api/#put_matrixclientv3profileuseridkeyname")
def test_set_get_and_delete_fields(client):
    user_id, token = new_user(client, "profiled")
    assert_json_response(client.put(f"{PROFILE}/{user_id}/displayname", token=token,
                                    json_body={"displayname": "Juliet Capulet"}))
    assert_json_response(client.put(f"{PROFILE}/{user_id}/avatar_url", token=token,
                                    json_body={"avatar_url": "mxc://example.org/abc"}))
    assert_json_response(client.put(f"{PROFILE}/{user_id}/m.tz", token=token,
                                    json_body={"m.tz": "Europe/Rome"}))
    assert_json_response(client.put(f"{PROFILE}/{user_id}/org.example.pronouns", token=token,
                                    json_body={"org.example.pronouns": {"en": ["she", "her"]}}))
    profile = assert_json_response(client.get(f"{PROFILE}/{user_id}"))
    assert profile == {"displayname": "Juliet Capulet", "avatar_url": "mxc://example.org/abc",
                       "m.tz": "Europe/Rome", "org.example.pronouns": {"en": ["she", "her"]}}
    assert_json_response(client.request("DELETE", f"{PROFILE}/{user_id}/m.tz", token=token))
    assert_matrix_error(client.get(f"{PROFILE}/{user_id}/m.tz"), 404, "M_NOT_FOUND")
    assert "m.tz" not in assert_json_response(client.get(f"{PROFILE}/{user_id}"))


@spec("client-server-api/#put_matrixclientv3profileuseridkeyname")
def test_bad_profile_writes(client):
    user_id, token = new_user(client, "careful")
    other_id, _ = new_user(client, "bystander")
    assert_matrix_error(client.put(f"{PROFILE}/{other_id}/displayname", token=token,
                                   json_body={"displayname": "mine now"}), 403, "M_FORBIDDEN")
    assert_matrix_error(client.put(f"{PROFILE}/{user_id}/displayname",
                                   json_body={"displayname": "x"}), 401, "M_MISSING_TOKEN")
    assert_matrix_error(client.put(f"{PROFILE}/{user_id}/displayname", token=token,
                                   json_body={"avatar_url": "mxc://a/b"}), 400, "M_MISSING_PARAM")
    assert_matrix_error(client.put(f"{PROFILE}/{user_id}/displayname", token=token,
                                   json_body={"displayname": 42}), 400, "M_BAD_JSON")
    assert_matrix_error(client.put(f"{PROFILE}/{user_id}/avatar_url", token=token,
                                   json_body={"avatar_url": "https://example.org/a.png"}), 400, "M_BAD_JSON")
    assert_matrix_error(client.put(f"{PROFILE}/{user_id}/NotNamespaced", token=token,
                                   json_body={"NotNamespaced": 1}), 400, "M_INVALID_PARAM")
    long_key = "org.example." + "k" * 250
    assert_matrix_error(client.put(f"{PROFILE}/{user_id}/{long_key}", token=token,
                                   json_body={long_key: 1}), 400, "M_KEY_TOO_LARGE")
    assert_json_response(client.put(f"{PROFILE}/{user_id}/org.example.big", token=token,
                                    json_body={"org.example.big": "x" * 40000}))
    too_big = client.put(f"{PROFILE}/{user_id}/org.example.bigger", token=token,
                         json_body={"org.example.bigger": "y" * 40000})
    assert_matrix_error(too_big, 400, "M_PROFILE_TOO_LARGE")
    profile = assert_json_response(client.get(f"{PROFILE}/{user_id}"))
    assert "org.example.bigger" not in profile and profile["displayname"] == "careful"


@spec("client-server-api/#get_matrixclientv3profileuserid")
def test_unknown_users_have_no_profile(client):
    assert_matrix_error(client.get(f"{PROFILE}/@nobody:localhost"), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(f"{PROFILE}/not-a-user-id"), 400, "M_INVALID_PARAM")


@spec("client-server-api/#get_matrixclientv3capabilities")
def test_capabilities_allow_profile_changes(client):
    _, token = new_user(client, "capable_profile")
    caps = assert_json_response(client.get("/_matrix/client/v3/capabilities", token=token))["capabilities"]
    assert caps["m.set_displayname"]["enabled"] is True
    assert caps["m.set_avatar_url"]["enabled"] is True
