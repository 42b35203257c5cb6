"""Device management: listing, renaming and deleting a user's devices. Deletion needs the
password again through user-interactive auth and revokes the device's access tokens."""

from harness.checks import assert_json_response, assert_matrix_error, spec

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}
REGISTER = "/_matrix/client/v3/register"
LOGIN = "/_matrix/client/v3/login"
WHOAMI = "/_matrix/client/v3/account/whoami"
DEVICES = "/_matrix/client/v3/devices"
DELETE_DEVICES = "/_matrix/client/v3/delete_devices"
PASSWORD = "device pw"


def new_user(client, name):
    body = assert_json_response(client.post(REGISTER, json_body={
        "username": name, "password": PASSWORD, "auth": {"type": "m.login.dummy"},
        "initial_device_display_name": "first phone"}))
    return body["user_id"], body["access_token"], body["device_id"]


def login(client, name, device_id=None, display_name=None):
    body = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": name},
            "password": PASSWORD}
    if device_id:
        body["device_id"] = device_id
    if display_name:
        body["initial_device_display_name"] = display_name
    return assert_json_response(client.post(LOGIN, json_body=body))


def password_auth(user_id):
    return {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user_id},
            "password": PASSWORD}


@spec("client-server-api/#get_matrixclientv3devices")
def test_list_and_get_devices(client):
    _, token, first = new_user(client, "lister")
    second = login(client, "lister", display_name="laptop")["device_id"]
    devices = assert_json_response(client.get(DEVICES, token=token))["devices"]
    by_id = {d["device_id"]: d for d in devices}
    assert set(by_id) == {first, second}
    assert by_id[first]["display_name"] == "first phone"
    assert by_id[second]["display_name"] == "laptop"
    assert isinstance(by_id[second]["last_seen_ts"], int)
    one = assert_json_response(client.get(f"{DEVICES}/{second}", token=token))
    assert one["device_id"] == second
    assert_matrix_error(client.get(f"{DEVICES}/NOSUCHDEVICE", token=token), 404, "M_NOT_FOUND")


@spec("client-server-api/#get_matrixclientv3devicesdeviceid")
def test_devices_of_other_users_are_invisible(client):
    _, token_a, _ = new_user(client, "owner_a")
    _, _, device_b = new_user(client, "owner_b")
    assert_matrix_error(client.get(f"{DEVICES}/{device_b}", token=token_a), 404, "M_NOT_FOUND")


@spec("client-server-api/#put_matrixclientv3devicesdeviceid")
def test_rename_device(client):
    _, token, device = new_user(client, "renamer")
    assert_json_response(client.put(f"{DEVICES}/{device}", token=token, json_body={"display_name": "tablet"}))
    assert assert_json_response(client.get(f"{DEVICES}/{device}", token=token))["display_name"] == "tablet"
    assert_json_response(client.put(f"{DEVICES}/{device}", token=token, json_body={}))  # unchanged
    assert assert_json_response(client.get(f"{DEVICES}/{device}", token=token))["display_name"] == "tablet"
    assert_matrix_error(client.put(f"{DEVICES}/NOSUCHDEVICE", token=token, json_body={"display_name": "x"}),
                        404, "M_NOT_FOUND")
    assert_matrix_error(client.put(f"{DEVICES}/{device}", token=token, json_body={"display_name": 5}),
                        400, "M_BAD_JSON")


@spec("client-server-api/#delete_matrixclientv3devicesdeviceid")
def test_delete_device_needs_uia_and_revokes_its_tokens(client):
    user_id, token, _ = new_user(client, "deleter")
    other = login(client, "deleter")
    challenge = client.request("DELETE", f"{DEVICES}/{other['device_id']}", token=token, json_body={})
    assert challenge.status == 401, challenge
    assert_json_response(client.get(WHOAMI, token=other["access_token"]))  # not deleted yet
    assert_json_response(client.request("DELETE", f"{DEVICES}/{other['device_id']}", token=token,
                                        json_body={"auth": password_auth(user_id)}))
    assert_matrix_error(client.get(WHOAMI, token=other["access_token"]), 401, "M_UNKNOWN_TOKEN")
    assert_json_response(client.get(WHOAMI, token=token))


@spec("client-server-api/#post_matrixclientv3delete_devices")
def test_delete_several_devices(client):
    user_id, token, first = new_user(client, "bulk_deleter")
    a = login(client, "bulk_deleter")
    b = login(client, "bulk_deleter")
    assert client.post(DELETE_DEVICES, token=token, json_body={"devices": [a["device_id"]]}).status == 401
    assert_json_response(client.post(DELETE_DEVICES, token=token, json_body={
        "devices": [a["device_id"], b["device_id"], "UNKNOWN"], "auth": password_auth(user_id)}))
    remaining = assert_json_response(client.get(DEVICES, token=token))["devices"]
    assert [d["device_id"] for d in remaining] == [first]
