"""The cache configuration used when REDIS_URL is set, in one place for the settings and the outage test.

The cache FAILS OPEN: with Redis unreachable every read is a miss and every write a no-op, so pages,
forms, uploads and workflow actions answer from the database; ``/healthz`` reports the outage.

django-redis rather than a wrapper around Django's own ``RedisCache`` (which raises on a refused
connection): its ``IGNORE_EXCEPTIONS`` covers every cache operation, including ones Django adds later,
``DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS`` logs what it ignored, and it is the Redis backend django-ratelimit
supports. A wrapper would have to follow Django's backend method by method.
"""

# Redis answers in well under a millisecond on the same network: a dead or unreachable server must cost a
# request milliseconds for each cache operation, not the redis-py default of seconds.
SOCKET_CONNECT_TIMEOUT = 0.25
SOCKET_TIMEOUT = 0.5


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
        },
    }
