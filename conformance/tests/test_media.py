"""The content repository (client-server API, "Content repository"; server-server API,
"Content Repository"): uploads and downloads with their headers, created-then-uploaded media,
thumbnails, the media configuration, URL previews against a local page, the freeze of the
deprecated unauthenticated endpoints, and media of one server downloaded through another."""

import email.parser
import email.policy
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlencode

import pytest

from harness.checks import assert_json_response, assert_matrix_error, spec
from harness.client import build_request
from harness.federation import CertificateAuthority, FakeHomeserver, RawAnswer, federation_config
from harness.mesh import Mesh, server_name
from harness.rooms import new_user, user_fixture
from harness.server import RanvierServer

try:
    from PIL import Image
except ImportError:  # parse PNG headers by hand instead
    Image = None

MAX_UPLOAD = 64 * 1024
CONFIG_OVERRIDES = {
    "rate_limits": {"enabled": False},
    "media": {"max_upload_size": MAX_UPLOAD, "max_pending_uploads": 3,
              "url_preview": {"enabled": True, "ip_range_allowlist": ["127.0.0.1/32"]}},
}

REPO = "client-server-api/#content-repository"
UPLOAD = "client-server-api/#post_matrixmediav3upload"
CREATE = "client-server-api/#post_matrixmediav1create"
UPLOAD_TO = "client-server-api/#put_matrixmediav3uploadservernamemediaid"
DOWNLOAD = "client-server-api/#get_matrixclientv1mediadownloadservernamemediaid"
DOWNLOAD_NAMED = "client-server-api/#get_matrixclientv1mediadownloadservernamemediaidfilename"
THUMBNAIL = "client-server-api/#get_matrixclientv1mediathumbnailservernamemediaid"
CONFIG = "client-server-api/#get_matrixclientv1mediaconfig"
PREVIEW = "client-server-api/#get_matrixclientv1mediapreview_url"
LEGACY = "client-server-api/#get_matrixmediav3downloadservernamemediaid"
FEDERATION = "server-server-api/#get_matrixfederationv1mediadownloadmediaid"

alice = user_fixture("alice")
bob = user_fixture("bob")


