"""Fixtures and rules shared by every conformance suite.

Each test module is one suite with its own ranvier process (`server` fixture). A module tunes
its server with module-level names:
- `CONFIG_OVERRIDES`: dict deep-merged into the config `ranvier init` wrote;
- `INIT_ARGS`: extra arguments for `ranvier init`.

Every test must name what it checks with `@spec("<section>")`; collection fails otherwise.
References are spec anchors such as `client-server-api/#get_matrixclientversions`, HTTP RFC
sections (`rfc9112#section-3`), or the project's own contract (`ranvier:docs/configuration.md`).
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.baseline import compare, now_passing, prune, read_baseline  # noqa: E402
from harness.database import backend_name  # noqa: E402
from harness.keys import HAVE_NACL  # noqa: E402
from harness.server import RanvierServer, describe_exit, ranvier_binary, snapshot_binary  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--prune-expected-failures", action="store_true",
                     help="remove tests that now pass from expected_failures.txt")


def pytest_sessionstart(session: pytest.Session) -> None:
    if ranvier_binary().exists():
        folder = Path(tempfile.mkdtemp(prefix="ranvier-bin-"))
        session.config.ranvier_original_binary = snapshot_binary(folder)
        session.config.ranvier_binary_folder = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "ranvier_binary_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> list[str]:
    original = getattr(config, "ranvier_original_binary", ranvier_binary())
    nacl = "PyNaCl" if HAVE_NACL else "shape only (python3-nacl missing)"
    return [f"ranvier binary: {original} (run from a copy)", f"database backend: {backend_name()}",
            f"ed25519 signature checks: {nacl}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [item.nodeid for item in items if item.get_closest_marker("spec") is None]
    if missing:
        raise pytest.UsageError("tests without @spec(...): " + ", ".join(missing))


def pytest_runtest_setup(item: pytest.Item) -> None:
    # The reference goes into the JUnit report, so results can be read per spec section.
    item.user_properties.append(("spec", item.get_closest_marker("spec").args[0]))
    if not ranvier_binary().exists():
        pytest.fail(f"ranvier binary not found at {ranvier_binary()} (set RANVIER_BIN)")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    stats = terminalreporter.stats
    failed = {r.nodeid for key in ("failed", "error") for r in stats.get(key, [])}
    ran = {r.nodeid for key in ("passed", "failed", "error") for r in stats.get(key, [])
           if getattr(r, "when", "call") == "call" or key == "error"}
    baseline = read_baseline()
    for line in compare(failed, ran, baseline):
        terminalreporter.write_line(line)
    fixed = now_passing(failed, ran, baseline)
    if config.getoption("prune_expected_failures") and fixed:
        prune(set(fixed))
        terminalreporter.write_line(f"removed {len(fixed)} lines from expected_failures.txt")


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A running ranvier for this module; stopped with SIGTERM at the end, which must exit 0."""
    workdir = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    instance = RanvierServer(workdir)
    try:
        instance.init(getattr(request.module, "INIT_ARGS", ()))
        overrides = getattr(request.module, "CONFIG_OVERRIDES", None)
        if overrides:
            instance.configure(overrides)
        instance.start()
        yield instance
        if instance.process is not None:
            code = instance.stop(signal.SIGTERM)
            assert code == 0, f"SIGTERM: expected exit 0, got {describe_exit(code)}\n{instance.log()[-4000:]}"
    finally:
        instance.cleanup()


@pytest.fixture
def client(server: RanvierServer):
    """A fresh keep-alive client on the client listener, closed after the test."""
    c = server.client()
    yield c
    c.close()
