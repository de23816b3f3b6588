"""The limiter's storage: two hub processes sharing Redis share one budget."""

from __future__ import annotations

import secrets
import socket

import pytest

from hub.config import Settings
from hub.errors import TooManyRequests
from hub.throttle import Throttle

REDIS = ("127.0.0.1", 6379)


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def settings(storage: str) -> Settings:
    return Settings(
        rate_limit_storage=storage, rate_limit_per_key="3/minute", sign_in_failures="2/minute"
    )


async def test_memory_storage_is_per_process() -> None:
    one, two = Throttle(settings("memory://")), Throttle(settings("memory://"))
    for _ in range(3):
        await one.request_by("mk_a")
    with pytest.raises(TooManyRequests) as limited:
        await one.request_by("mk_a")
    assert limited.value.headers()["Retry-After"].isdigit()
    await two.request_by("mk_a")  # a process of its own counts on its own


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
async def test_redis_storage_is_shared_by_every_worker() -> None:
    url = f"redis://{REDIS[0]}:{REDIS[1]}/15"
    one, two = Throttle(settings(url)), Throttle(settings(url))
    key_id = f"mk_{secrets.token_hex(8)}"  # fresh names: nothing left from an earlier run
    client = f"192.0.2.{secrets.randbelow(250)}-{secrets.token_hex(4)}"
    await one.request_by(key_id)
    await two.request_by(key_id)
    await one.request_by(key_id)
    with pytest.raises(TooManyRequests):
        await two.request_by(key_id)
    await one.note_failure(client, key_id)
    await two.note_failure(client, key_id)
    with pytest.raises(TooManyRequests):
        await one.check_sign_in(client, key_id)
    await two.check_sign_in(client, "mk_another")  # other key ids from there are not held


def test_limits_in_the_wrong_form_are_refused_at_start() -> None:
    with pytest.raises(ValueError, match="RATE_LIMIT_PER_KEY"):
        Settings(rate_limit_per_key="lots")