def png_bytes(width: int, height: int) -> bytes:
    if Image is not None:
        out = io.BytesIO()
        Image.new("RGB", (width, height), (200, 30, 90)).save(out, format="PNG")
        return out.getvalue()
    import struct
    import zlib
    raw = b"".join(b"\x00" + b"\xc8\x1e\x5a" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def image_size(data: bytes) -> tuple[int, int]:
    if Image is not None:
        return Image.open(io.BytesIO(data)).size
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def upload(client, token, data: bytes, content_type: str = "application/octet-stream", filename=None):
    target = "/_matrix/media/v3/upload"
    if filename is not None:
        target += "?" + urlencode({"filename": filename})
    return client.post(target, body=data, headers={"Content-Type": content_type}, token=token)


def uploaded(client, token, data: bytes, content_type: str = "application/octet-stream", filename=None):
    """(server name, media ID) of a new upload."""
    uri = assert_json_response(upload(client, token, data, content_type, filename))["content_uri"]
    assert uri.startswith("mxc://"), uri
    server, media_id = uri[len("mxc://"):].split("/", 1)
    return server, media_id


def media_path(kind: str, server: str, media_id: str, *extra: str, query=None, legacy: bool = False) -> str:
    base = "/_matrix/media/v3" if legacy else "/_matrix/client/v1/media"
    text = f"{base}/{kind}/{quote(server, safe='')}/{quote(media_id, safe='')}"
    text += "".join("/" + quote(part, safe="") for part in extra)
    if query:
        text += "?" + urlencode(query)
    return text


@spec(UPLOAD)
def test_upload_then_download_gives_the_same_bytes(client, alice):
    _, token = alice
    data = bytes(range(256)) * 10
    server, media_id = uploaded(client, token, data, "image/png", "cat picture.png")
    response = client.get(media_path("download", server, media_id), token=token)
    assert response.status == 200, response
    assert response.body == data
    assert response.header("content-type") == "image/png"
    assert response.header("content-disposition") == 'inline; filename="cat picture.png"'
    assert response.header("content-security-policy").startswith("sandbox;")
    assert response.header("cross-origin-resource-policy") == "cross-origin"


@spec(REPO)
def test_unsafe_types_are_attachments_and_the_default_type(client, alice):
    _, token = alice
    server, media_id = uploaded(client, token, b"<script>alert(1)</script>", "text/html", "page.html")
    response = client.get(media_path("download", server, media_id), token=token)
    assert response.header("content-type") == "text/html"
    assert response.header("content-disposition").startswith("attachment")
    # No Content-Type on the upload: application/octet-stream (spec 1.12).
    raw = client.post("/_matrix/media/v3/upload", body=b"abc", token=token)
    server, media_id = assert_json_response(raw)["content_uri"][len("mxc://"):].split("/", 1)
    response = client.get(media_path("download", server, media_id), token=token)
    assert response.header("content-type") == "application/octet-stream"
    assert response.header("content-disposition") == "attachment"


@spec(DOWNLOAD_NAMED)
def test_download_with_another_file_name(client, alice):
    _, token = alice
    server, media_id = uploaded(client, token, b"hello", "text/plain", "a.txt")
    response = client.get(media_path("download", server, media_id, "r\u00e9sum\u00e9.txt"), token=token)
    assert response.status == 200 and response.body == b"hello"
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9.txt" in response.header("content-disposition")


@spec(UPLOAD)
def test_too_large_uploads_are_refused(server, client, alice):
    _, token = alice
    assert_matrix_error(upload(client, token, b"x" * (MAX_UPLOAD + 1)), 413, "M_TOO_LARGE")
    uploaded(client, token, b"x" * MAX_UPLOAD)
    # Announced bigger than every limit: refused from the headers, before any body is sent.
    with server.raw() as raw:
        raw.send(build_request("POST", "/_matrix/media/v3/upload",
                               {"Authorization": f"Bearer {token}", "Content-Length": str(2 * 1024 * 1024)}))
        assert_matrix_error(raw.read_response(), 413, "M_TOO_LARGE")


@spec(DOWNLOAD)
def test_unknown_media_is_not_found(server, client, alice):
    _, token = alice
    assert_matrix_error(client.get(media_path("download", "localhost", "nosuchmedia"), token=token),
                        404, "M_NOT_FOUND")
    assert_matrix_error(client.get(media_path("download", "localhost", "bad.id"), token=token), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(media_path("thumbnail", "localhost", "nosuchmedia",
                                              query={"width": 32, "height": 32}), token=token), 404, "M_NOT_FOUND")


@spec(DOWNLOAD)
def test_authenticated_endpoints_need_a_token(client, alice):
    _, token = alice
    server, media_id = uploaded(client, token, b"secret")
    assert_matrix_error(client.get(media_path("download", server, media_id)), 401, "M_MISSING_TOKEN")
    assert_matrix_error(client.get(media_path("thumbnail", server, media_id, query={"width": 1, "height": 1})),
                        401, "M_MISSING_TOKEN")
    assert_matrix_error(client.get("/_matrix/client/v1/media/config"), 401, "M_MISSING_TOKEN")
    assert_matrix_error(client.post("/_matrix/media/v3/upload", body=b"x"), 401, "M_MISSING_TOKEN")


@spec(LEGACY)
def test_unauthenticated_endpoints_are_frozen_by_default(client, alice):
    _, token = alice
    server, media_id = uploaded(client, token, b"new media", "text/plain")
    assert_matrix_error(client.get(media_path("download", server, media_id, legacy=True)), 404, "M_NOT_FOUND")
    assert_matrix_error(client.get(media_path("thumbnail", server, media_id, query={"width": 8, "height": 8},
                                              legacy=True)), 404, "M_NOT_FOUND")


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    """A second server with media.allow_unauthenticated on (no freeze)."""
    instance = RanvierServer(tmp_path_factory.mktemp("media-open"))
    try:
        instance.init()
        instance.configure({"rate_limits": {"enabled": False}, "media": {"allow_unauthenticated": True}})
        instance.start()
        yield instance
        instance.stop()
    finally:
        instance.cleanup()


@spec(LEGACY)
def test_unauthenticated_endpoints_serve_media_from_before_the_freeze(open_server):
    with open_server.client() as client:
        _, token = new_user(client, "legacy")
        server, media_id = uploaded(client, token, png_bytes(64, 64), "image/png", "old.png")
        response = client.get(media_path("download", server, media_id, legacy=True))
        assert response.status == 200 and image_size(response.body) == (64, 64)
        assert response.header("content-disposition") == 'inline; filename="old.png"'
        named = client.get(media_path("download", server, media_id, "other.png", legacy=True))
        assert named.header("content-disposition") == 'inline; filename="other.png"'
        thumb = client.get(media_path("thumbnail", server, media_id, query={"width": 16, "height": 16},
                                      legacy=True))
        assert thumb.status == 200 and image_size(thumb.body) == (16, 16)
        assert assert_json_response(client.get("/_matrix/media/v3/config", token=token))["m.upload.size"] > 0


@spec(CREATE)
def test_create_then_upload(client, alice, bob):
    _, token = alice
    _, bob_token = bob
    body = assert_json_response(client.post("/_matrix/media/v1/create", json_body={}, token=token))
    assert body["unused_expires_at"] > time.time() * 1000
    server, media_id = body["content_uri"][len("mxc://"):].split("/", 1)
    # Not uploaded yet: a download waits timeout_ms, then 504.
    started = time.monotonic()
    assert_matrix_error(client.get(media_path("download", server, media_id, query={"timeout_ms": 300}), token=token),
                        504, "M_NOT_YET_UPLOADED")
    assert time.monotonic() - started >= 0.25
    target = f"/_matrix/media/v3/upload/{server}/{media_id}?filename=late.txt"
    assert_matrix_error(client.put(target, body=b"bob's", headers={"Content-Type": "text/plain"}, token=bob_token),
                        403, "M_FORBIDDEN")
    assert_json_response(client.put(target, body=b"alice's", headers={"Content-Type": "text/plain"}, token=token))
    assert_matrix_error(client.put(target, body=b"again", headers={"Content-Type": "text/plain"}, token=token),
                        409, "M_CANNOT_OVERWRITE_MEDIA")
    response = client.get(media_path("download", server, media_id), token=token)
    assert response.body == b"alice's"
    assert response.header("content-disposition") == 'inline; filename="late.txt"'
    assert_matrix_error(client.put(f"/_matrix/media/v3/upload/{server}/neverCreated", body=b"x", token=token),
                        404, "M_NOT_FOUND")


@spec(DOWNLOAD)
def test_a_waiting_download_gets_the_upload(server, alice):
    _, token = alice
    with server.client() as client:
        body = assert_json_response(client.post("/_matrix/media/v1/create", json_body={}, token=token))
        other = assert_json_response(client.post("/_matrix/media/v1/create", json_body={}, token=token))
    server_part, media_id = body["content_uri"][len("mxc://"):].split("/", 1)
    other_id = other["content_uri"].rsplit("/", 1)[1]
    result = {}

    def wait():
        with server.client(timeout=30) as waiting:
            result["response"] = waiting.get(media_path("download", server_part, media_id,
                                                        query={"timeout_ms": 20000}), token=token)
    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.5)
    with server.client() as client:
        # Another upload wakes the waiter, which looks and keeps waiting.
        assert_json_response(client.put(f"/_matrix/media/v3/upload/{server_part}/{other_id}", body=b"other",
                                        headers={"Content-Type": "text/plain"}, token=token))
        time.sleep(0.5)
        assert thread.is_alive(), result
        assert_json_response(client.put(f"/_matrix/media/v3/upload/{server_part}/{media_id}", body=b"arrived",
                                        headers={"Content-Type": "text/plain"}, token=token))
    thread.join(30)
    assert result["response"].status == 200 and result["response"].body == b"arrived"


