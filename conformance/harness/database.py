"""A fresh database per suite: a SQLite file in the suite's folder, or a new PostgreSQL
database created on the server named by RANVIER_TEST_DATABASE (a postgres:// URL) and dropped
afterwards. `psql` from Debian's postgresql-client does the administration."""

from __future__ import annotations

import os
import secrets
import subprocess
import urllib.parse
from pathlib import Path
from typing import Optional


def database_setting() -> str:
    """`sqlite` (the default) or a postgres:// URL, from RANVIER_TEST_DATABASE."""
    return os.environ.get("RANVIER_TEST_DATABASE", "sqlite").strip() or "sqlite"


def backend_name() -> str:
    return "sqlite" if database_setting() == "sqlite" else "postgres"


def _psql(url: str, sql: str) -> None:
    result = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed ({sql}): {result.stderr.strip()}")


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


class SuiteDatabase:
    """Owns one suite's database; `url` goes into `ranvier init --database`."""

    def __init__(self, workdir: Path):
        setting = database_setting()
        self._admin_url: Optional[str] = None
        self._name: Optional[str] = None
        if setting == "sqlite":
            self.url = f"sqlite://{(workdir / 'ranvier.db').resolve()}"
            return
        if not setting.startswith(("postgres://", "postgresql://")):
            raise ValueError(f"RANVIER_TEST_DATABASE must be 'sqlite' or a postgres:// URL, not {setting!r}")
        self._admin_url = setting
        self._name = "ranvier_conf_" + secrets.token_hex(6)
        _psql(setting, f'CREATE DATABASE "{self._name}"')
        self.url = _with_database(setting, self._name)

    def drop(self) -> None:
        if self._admin_url is not None and self._name is not None:
            _psql(self._admin_url, f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')
            self._name = None
