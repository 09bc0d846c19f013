"""Health checks for the database, the cache and the Celery broker, used by /healthz."""

import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django_redis import get_redis_connection
from django_redis.cache import RedisCache as DjangoRedisCache
from kombu import Connection


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # The cache fails open (settings.CACHES): its own get and set quietly miss while Redis is down, so ask
    # Redis itself, which raises with the real reason. The round trip below covers every backend.
    if isinstance(caches["default"], DjangoRedisCache):
        get_redis_connection("default").ping()
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value it was given")
    cache.delete(key)


def check_broker() -> None:
    # A fresh connection each time, so the check reflects the broker now and not a pooled socket.
    with Connection(
        settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS, connect_timeout=2
    ) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
            conn.default_channel.client.ping()


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def run_checks() -> dict[str, str]:
    """Run every check; each reports "ok" or the error that stopped it."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 — any failure is the answer here, not a crash
            results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
        else:
            results[name] = "ok"
    return results
