#!/usr/bin/env python3
"""Checks tools/spec_import.py against ../shared/matrix-spec/endpoints.tsv, an independent
extraction of every operation, and checks that the committed spec/ is current.
Run: python3 tools/test_spec_import.py   (skipped when ../shared/matrix-spec is absent)
"""

import csv
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec_import  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT.parent / "shared" / "matrix-spec"
AUTH_WORDS = {"none": "no", "required": "yes", "optional": "optional"}


@unittest.skipUnless((SPEC_DIR / "endpoints.tsv").exists(), "needs ../shared/matrix-spec")
class AgreesWithEndpointsTsv(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        files = spec_import.import_all(SPEC_DIR)
        cls.ops = [op for api in spec_import.APIS for op in json.loads(files[api + ".json"])["operations"]]
        with open(SPEC_DIR / "endpoints.tsv", encoding="utf-8", newline="") as f:
            cls.rows = list(csv.DictReader(f, delimiter="\t"))

    def key(self, api, method, path, operation_id):
        return (api, method, path, operation_id)

    def test_same_operations(self):
        imported = sorted(self.key(o["api"], o["method"], o["path"], o["operationId"]) for o in self.ops)
        listed = sorted(self.key(r["api"], r["method"], r["path"], r["operationId"]) for r in self.rows)
        self.assertEqual(len(listed), 235)
        self.assertEqual(imported, listed)

    def test_same_attributes(self):
        by_key = {self.key(o["api"], o["method"], o["path"], o["operationId"]): o for o in self.ops}
        for row in self.rows:
            op = by_key[self.key(row["api"], row["method"], row["path"], row["operationId"])]
            if (row["api"], row["operationId"]) in spec_import.OPERATION_AUTH_QUIRKS:
                continue
            with self.subTest(operation=row["operationId"], api=row["api"]):
                self.assertEqual(AUTH_WORDS[op["auth"]], row["requires_auth"])
                self.assertEqual("yes" if op["rate_limited"] else "no", row["rate_limited"])
                self.assertEqual("yes" if op["deprecated"] else "no", row["deprecated"])
                self.assertEqual("data/api/" + op["file"], row["file"])
                listed = [] if row["auth_schemes"] == "-" else row["auth_schemes"].split("|")
                listed = [spec_import.SCHEME_QUIRKS.get((row["api"], s), s) for s in listed]
                self.assertEqual(op["auth_schemes"], listed)

    def test_timestamp_to_event_quirk_is_signed(self):
        op = next(o for o in self.ops
                  if o["api"] == "server-server" and o["operationId"] == "getEventByTimestamp")
        self.assertEqual(op["auth_schemes"], ["signedRequest"])

    def test_room_summary_quirk_takes_an_optional_access_token(self):
        op = next(o for o in self.ops
                  if o["api"] == "client-server" and o["operationId"] == "getRoomSummary")
        self.assertEqual((op["auth"], op["auth_schemes"]), ("optional", ["accessTokenQuery", "accessTokenBearer"]))

    def test_trailing_space_pairs_share_routes(self):
        shared = {o["operationId"]: o["shares_route_with"] for o in self.ops if o["shares_route_with"]}
        self.assertEqual(shared, {"inviteUser": ["inviteBy3PID"], "inviteBy3PID": ["inviteUser"],
                                  "getEvents": ["peekEvents"], "peekEvents": ["getEvents"]})
        self.assertFalse([o for o in self.ops if o["path"] != o["path"].strip()])

    def test_no_prose(self):
        text = json.dumps(self.ops)
        for word in ('"description"', '"example"', '"examples"', '"title"', '"$ref"', '"allOf"'):
            self.assertNotIn(word, text)

    def test_refs_and_all_of_resolved(self):
        send = next(o for o in self.ops if o["operationId"] == "sendTransaction"
                    and o["api"] == "server-server")
        schema = send["body"]["schema"]
        self.assertEqual(schema["required"], ["origin", "origin_server_ts", "pdus"])
        self.assertEqual(schema["properties"]["pdus"]["type"], "array")

    def test_path_params_in_template_order(self):
        op = next(o for o in self.ops if o["operationId"] == "setRoomStateWithKey")
        self.assertEqual([p["name"] for p in op["path_params"]], ["roomId", "eventType", "stateKey"])

    def test_committed_spec_is_current(self):
        self.assertEqual(spec_import.main(["--spec-dir", str(SPEC_DIR), "--out", str(ROOT / "spec"),
                                           "--check"]), 0)


class ResolvesRefsAndAllOf(unittest.TestCase):
    """The importer on a small synthetic definition tree (no shared checkout needed)."""

    DOC = """
openapi: 3.1.0
info: {title: t, version: 1.0.0}
servers:
  - url: "{protocol}://{hostname}{basePath}"
    variables:
      basePath: {default: /_matrix/client/v3}
paths:
  /rooms/{roomId}/thing:
    put:
      operationId: putThing
      security: [{accessTokenBearer: []}, {}]
      parameters:
        - $ref: "#/components/parameters/roomId"
        - {in: query, name: limit, schema: {type: integer, default: 5}, description: prose}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: definitions/thing.yaml
              description: sibling keys win over the target
      responses:
        "200": {description: ok}
        "429": {$ref: "#/components/responses/rateLimited"}
  "/thing ":
    get:
      operationId: getThingAgain
      responses: {"200": {description: ok}}
  /thing:
    get:
      operationId: getThing
      deprecated: true
      responses: {"200": {description: ok}}
components:
  parameters:
    roomId: {in: path, name: roomId, required: true, schema: {type: string, format: mx-room-id}}
  responses:
    rateLimited: {description: slow down}
"""
    THING = """
title: Thing
allOf:
  - $ref: base.yaml
  - type: object
    properties:
      kind: {type: string, enum: [a, b]}
    required: [kind]
properties:
  self: {$ref: thing.yaml}
"""
    BASE = """
type: object
properties:
  name: {type: string, example: x}
  tags: {type: array, items: {type: string, format: mx-user-id}}
required: [name]
"""

    def setUp(self):
        import tempfile
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        api = root / "data" / "api" / "client-server"
        (api / "definitions").mkdir(parents=True)
        (api / "thing.yaml").write_text(self.DOC)
        (api / "definitions" / "thing.yaml").write_text(self.THING)
        (api / "definitions" / "base.yaml").write_text(self.BASE)
        for other in spec_import.APIS[1:]:
            (root / "data" / "api" / other).mkdir(parents=True)
        self.ops = json.loads(spec_import.import_all(root)["client-server.json"])["operations"]

    def tearDown(self):
        self.tmp.cleanup()

    def op(self, operation_id):
        return next(o for o in self.ops if o["operationId"] == operation_id)

    def test_operation_attributes(self):
        put = self.op("putThing")
        self.assertEqual(put["path"], "/_matrix/client/v3/rooms/{roomId}/thing")
        self.assertEqual(put["auth"], "optional")
        self.assertEqual(put["auth_schemes"], ["accessTokenBearer"])
        self.assertTrue(put["rate_limited"])
        self.assertEqual(put["path_params"], [{"format": "mx-room-id", "name": "roomId", "required": True,
                                               "type": "string"}])
        self.assertEqual(put["query_params"], [{"default": 5, "name": "limit", "required": False,
                                                "type": "integer"}])
        self.assertTrue(self.op("getThing")["deprecated"])

    def test_all_of_merges_and_recursion_stops(self):
        schema = self.op("putThing")["body"]["schema"]
        self.assertEqual(schema["required"], ["kind", "name"])
        self.assertEqual(sorted(schema["properties"]), ["kind", "name", "self", "tags"])
        self.assertEqual(schema["properties"]["tags"]["items"], {"format": "mx-user-id", "type": "string"})
        self.assertNotIn("example", json.dumps(schema))
        # thing.yaml refers to itself: the cycle becomes "anything".
        self.assertEqual(schema["properties"]["self"], {})

    def test_trailing_space_keys_merge_into_one_route(self):
        self.assertEqual(self.op("getThing")["path"], self.op("getThingAgain")["path"])
        self.assertEqual(self.op("getThing")["shares_route_with"], ["getThingAgain"])


if __name__ == "__main__":
    unittest.main()