@spec(CREATE)
def test_pending_uploads_are_limited(server, client):
    _, token = new_user(client, "pending")
    for _ in range(3):
        assert_json_response(client.post("/_matrix/media/v1/create", json_body={}, token=token))
    assert_matrix_error(client.post("/_matrix/media/v1/create", json_body={}, token=token), 429, "M_LIMIT_EXCEEDED")


@spec(THUMBNAIL)
def test_thumbnails_scale_and_crop(client, alice):
    _, token = alice
    server, media_id = uploaded(client, token, png_bytes(100, 50), "image/png")
    scaled = client.get(media_path("thumbnail", server, media_id,
                                   query={"width": 40, "height": 40, "method": "scale"}), token=token)
    assert scaled.status == 200, scaled
    assert scaled.header("content-type") == "image/png"
    assert image_size(scaled.body) == (40, 20)
    cropped = client.get(media_path("thumbnail", server, media_id,
                                    query={"width": 40, "height": 40, "method": "crop"}), token=token)
    assert image_size(cropped.body) == (40, 40)
    again = client.get(media_path("thumbnail", server, media_id,
                                  query={"width": 40, "height": 40, "method": "crop"}), token=token)
    assert again.body == cropped.body  # served from the thumbnail cache
    # Larger than the image: the original, never upscaled.
    big = client.get(media_path("thumbnail", server, media_id, query={"width": 800, "height": 600}), token=token)
    assert image_size(big.body) == (100, 50)


