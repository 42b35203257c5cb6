"""GET /metrics in the Prometheus text exposition format, on the listener configured with the
`metrics` resource (issue 2, "HTTP layer")."""

import re

from harness.checks import assert_matrix_error, spec

SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})?'
    r' (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?$')
COMMENT = re.compile(r"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def scrape(server):
    with server.metrics() as client:
        response = client.get("/metrics")
    assert response.status == 200, response
    return response


def parse(text):
    types, samples = {}, []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            match = COMMENT.match(line)
            if match and match.group(1) == "TYPE":
                assert match.group(3) in TYPES, line
                types[match.group(2)] = match.group(3)
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        samples.append((match.group(1), line))
    return types, samples


@spec("prometheus:exposition_formats#text-based-format")
def test_metrics_text_format(server, client):
    client.get("/_matrix/client/versions")
    response = scrape(server)
    content_type = response.header("content-type") or ""
    assert content_type.startswith("text/plain"), content_type
    types, samples = parse(response.body.decode("utf-8"))
    assert samples, "no samples"
    assert response.body.endswith(b"\n")


@spec("ranvier:issue-2#http-layer")  # requests by endpoint and status, latency histogram, RSS
def test_metrics_content(server, client):
    for _ in range(3):
        client.get("/_matrix/client/versions")
    client.get("/_matrix/client/v3/nope")
    text = scrape(server).body.decode("utf-8")
    types, samples = parse(text)
    assert "histogram" in types.values(), "no latency histogram"
    for name, kind in types.items():
        if kind == "histogram":
            assert any(n == name + "_bucket" and 'le="+Inf"' in line for n, line in samples), name
            assert any(n == name + "_count" for n, _ in samples), name
    assert re.search(r'status="?404', text) or re.search(r'code="?404', text), \
        "404 responses are not counted by status"
    assert re.search(r"(rss|resident)", text, re.IGNORECASE), "no RSS figure"
    assert re.search(r"connection", text, re.IGNORECASE), "no open-connections figure"


@spec("ranvier:issue-2#http-layer")
def test_metrics_not_on_client_listener(client):
    assert_matrix_error(client.get("/metrics"), 404, "M_UNRECOGNIZED")


@spec("ranvier:docs/configuration.md#listeners")
def test_client_api_not_on_metrics_listener(server):
    with server.metrics() as metrics:
        assert_matrix_error(metrics.get("/_matrix/client/versions"), 404, "M_UNRECOGNIZED")
