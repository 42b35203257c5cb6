#!/usr/bin/env python3
"""Imports the Matrix OpenAPI definitions into spec/, Ranvier's compact description of every
HTTP operation: method, full path, operationId, authentication, rate limiting, path and query
parameters and the request body schema. Prose (descriptions, examples, titles) is dropped, so
spec/ changes only when something a server must enforce changes.

Usage: tools/spec_import.py [--spec-dir ../shared/matrix-spec] [--out spec/] [--check]
With --check nothing is written: the import runs in memory and the exit status is 1 when the
committed spec/ differs (CI runs this whenever ../shared/matrix-spec exists).
"""

import argparse
import difflib
import json
import os
import sys
from pathlib import Path

import yaml

APIS = ["client-server", "server-server", "application-service", "push-gateway", "identity"]
HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"]

# Schema keywords kept verbatim (their values are data, not prose).
SCALAR_KEYWORDS = [
    "type", "format", "enum", "const", "default", "pattern",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
]

# The spec's quirk: server-server events.yaml names an undefined scheme `accessToken` for
# /timestamp_to_event; every other federation endpoint uses signedRequest (X-Matrix).
SCHEME_QUIRKS = {("server-server", "accessToken"): "signedRequest"}

# The spec's quirk: client-server room_summary.yaml names the federation scheme signedRequest
# for a client endpoint whose own description lets servers answer unauthenticated requests
# (MSC3266: an optional access token). (api, operationId) -> (requirement, schemes).
OPERATION_AUTH_QUIRKS = {
    ("client-server", "getRoomSummary"): ("optional", ["accessTokenQuery", "accessTokenBearer"]),
}


class SpecError(Exception):
    """The definitions contain something this importer does not understand."""


class Loader:
    """Loads YAML/JSON documents once and resolves `$ref`s relative to their own file."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.docs = {}

    def load(self, path: Path):
        path = path.resolve()
        if path not in self.docs:
            with open(path, encoding="utf-8") as f:
                self.docs[path] = yaml.safe_load(f)
        return self.docs[path]

    def follow(self, ref: str, base: Path):
        """Returns (target object, file it lives in, identity of the target) for a `$ref`."""
        file_part, _, pointer = ref.partition("#")
        target_file = (base.parent / file_part).resolve() if file_part else base.resolve()
        node = self.load(target_file)
        for token in [t for t in pointer.split("/") if t]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise SpecError(f"unresolvable $ref {ref} from {base}")
        return node, target_file, (str(target_file), pointer)

    def deref(self, node, base: Path, seen=()):
        """Follows `$ref` chains on one node; sibling keys override the target shallowly, as
        the spec's renderer does. Returns (object, file it must be resolved against, seen)."""
        while isinstance(node, dict) and "$ref" in node:
            target, target_file, ident = self.follow(node["$ref"], base)
            if ident in seen:
                return None, base, seen
            seen = seen + (ident,)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if siblings:
                # Sibling values belong to the referring file; keep them resolvable there by
                # wrapping each in a marker that remembers its file.
                merged = dict(target) if isinstance(target, dict) else {}
                for k, v in siblings.items():
                    merged[k] = v if isinstance(v, _Anchored) else _Anchored(v, base)
                node = merged
            else:
                node = target
            base = target_file
        return node, base, seen

    def rel(self, path: Path) -> str:
        return str(path.resolve().relative_to(self.root / "data" / "api"))


class _Anchored:
    """A value copied from a `$ref` object's siblings, still tied to the file it came from."""

    def __init__(self, value, base: Path):
        self.value = value
        self.base = base


def _unanchor(value, base):
    if isinstance(value, _Anchored):
        return value.value, value.base
    return value, base


