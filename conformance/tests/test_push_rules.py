"""Push rules API: the default ruleset, creating, ordering, enabling and deleting user rules,
changing actions, the errors for unknown kinds and rules, and delivery of the ruleset to
clients as `m.push_rules` account data in /sync."""

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.rooms import new_user, path, sync, user_fixture

CONFIG_OVERRIDES = {"rate_limits": {"enabled": False}}

alice = user_fixture("alice")


def rule_ids(rules: dict, kind: str) -> list[str]:
    return [r["rule_id"] for r in rules["global"][kind]]


@spec("client-server-api/#get_matrixclientv3pushrules")
def test_defaults(client, alice):
    _, token = alice
    rules = assert_json_response(client.get(path("pushrules", ""), token=token))
    assert set(rules["global"]) >= {"override", "content", "room", "sender", "underride"}
    assert rule_ids(rules, "override")[0] == ".m.rule.master"
    master = rules["global"]["override"][0]
    assert master["default"] is True and master["enabled"] is False
    assert ".m.rule.message" in rule_ids(rules, "underride")
    assert assert_json_response(client.get(path("pushrules", "global", ""), token=token)) == rules["global"]
    assert_matrix_error(client.get(path("pushrules", "")), 401, "M_MISSING_TOKEN")


@spec("client-server-api/#put_matrixclientv3pushrulesglobalkindruleid")
def test_user_rules_in_order(client):
    _, token = new_user(client, "orderly")
    put = lambda rule_id, body, **q: client.put(path("pushrules", "global", "content", rule_id, query=q or None),
                                                token=token, json_body=body)
    assert assert_json_response(put("cake", {"pattern": "cake*", "actions": ["notify"]})) == {}
    assert_json_response(put("pie", {"pattern": "pie", "actions": ["notify"]}))
    assert_json_response(put("tart", {"pattern": "tart", "actions": []}, after="pie"))
    rules = assert_json_response(client.get(path("pushrules", ""), token=token))
    # A new rule goes first unless placed; `after` places it behind its anchor.
    assert rule_ids(rules, "content")[:3] == ["pie", "tart", "cake"]
    cake = assert_json_response(client.get(path("pushrules", "global", "content", "cake"), token=token))
    assert cake == {"rule_id": "cake", "pattern": "cake*", "actions": ["notify"], "enabled": True,
                    "default": False}
    assert_matrix_error(put("bad", {"actions": ["notify"]}), 400, ("M_BAD_JSON", "M_INVALID_PARAM"))
    assert_matrix_error(put("bad", {"pattern": "x", "actions": ["notify"]}, before="nothing"), 404, "M_NOT_FOUND")
    assert_matrix_error(client.put(path("pushrules", "global", "sideways", "x"), token=token,
                                   json_body={"actions": []}), 400, "M_INVALID_PARAM")


@spec("client-server-api/#put_matrixclientv3pushrulesglobalkindruleidenabled")
def test_enable_actions_and_delete(client):
    _, token = new_user(client, "switcher")
    base = ("pushrules", "global", "override", ".m.rule.master")
    assert assert_json_response(client.get(path(*base, "enabled"), token=token)) == {"enabled": False}
    assert_json_response(client.put(path(*base, "enabled"), token=token, json_body={"enabled": True}))
    assert assert_json_response(client.get(path(*base, "enabled"), token=token)) == {"enabled": True}
    room_rule = ("pushrules", "global", "underride", ".m.rule.message")
    assert_json_response(client.put(path(*room_rule, "actions"), token=token, json_body={"actions": []}))
    assert assert_json_response(client.get(path(*room_rule, "actions"), token=token)) == {"actions": []}
    # Default rules cannot be deleted; user rules can, once.
    assert_matrix_error(client.request("DELETE", path(*room_rule), token=token), 400, "M_INVALID_PARAM")
    assert_json_response(client.put(path("pushrules", "global", "content", "mine"), token=token,
                                    json_body={"pattern": "mine", "actions": ["notify"]}))
    assert assert_json_response(client.request("DELETE", path("pushrules", "global", "content", "mine"),
                                               token=token)) == {}
    assert_matrix_error(client.request("DELETE", path("pushrules", "global", "content", "mine"), token=token),
                        404, "M_NOT_FOUND")
    assert_matrix_error(client.get(path("pushrules", "global", "content", "mine"), token=token), 404, "M_NOT_FOUND")


@spec("client-server-api/#push-rules-api")
def test_changes_reach_sync_as_account_data(client):
    user_id, token = new_user(client, "synced")
    since = sync(client, token)["next_batch"]
    assert_json_response(client.put(path("pushrules", "global", "content", "news"), token=token,
                                    json_body={"pattern": "news", "actions": ["notify"]}))
    body = sync(client, token, since=since)
    pushed = [e for e in body["account_data"]["events"] if e["type"] == "m.push_rules"]
    assert len(pushed) == 1
    assert "news" in [r["rule_id"] for r in pushed[0]["content"]["global"]["content"]]
    # Clients cannot write it as ordinary account data.
    assert_matrix_error(client.put(path("user", user_id, "account_data", "m.push_rules"), token=token,
                                   json_body={"global": {}}), 405, "M_BAD_JSON")
