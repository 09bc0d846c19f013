"""Shared fixtures: a real Celery worker process, service requirements, and a broker that is down.

Under CI=true a test that needs a service fails when the service is missing; elsewhere it skips with
the reason.
"""

import logging
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from pingcheng.audit.privacy import personal_data_in
from tests.module_data import demo_page, demo_with_accounts, module_data_last  # noqa: F401 — fixtures for every test
from tests.newsroom_fixtures import desk  # noqa: F401 — the newsroom desk fixture, shared by every app's tests

IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    module_data_last(items)


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
        # As in this process (pytest-django): the console backend would print whole messages to the log.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
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


@pytest.fixture(scope="session", autouse=True)
def _urlconf_as_deployed():
    """The URLconf adds the development media route when DEBUG is on as it is imported. Import it now, with the
    test settings' DEBUG off, before any test turns DEBUG on to load the demo accounts: whichever test runs
    first, the site keeps the routes it has when deployed."""
    import pingcheng.urls  # noqa: F401


@pytest.fixture(autouse=True)
def _clear_cache():
    """Page cache and editing presence must not leak between tests (row ids are reused on SQLite)."""
    from django.core.cache import cache

    from pingcheng.cache_backends import breaker
    from pingcheng.page_cache import page_cache_local_clear

    breaker.reset()  # a Redis a previous test stopped must not keep this test's cache switched off
    cache.clear()
    page_cache_local_clear()
    yield
    breaker.reset()


@pytest.fixture(autouse=True)
def _clear_sms_outbox():
    from pingcheng.notices import sms

    sms.outbox.clear()
    yield
    sms.outbox.clear()


# --- Personal data in logs -------------------------------------------------------------------------------
# Every log record handed to handlers in this process during the whole session is checked — at
# ``Logger.callHandlers``, after the logger's own filters (a masking filter counts) and before any handler, so
# handler levels, ``propagate=False`` or a logging reconfiguration cannot hide one — and so are the logs of
# the Celery workers the session started. ``pytest_sessionfinish`` fails the run if any held a resident's
# phone number, e-mail address or demo name (``pingcheng.audit.privacy``); as a session hook it sees every
# test's records whatever the order or selection of tests.
_personal_data_logged: list[tuple[str, str, list[str]]] = []  # (test, logger, pieces found)
_call_handlers = logging.Logger.callHandlers


def _call_handlers_checked(self: logging.Logger, record: logging.LogRecord) -> None:
    try:
        text = record.getMessage()
    except Exception as error:  # noqa: BLE001 — a badly formatted record must not break the test that logs it
        text = f"{record.msg!r} {record.args!r} ({error!r})"
    if record.exc_info and record.exc_info[1] is not None:
        # The exception's own message, not the traceback: source lines of tests hold sample numbers.
        text += "\n" + "".join(traceback.format_exception_only(record.exc_info[1]))
    if found := personal_data_in(text):
        _personal_data_logged.append((os.environ.get("PYTEST_CURRENT_TEST", "(outside a test)"), record.name, found))
    _call_handlers(self, record)


logging.Logger.callHandlers = _call_handlers_checked


_personal_data_from_workers: list[tuple[str, str, list[str]]] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist's controller: collect what each worker's ``pytest_sessionfinish`` found."""
    _personal_data_from_workers.extend(tuple(leak) for leak in node.workeroutput.get("personal_data_leaks", []))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    from pingcheng.notices.masking import mask_contacts

    leaks = list(_personal_data_logged)
    basetemp = Path(session.config._tmp_path_factory.getbasetemp())
    # pytest also links ``celerycurrent`` to the newest ``celeryN``: read each file once.
    for log in sorted({path.resolve() for path in basetemp.glob("celery*/worker.log")}):
        for line in log.read_text(errors="replace").splitlines():
            if found := personal_data_in(line):
                leaks.append((str(log), "celery worker", found))
    if hasattr(session.config, "workerinput"):
        # A pytest-xdist worker: its findings travel to the controller, which reports and fails the run.
        session.config.workeroutput["personal_data_leaks"] = leaks
        return
    leaks += _personal_data_from_workers
    if not leaks:
        return
    write = session.config.get_terminal_writer().line
    write(f"\nPersonal data in {len(leaks)} log records (pingcheng.audit.privacy):", red=True, bold=True)
    for test, logger, found in leaks[:50]:
        shown = ", ".join(mask_contacts(piece) if piece[0].isascii() else piece[0] + "**" for piece in found)
        write(f"  {test} — {logger}: {shown}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
