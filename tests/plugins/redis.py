"""A private Redis database number and queue name per test on the machine's Redis (127.0.0.1:6379);
the test skips when no Redis is reachable. Keys of the queue are removed afterwards."""

from __future__ import annotations

import secrets

import pytest


def _redis():
    redis = pytest.importorskip("redis")
    try:
        client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2)
        client.ping()
        return client
    except Exception as exc:
        pytest.skip(f"Redis on 127.0.0.1:6379 not reachable: {exc}")


@pytest.fixture
def redis_broker():
    """(broker URL, queue name) for a Celery app of this test alone."""
    client = _redis()
    db = secrets.randbelow(12) + 4
    queue = f"dms-test-{secrets.token_hex(4)}"
    yield f"redis://127.0.0.1:6379/{db}", queue
    scoped = pytest.importorskip("redis").Redis(host="127.0.0.1", port=6379, db=db)
    for key in scoped.scan_iter(f"*{queue}*"):
        scoped.delete(key)
    for tag, payload in scoped.hgetall("unacked").items():   # messages of killed workers, ours only
        if queue.encode() in payload:
            scoped.hdel("unacked", tag)
            scoped.zrem("unacked_index", tag)
    client.close()


