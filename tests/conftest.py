"""Shared fixtures: a real Celery worker process, service requirements, and a broker that is down.

Under CI=true a test that needs a service fails when the service is missing; elsewhere it skips with
the reason.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.newsroom_fixtures import desk  # noqa: F401 — the newsroom desk fixture, shared by every app's tests

IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parent.parent


def service_missing(reason: str):
    """Fail under CI, skip elsewhere: a missing service is never silently a pass."""
    if IN_CI:
        pytest.fail(f"required service missing under CI: {reason}")
    pytest.skip(reason)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def requires_postgresql():
    if not on_postgresql():
        pytest.skip("PostgreSQL-only behaviour; runs in the PostgreSQL leg of make test (DATABASE_URL=postgres://…)")


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the configured broker, reading and writing the test database.

    Tests that use it must use ``transactional_db`` so that the worker sees their committed rows.
    """
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PINGCHENG_WORKER_DB_NAME": str(connection.settings_dict["NAME"]),
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "pingcheng", "worker",
        "--pool=solo", "--loglevel=INFO", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
        "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"test-{os.getpid()}@%h",
    ]  # fmt: skip
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if "ready." in text:
            break
        if process.poll() is not None:
            break
        time.sleep(0.2)
    else:
        text = log_path.read_text(errors="replace")
    if "ready." not in text:
        process.kill()
        service_missing(f"Celery worker did not start on {settings.CELERY_BROKER_URL}:\n{text[-3000:]}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.2, message: str = "condition"):
    """Poll until ``predicate()`` is truthy; fail with ``message`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message}")


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where no broker listens, as if Redis had stopped; restore after."""
    from pingcheng.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5}
    _reset_pools(app)
    yield
    app.conf.broker_url, app.conf.broker_transport_options = saved
    _reset_pools(app)


def _reset_pools(app) -> None:
    # Celery and Kombu cache connection and producer pools on first use (Kombu in a global registry);
    # a new broker URL needs new pools.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _clear_cache():
    """Page cache and editing presence must not leak between tests (row ids are reused on SQLite)."""
    from django.core.cache import cache

    from pingcheng.cache_backends import breaker

    breaker.reset()  # a Redis a previous test stopped must not keep this test's cache switched off
    cache.clear()
    yield
    breaker.reset()


@pytest.fixture(autouse=True)
def _clear_sms_outbox():
    from pingcheng.notices import sms

    sms.outbox.clear()
    yield
    sms.outbox.clear()