@spec(THUMBNAIL)
def test_thumbnail_errors(client, alice):
    _, token = alice
    server, media_id = uploaded(client, token, b"%PDF-1.4 not an image", "application/pdf")
    assert_matrix_error(client.get(media_path("thumbnail", server, media_id, query={"width": 32, "height": 32}),
                                   token=token), 400, "M_UNKNOWN")
    server, media_id = uploaded(client, token, png_bytes(10, 10), "image/png")
    assert_matrix_error(client.get(media_path("thumbnail", server, media_id,
                                              query={"width": 32, "height": 32, "method": "stretch"}),
                                   token=token), 400, None)
    assert_matrix_error(client.get(media_path("thumbnail", server, media_id, query={"width": -1, "height": 32}),
                                   token=token), 400, None)


@spec(CONFIG)
def test_media_config(client, alice):
    _, token = alice
    assert assert_json_response(client.get("/_matrix/client/v1/media/config", token=token)) == {
        "m.upload.size": MAX_UPLOAD}
    assert assert_json_response(client.get("/_matrix/media/v3/config", token=token))["m.upload.size"] == MAX_UPLOAD


class PageHandler(BaseHTTPRequestHandler):
    """A tiny web site: an HTML page with OpenGraph tags, its image, and a redirect."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/page":
            body = (b"<html><head><title>Fallback</title>"
                    b"<meta property=\"og:title\" content=\"Ranvier &amp; friends\">"
                    b"<meta property=\"og:description\" content=\"A test page\">"
                    b"<meta property=\"og:image\" content=\"/image.png\"></head><body>hi</body></html>")
            self.reply(200, "text/html; charset=utf-8", body)
        elif self.path == "/image.png":
            self.reply(200, "image/png", png_bytes(30, 20))
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.reply(404, "text/plain", b"no")

    def reply(self, status: int, content_type: str, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def website():
    """The site on 127.0.0.1 (allowed by the suite's config) and 127.0.0.2 (denied)."""
    sites = [ThreadingHTTPServer((address, 0), PageHandler) for address in ("127.0.0.1", "127.0.0.2")]
    threads = [threading.Thread(target=site.serve_forever, daemon=True) for site in sites]
    for thread in threads:
        thread.start()
    yield [f"http://{site.server_address[0]}:{site.server_address[1]}" for site in sites]
    for site in sites:
        site.shutdown()
        site.server_close()


@spec(PREVIEW)
def test_url_preview_reads_opengraph(client, alice, website):
    _, token = alice
    allowed, _ = website
    og = assert_json_response(client.get("/_matrix/client/v1/media/preview_url?" +
                                         urlencode({"url": allowed + "/moved"}), token=token))
    assert og["og:title"] == "Ranvier & friends"
    assert og["og:description"] == "A test page"
    assert og["og:image"].startswith("mxc://localhost/")
    assert og["og:image:width"] == 30 and og["og:image:height"] == 20
    media_id = og["og:image"].rsplit("/", 1)[1]
    image = client.get(media_path("download", "localhost", media_id), token=token)
    assert image_size(image.body) == (30, 20)


@spec(PREVIEW)
def test_url_preview_refuses_denied_addresses(client, alice, website):
    _, token = alice
    _, denied = website
    assert_matrix_error(client.get("/_matrix/client/v1/media/preview_url?" + urlencode({"url": denied + "/page"}),
                                   token=token), 403, "M_FORBIDDEN")
    assert_matrix_error(client.get("/_matrix/client/v1/media/preview_url?" + urlencode({"url": "ftp://x/"}),
                                   token=token), 400, None)


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    instance = Mesh(tmp_path_factory.mktemp("media-mesh"), 2, mode="loopback",
                    overrides={"rate_limits": {"enabled": False},
                               "password_hashing": {"memory_kib": 8, "iterations": 1}})
    try:
        instance.start()
        yield instance
    finally:
        instance.close()


@spec(FEDERATION)
def test_remote_media_is_fetched_over_federation(mesh):
    hs1, hs2 = server_name(1), server_name(2)
    client1, client2 = mesh.client(hs1), mesh.client(hs2)
    try:
        _, token1 = new_user(client1, "uploader")
        _, token2 = new_user(client2, "viewer")
        data = png_bytes(64, 64)
        origin, media_id = uploaded(client1, token1, data, "image/png", "remote.png")
        assert origin == hs1
        response = client2.get(media_path("download", hs1, media_id), token=token2)
        assert response.status == 200, response
        assert response.body == data
        assert response.header("content-type") == "image/png"
        assert response.header("content-disposition") == 'inline; filename="remote.png"'
        thumb = client2.get(media_path("thumbnail", hs1, media_id, query={"width": 32, "height": 32,
                                                                          "method": "crop"}), token=token2)
        assert thumb.status == 200 and image_size(thumb.body) == (32, 32)
        assert_matrix_error(client2.get(media_path("download", hs1, "missingMedia"), token=token2), 404, "M_NOT_FOUND")
    finally:
        client1.close()
        client2.close()


@pytest.fixture(scope="module")
def federated(tmp_path_factory):
    """A Ranvier that knows a fake remote server (harness/federation.py), and one upload."""
    folder = tmp_path_factory.mktemp("media-federation")
    ca = CertificateAuthority(folder / "ca")
    remote = FakeHomeserver("remote.media.test", ca).start()
    instance = RanvierServer(folder / "ranvier", server_name="ranvier.media.test")
    try:
        instance.init()
        # Media locations on 127.0.0.1 may be fetched (the website fixture), 127.0.0.2 not.
        instance.configure({"rate_limits": {"enabled": False}, **federation_config(ca, [remote]),
                            "media": {"url_preview": {"ip_range_allowlist": ["127.0.0.1/32"]}}})
        instance.start()
        with instance.client() as client:
            _, token = new_user(client, "owner")
            data = png_bytes(40, 30)
            _, media_id = uploaded(client, token, data, "image/png", "fed.png")
        yield instance, remote, media_id, data
        instance.stop()
    finally:
        remote.stop()
        instance.cleanup()


def multipart_parts(response) -> list:
    """The parts of a multipart/mixed answer, parsed by Python's e-mail parser (RFC 2046)."""
    content_type = response.header("content-type")
    assert content_type.startswith("multipart/mixed") and "boundary=" in content_type, response
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + response.body)
    assert message.is_multipart()
    return list(message.iter_parts())