def compact_schema(loader: Loader, node, base: Path, seen=()):
    """A JSON schema reduced to what validation needs; refs and allOf resolved."""
    node, base = _unanchor(node, base)
    node, base, seen = loader.deref(node, base, seen)
    if node is None:
        return {}  # a recursive reference: accept anything below this point
    if not isinstance(node, dict):
        raise SpecError(f"schema is not an object in {base}")
    out = {}
    parts, parts_base = _unanchor(node.get("allOf", []), base)
    for part in parts:
        merge_schema(out, compact_schema(loader, part, parts_base, seen))
    own = {}
    for key, raw in node.items():
        value, vbase = _unanchor(raw, base)
        if key in SCALAR_KEYWORDS:
            own[key] = value
        elif key == "x-pattern-format":
            own["key_format"] = value
        elif key == "required":
            own["required"] = sorted(set(value))
        elif key == "properties":
            own["properties"] = {
                name: compact_schema(loader, sub, vbase, seen) for name, sub in value.items()
            }
        elif key == "patternProperties":
            own["patternProperties"] = {
                pat: compact_schema(loader, sub, vbase, seen) for pat, sub in value.items()
            }
        elif key in ("additionalProperties", "items"):
            own[key] = value if isinstance(value, bool) else compact_schema(loader, value, vbase, seen)
        elif key in ("oneOf", "anyOf"):
            own[key] = [compact_schema(loader, sub, vbase, seen) for sub in value]
    merge_schema(out, own)
    return out


def merge_schema(into: dict, other: dict):
    """allOf semantics as the spec uses them: properties merge per name (later wins),
    required lists unite, every other keyword is overridden by the later part."""
    for key, value in other.items():
        if key == "properties":
            into.setdefault("properties", {}).update(value)
        elif key == "patternProperties":
            into.setdefault("patternProperties", {}).update(value)
        elif key == "required":
            into["required"] = sorted(set(into.get("required", [])) | set(value))
        else:
            into[key] = value


def compact_parameter(loader, param, base):
    param, pbase, _ = loader.deref(param, base)
    param = {k: _unanchor(v, pbase)[0] for k, v in param.items() if k != "schema"} | (
        {"schema": param["schema"]} if "schema" in param else {})
    out = {"name": param["name"], "required": bool(param.get("required", False))}
    schema = compact_schema(loader, param.get("schema", {}), pbase)
    out.update(schema)
    return param["in"], out


def auth_of(api, op):
    """(requirement, schemes) from an operation's `security` list of alternatives."""
    quirk = OPERATION_AUTH_QUIRKS.get((api, op.get("operationId")))
    if quirk:
        return quirk[0], list(quirk[1])
    security = op.get("security")
    if not security:
        return "none", []
    schemes = []
    optional = False
    for alternative in security:
        if not alternative:
            optional = True
        for name in alternative:
            name = SCHEME_QUIRKS.get((api, name), name)
            if name not in schemes:
                schemes.append(name)
    return ("optional" if optional else "required"), schemes


def import_operation(loader, api, doc_path, base_path, path_key, method, op, path_level_params):
    full_path = base_path + path_key.rstrip()
    auth, schemes = auth_of(api, op)
    path_params, query_params = {}, []
    for raw in list(path_level_params) + list(op.get("parameters", [])):
        where, param = compact_parameter(loader, raw, doc_path)
        if where == "path":
            path_params[param["name"]] = param
        elif where == "query":
            query_params.append(param)
    template_names = [seg[1:-1] for seg in full_path.split("/") if seg.startswith("{")]
    if sorted(template_names) != sorted(path_params):
        raise SpecError(f"path parameters of {method.upper()} {full_path} do not match its template")
    out = {
        "operationId": op["operationId"],
        "api": api,
        "method": method.upper(),
        "path": full_path,
        "file": loader.rel(doc_path),
        "auth": auth,
        "auth_schemes": schemes,
        "rate_limited": "429" in {str(k) for k in op.get("responses", {})},
        "deprecated": bool(op.get("deprecated", False)),
        "path_params": [path_params[n] for n in template_names],
        "query_params": sorted(query_params, key=lambda p: p["name"]),
        "body": None,
    }
    if "requestBody" in op:
        body, bbase, _ = loader.deref(op["requestBody"], doc_path)
        content = body.get("content", {})
        if "application/json" in content:
            schema = compact_schema(loader, content["application/json"].get("schema", {}), bbase)
            out["body"] = {"content_type": "application/json", "schema": schema}
            example = request_example(loader, content["application/json"], bbase)
            if example is not None:
                out["_example"] = example
        elif content:
            out["body"] = {"content_type": sorted(content)[0]}
        else:
            raise SpecError(f"request body without content in {doc_path}")
        out["body"]["required"] = bool(body.get("required", False))
    return out


