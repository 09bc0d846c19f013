"""The cache configuration used when REDIS_URL is set, in one place for the settings and the outage test.

The cache FAILS OPEN: with Redis unreachable every read is a miss and every write a no-op, so pages,
forms, uploads and workflow actions answer from the database; ``/healthz`` reports the outage.

django-redis rather than a wrapper around Django's own ``RedisCache`` (which raises on a refused
connection): its ``IGNORE_EXCEPTIONS`` covers every cache operation, including ones Django adds later,
``DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS`` logs what it ignored, and it is the Redis backend django-ratelimit
supports. A wrapper would have to follow Django's backend method by method.
"""

import threading
import time

from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Redis answers in well under a millisecond on the same network: a dead or unreachable server must cost a
# request milliseconds for each cache operation, not the redis-py default of seconds.
SOCKET_CONNECT_TIMEOUT = 0.25
SOCKET_TIMEOUT = 0.5
# After a failure, skip Redis for this long. A hung server (accepting connections, never answering) would
# otherwise cost every cache operation the full socket timeout, five of them per anonymous page.
BREAKER_SECONDS = 15.0


class CircuitBreaker:
    """Per process: once Redis fails, every cache operation fails at once for ``BREAKER_SECONDS``.

    Failing is what the cache is built to survive (it fails open); failing *fast* keeps a sync worker
    serving pages from the database at full speed. After the pause the next operation tries Redis again.
    """

    def __init__(self, seconds: float = BREAKER_SECONDS) -> None:
        self.seconds = seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    def check(self) -> None:
        if time.monotonic() < self._open_until:
            raise RedisConnectionError("Redis skipped for a while after a failure (circuit breaker open)")

    def trip(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.seconds

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


breaker = CircuitBreaker()


class BreakerConnection(Connection):
    """A redis-py connection that consults the breaker before talking to Redis and trips it on failure."""

    def connect(self):
        breaker.check()
        try:
            return super().connect()
        except (RedisConnectionError, RedisTimeoutError, OSError):
            breaker.trip()
            raise

    def send_packed_command(self, command, check_health=True):
        breaker.check()
        try:
            return super().send_packed_command(command, check_health)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            breaker.trip()
            raise

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            breaker.trip()
            raise


def redis_cache_config(url: str) -> dict:
    """A ``CACHES`` entry for the Redis at ``url`` that fails open."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "pingcheng",
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": SOCKET_CONNECT_TIMEOUT,
            "SOCKET_TIMEOUT": SOCKET_TIMEOUT,
            # Plain TCP only: a TLS URL (rediss://) keeps redis-py's own connection class.
            **({"CONNECTION_POOL_KWARGS": {"connection_class": BreakerConnection}} if url.startswith("redis://") else {}),
        },
    }