@spec(FEDERATION)
def test_federation_download_is_multipart(federated):
    instance, remote, media_id, data = federated
    response = remote.request(instance, "GET", f"/_matrix/federation/v1/media/download/{media_id}")
    assert response.status == 200, response
    metadata, media = multipart_parts(response)
    assert metadata.get_content_type() == "application/json"
    assert json.loads(metadata.get_payload(decode=True)) == {}
    assert media.get_content_type() == "image/png"
    assert media.get_payload(decode=True) == data
    assert media["Content-Disposition"] == 'inline; filename="fed.png"'
    assert_matrix_error(remote.request(instance, "GET", "/_matrix/federation/v1/media/download/nothingHere"),
                        404, "M_NOT_FOUND")
    assert_matrix_error(remote.request(instance, "GET", f"/_matrix/federation/v1/media/download/{media_id}",
                                       sign=False), 401, None)


@spec("server-server-api/#get_matrixfederationv1mediathumbnailmediaid")
def test_federation_thumbnail_is_multipart(federated):
    instance, remote, media_id, _ = federated
    response = remote.request(instance, "GET",
                              f"/_matrix/federation/v1/media/thumbnail/{media_id}?width=16&height=16&method=crop")
    assert response.status == 200, response
    _, media = multipart_parts(response)
    assert media.get_content_type() == "image/png"
    assert image_size(media.get_payload(decode=True)) == (16, 16)


