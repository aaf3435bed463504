"""A fresh PostgreSQL database on the machine's server (127.0.0.1:5432, trust auth), per test (`pg_url`)
or per test session (`pg_session_url`); the test skips when no PostgreSQL is reachable."""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import Iterator

import pytest

PG = dict(host="127.0.0.1", port=5432, user="postgres")


@contextmanager
def throwaway_database() -> Iterator[str]:
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    except Exception as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 not reachable: {exc}")
    admin.autocommit = True
    name = f"dms_test_{secrets.token_hex(4)}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture
def pg_url():
    with throwaway_database() as url:
        yield url


@pytest.fixture(scope="session")
def pg_session_url():
    with throwaway_database() as url:
        yield url