def resolve_value(loader, node, base, seen=()):
    """An example value with every `$ref` (a Matrix extension inside examples) replaced."""
    node, base = _unanchor(node, base)
    if isinstance(node, dict) and "$ref" in node:
        node, base, seen = loader.deref(node, base, seen)
        if node is None:
            raise SpecError(f"recursive $ref in an example in {base}")
    if isinstance(node, dict):
        return {k: resolve_value(loader, v, base, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve_value(loader, v, base, seen) for v in node]
    return node


def request_example(loader, media, base):
    """The whole-body example of a JSON request: the media type's `example`, its first
    `examples` entry, or the body schema's own `example`; None when the spec gives none."""
    if "example" in media:
        return resolve_value(loader, media["example"], base)
    if media.get("examples"):
        first = next(iter(media["examples"].values()))
        first, fbase, _ = loader.deref(first, base)
        return resolve_value(loader, first.get("value"), fbase)
    schema, sbase, _ = loader.deref(media.get("schema", {}), base)
    if isinstance(schema, dict) and "example" in schema:
        return resolve_value(loader, schema["example"], sbase)
    return None


def import_api(loader: Loader, api: str):
    """Every operation of one API, sorted by path, method and operationId."""
    api_dir = loader.root / "data" / "api" / api
    operations = []
    for doc_path in sorted(api_dir.glob("*.yaml")):
        doc = loader.load(doc_path)
        if not isinstance(doc, dict) or "paths" not in doc:
            continue
        base_path = doc["servers"][0]["variables"]["basePath"]["default"]
        for path_key, item in doc["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    operations.append(import_operation(
                        loader, api, doc_path, base_path, path_key, method, item[method],
                        item.get("parameters", [])))
    operations.sort(key=lambda o: (o["path"], o["method"], o["operationId"]))
    mark_shared_routes(operations)
    examples = {o["operationId"]: o.pop("_example") for o in operations if "_example" in o}
    return ({"api": api, "source": "matrix-spec v1.19 data/api/" + api, "operations": operations},
            examples)


def mark_shared_routes(operations):
    """The spec documents two routes twice (a path key with a trailing space) with different
    operationIds and request shapes. Both stay operations; each names its route partners so
    the generator can serve the route once and pick the handler by request shape."""
    by_route = {}
    for op in operations:
        by_route.setdefault((op["method"], op["path"]), []).append(op)
    for group in by_route.values():
        for op in group:
            op["shares_route_with"] = sorted(o["operationId"] for o in group if o is not op)


def render(document) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def import_all(spec_dir: Path):
    """{file name in spec/: text}: one file per API plus request-examples.json, the spec's
    whole-body request examples per API and operationId (tests validate them)."""
    loader = Loader(spec_dir)
    files, examples = {}, {}
    for api in APIS:
        document, examples[api] = import_api(loader, api)
        files[api + ".json"] = render(document)
    files["request-examples.json"] = render(examples)
    return files


def main(argv=None):
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec-dir", type=Path, default=here.parent / "shared" / "matrix-spec")
    parser.add_argument("--out", type=Path, default=here / "spec")
    parser.add_argument("--check", action="store_true",
                        help="compare with --out instead of writing; exit 1 on any difference")
    args = parser.parse_args(argv)
    try:
        files = import_all(args.spec_dir)
    except (SpecError, OSError, KeyError, yaml.YAMLError) as e:
        print(f"spec_import: {e}", file=sys.stderr)
        return 2
    if args.check:
        different = False
        for name, text in files.items():
            path = args.out / name
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                different = True
                diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(),
                                                 str(path), "re-imported", lineterm="", n=1))
                print(f"{path}: differs ({len(diff)} diff lines)")
                print("\n".join(diff[:40]))
        if different:
            print("spec/ is out of date: run tools/spec_import.py", file=sys.stderr)
            return 1
        print(f"spec/ is up to date ({len(files)} files)")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    count = sum(len(json.loads(files[api + ".json"])["operations"]) for api in APIS)
    print(f"wrote {len(files)} files, {count} operations, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