@spec(DOWNLOAD)
def test_media_of_a_server_without_the_media_api_is_not_found(federated):
    """The fake server answers M_UNRECOGNIZED to both the federation and the deprecated download
    paths: the client gets 404 M_NOT_FOUND, and both paths were tried."""
    instance, remote, _, _ = federated
    with instance.client() as client:
        _, token = new_user(client, "asker")
        assert_matrix_error(client.get(media_path("download", "remote.media.test", "someMedia"), token=token),
                            404, "M_NOT_FOUND")
    tried = [path for method, path in remote.requests if "someMedia" in path]
    assert tried == ["/_matrix/federation/v1/media/download/someMedia",
                     "/_matrix/media/v3/download/remote.media.test/someMedia"], tried


def serve_multipart(remote, media_id: str, media_part: bytes):
    """The fake server answers the federation download of `media_id` with a multipart body in
    another server's formatting: a preamble, a quoted boundary, an epilogue."""
    body = (b"This is a multi-part message.\r\n--xyz\r\ncontent-type: application/json\r\n\r\n{}\r\n"
            b"--xyz\r\n" + media_part + b"\r\n--xyz--\r\nepilogue")
    remote.route("GET", f"/_matrix/federation/v1/media/download/{media_id}",
                 lambda method, target, _: (200, RawAnswer('multipart/mixed; boundary="xyz"', body)))


@spec(FEDERATION)
def test_remote_multipart_in_other_formatting_is_served(federated):
    instance, remote, _, _ = federated
    data = bytes(range(200))
    serve_multipart(remote, "foreignMedia", b"Content-Type: application/octet-stream\r\n"
                    b"Content-Disposition: attachment; filename=\"x.bin\"\r\n\r\n" + data)
    with instance.client() as client:
        _, token = new_user(client, "foreign")
        response = client.get(media_path("download", "remote.media.test", "foreignMedia"), token=token)
        assert response.status == 200, response
        assert response.body == data
        assert response.header("content-disposition") == 'attachment; filename="x.bin"'


@spec(FEDERATION)
def test_remote_media_behind_a_location_is_fetched_with_the_address_checks(federated, website):
    instance, remote, _, _ = federated
    allowed, denied = website
    serve_multipart(remote, "cdnMedia", f"Location: {allowed}/image.png\r\n\r\n".encode())
    serve_multipart(remote, "privateMedia", f"Location: {denied}/image.png\r\n\r\n".encode())
    with instance.client() as client:
        _, token = new_user(client, "cdn")
        response = client.get(media_path("download", "remote.media.test", "cdnMedia"), token=token)
        assert response.status == 200, response
        assert response.header("content-type") == "image/png" and image_size(response.body) == (30, 20)
        assert_matrix_error(client.get(media_path("download", "remote.media.test", "privateMedia"), token=token),
                            502, None)
