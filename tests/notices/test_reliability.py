"""Warnings are delivered once and never lost — shown with a real redis-server and real Celery workers.

Each test starts its own ``redis-server`` on a free port (so it can stop it) and real ``celery worker`` (and
``celery beat``) processes on it, reading and writing the test database (a file on SQLite). The SMS provider
lives in files (tests/alerts/backends.py): every accepted message is a line, so "exactly once" is counted, not
assumed. Under CI=true a missing redis-server or a worker that does not start fails these tests.

(a) Redis down when the warning commits → delivered once Redis is back, by the sweep;
(b) a worker killed (SIGKILL) mid-delivery → each message delivered exactly once after the lease ends;
(c) the sweep running twice at once → no duplicate;
(d) two beats by mistake → no duplicate;
(e) a large warning fanned out in chunks of 500 and fully delivered: 3,000 people here to keep CI within its
    budget (ALERTS_TEST_RECIPIENTS=10000 runs the issue's full size); bench/alerts_fanout.py delivers and times
    the 10,000-person case.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager

import pytest
import redis
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from pingcheng.alerts import services
from pingcheng.alerts.models import Alert, AlertFanout
from pingcheng.alerts.tasks import alerts_sweep
from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.notices.models import Notice, StaffNoticePreference
from tests.conftest import REPO, _reset_pools, service_missing, wait_for
from tests.factories import UnitFactory, district, staff

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class RedisProcess:
    """A redis-server of our own on a fixed free port, which can be stopped and started again (empty)."""

    def __init__(self, log_path):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            service_missing("redis-server is not installed (apt-get install redis-server)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_path
        self.process = None

    def start(self) -> None:
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        service_missing(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisProcess(tmp_path / "redis.log")
    server.start()
    from pingcheng.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 2, "visibility_timeout": 3600}
    app.conf.broker_url, app.conf.broker_transport_options = server.url, options
    _reset_pools(app)
    with override_settings(CELERY_BROKER_URL=server.url, CELERY_BROKER_TRANSPORT_OPTIONS=options):
        yield server
    app.conf.broker_url, app.conf.broker_transport_options = saved
    _reset_pools(app)
    server.stop()


@pytest.fixture
def provider(tmp_path, monkeypatch):
    """The file SMS provider's folder, for the workers and for sweeps run in this process."""
    folder = tmp_path / "provider"
    folder.mkdir()
    monkeypatch.setenv("PINGCHENG_TEST_SMS_DIR", str(folder))
    with override_settings(SMS_BACKEND="tests.alerts.backends.CountingFileSmsBackend"):
        yield folder


class Processes:
    """Celery workers and beats started by a test, killed at its end whatever happened."""

    def __init__(self, tmp_path, redis_url: str, provider):
        self.tmp_path, self.redis_url, self.provider = tmp_path, redis_url, provider
        self.started: list[subprocess.Popen] = []

    def _env(self, **extra) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.alerts.worker_settings",
            "PINGCHENG_WORKER_DB_NAME": str(connection.settings_dict["NAME"]),
            "PINGCHENG_TEST_SMS_DIR": str(self.provider),
            "REDIS_URL": self.redis_url,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONPATH": str(REPO),
            **extra,
        }

    def worker(self, name: str, *, concurrency: int = 1, **env) -> subprocess.Popen:
        from django.conf import settings

        log_path = self.tmp_path / f"worker-{name}.log"
        pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
        command = [
            sys.executable, "-m", "celery", "-A", "pingcheng", "worker", *pool, "--loglevel=INFO",
            "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--without-heartbeat", "--without-gossip", "--without-mingle",
            "-n", f"{name}-{os.getpid()}@%h",
        ]  # fmt: skip
        with open(log_path, "w") as log:
            process = subprocess.Popen(command, cwd=REPO, env=self._env(**env), stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if "ready." in log_path.read_text(errors="replace"):
                return process
            time.sleep(0.1)
        service_missing(f"Celery worker did not start on {self.redis_url}:\n{log_path.read_text()[-3000:]}")

    def beat(self, name: str) -> subprocess.Popen:
        log_path = self.tmp_path / f"beat-{name}.log"
        command = [sys.executable, "-m", "celery", "-A", "pingcheng", "beat", "--loglevel=INFO",
                   "-s", str(self.tmp_path / f"beat-{name}.schedule"), "--pidfile="]  # fmt: skip
        with open(log_path, "w") as log:
            process = subprocess.Popen(command, cwd=REPO, env=self._env(PINGCHENG_TEST_FAST_BEAT="1"), stdout=log,
                                       stderr=subprocess.STDOUT)  # fmt: skip
        self.started.append(process)
        wait_for(lambda: "Sending due task" in log_path.read_text(errors="replace") or process.poll() is not None,
                 timeout=60, message=f"beat {name} to send its first sweep")  # fmt: skip
        assert process.poll() is None, log_path.read_text()[-3000:]
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture
def processes(tmp_path, redis_server, provider):
    started = Processes(tmp_path, redis_server.url, provider)
    yield started
    started.stop_all()


def _crowd(count: int, unit: Unit) -> None:
    """``count`` grid workers of ``unit`` with a warning mobile each, written in bulk."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"grid{i:05d}", is_staff=True, last_name="网", first_name=f"格员{i}") for i in range(count)],
        batch_size=2000,
    )
    Membership.objects.bulk_create([Membership(user=u, unit=unit, role=Role.GRID_WORKER) for u in users],
                                   batch_size=2000)  # fmt: skip
    StaffNoticePreference.objects.bulk_create(
        [StaffNoticePreference(user=u, phone=f"139{i:08d}") for i, u in enumerate(users)], batch_size=2000
    )


def _community_with_crowd(count: int) -> tuple[Unit, object]:
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    community = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    grid = UnitFactory(code="yujinyuan-grid-1", name="御锦源社区第一网格", kind=Unit.Kind.GRID, parent=community)
    _crowd(count, grid)
    return community, staff(Role.DISTRICT_ADMIN, username="issuer")


def _issue(issuer, community) -> Alert:
    with transaction.atomic():
        return services.alert_issue(by=issuer, units=[community], title="暴雨橙色预警", severity="orange",
                                    text="今夜有大到暴雨，请立即巡查低洼院落。")  # fmt: skip


def _sms_notices():
    return Notice.objects.filter(kind="alert_issued", channel=Notice.Channel.SMS)


def _all_sent(expected: int):
    return lambda: _sms_notices().filter(status=Notice.Status.SENT).count() == expected


def _deliveries(provider) -> Counter:
    log = provider / "sent.log"
    return (
        Counter(line.split("\t")[0] for line in log.read_text(encoding="utf-8").splitlines())
        if log.exists()
        else Counter()
    )


def _assert_each_delivered_once(provider, expected: int) -> None:
    sends = _deliveries(provider)
    uuids = {str(u) for u in _sms_notices().values_list("uuid", flat=True)}
    assert len(uuids) == expected
    assert set(sends) == uuids, "a warning was lost"
    assert {key: n for key, n in sends.items() if n > 1} == {}, "a warning was sent twice"


@contextmanager
def _broker_unreachable():
    """Deliveries are not queued while this runs (the notices stay due), as if Redis had refused them."""
    from pingcheng.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url, app.conf.broker_transport_options = "redis://127.0.0.1:1/0", {"socket_connect_timeout": 0.2}
    _reset_pools(app)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        _reset_pools(app)


def _fanned_out_but_undelivered(count: int) -> Alert:
    community, issuer = _community_with_crowd(count)
    with _broker_unreachable():
        alert = _issue(issuer, community)
        services.alert_fanout_run(fanout_id=alert.fanouts.get().pk)
    assert _sms_notices().filter(status=Notice.Status.PENDING).count() == count
    return alert


# --- (a) Redis down at commit ----------------------------------------------------------------------------


def test_a_warning_committed_while_redis_is_down_is_delivered_once_redis_is_back(redis_server, processes, provider):
    community, issuer = _community_with_crowd(60)
    redis_server.stop()
    alert = _issue(issuer, community)  # commits; queuing the fan-out fails and is logged
    assert alert.fanouts.get().phase == AlertFanout.Phase.STAFF
    assert not _sms_notices().exists()

    redis_server.start()  # empty: the message that should have carried the fan-out never existed
    from pingcheng.celery import app

    _reset_pools(app)
    processes.worker("a", concurrency=2)
    alerts_sweep.delay()
    wait_for(_all_sent(60), timeout=45, message="the sweep to fan out and deliver the warning")
    assert alert.fanouts.get().phase == AlertFanout.Phase.DONE
    _assert_each_delivered_once(provider, 60)


# --- (b) a worker killed mid-delivery --------------------------------------------------------------------


def test_a_worker_killed_mid_delivery_leaves_each_warning_delivered_exactly_once(processes, provider):
    count, hang_at, lease = 40, 6, 2
    community, issuer = _community_with_crowd(count)
    (provider / "hang").write_text(str(hang_at))
    worker = processes.worker("doomed", NOTICE_SEND_LEASE_SECONDS=str(lease))
    _issue(issuer, community)
    wait_for(lambda: (provider / "hung").exists(), timeout=45, message="the provider to hang mid-delivery")
    worker.send_signal(signal.SIGKILL)  # no cleanup, no acknowledgement, no record
    worker.wait(timeout=15)
    (provider / "hang").unlink()

    in_flight = Notice.objects.get(uuid=(provider / "hung").read_text())
    assert in_flight.status == Notice.Status.SENDING and in_flight.attempts == 1
    assert _sms_notices().filter(status=Notice.Status.SENT).count() == hang_at - 1
    # The rest of its batch is claimed by the dead worker: nobody may send it until the lease is over.
    assert _sms_notices().filter(status=Notice.Status.SENDING).count() == count - hang_at + 1

    processes.worker("rescuer", NOTICE_SEND_LEASE_SECONDS=str(lease))
    wait_for(lambda: timezone.now() > in_flight.lease_until, timeout=lease + 5, message="the lease to end")
    alerts_sweep.delay()
    wait_for(_all_sent(count), timeout=45, message="the sweep to deliver what the dead worker held")
    _assert_each_delivered_once(provider, count)
    in_flight.refresh_from_db()
    assert in_flight.attempts == 2  # the interrupted attempt counted, then the one that went out


# --- (c) two sweeps at once ------------------------------------------------------------------------------


def test_two_sweeps_at_once_deliver_each_warning_once(processes, provider):
    _fanned_out_but_undelivered(600)
    processes.worker("c", concurrency=2)
    alerts_sweep.delay()
    alerts_sweep.delay()
    wait_for(_all_sent(600), timeout=45, message="the two sweeps to deliver the warning")
    time.sleep(1)  # let the second sweep's batches finish finding nothing
    _assert_each_delivered_once(provider, 600)


def test_two_sweeps_at_once_in_one_process_deliver_each_warning_once(provider):
    """The same race without a broker in between: two threads run the sweep's batches side by side."""
    import threading

    from pingcheng.notices.bulk import notices_deliver_batch

    _fanned_out_but_undelivered(300)
    ids = list(_sms_notices().order_by("pk").values_list("pk", flat=True))

    def sweep():
        try:
            for start in range(0, len(ids), 50):
                notices_deliver_batch(notice_ids=ids[start : start + 50])
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert _all_sent(300)()
    _assert_each_delivered_once(provider, 300)


# --- (d) two beats ---------------------------------------------------------------------------------------


def test_two_beats_by_mistake_deliver_each_warning_once(processes, provider):
    _fanned_out_but_undelivered(400)
    processes.worker("d", concurrency=2)
    processes.beat("one")
    processes.beat("two")
    wait_for(_all_sent(400), timeout=45, message="the doubled beats' sweeps to deliver the warning")
    time.sleep(2.5)  # both beats go on sweeping: nothing more may go out
    _assert_each_delivered_once(provider, 400)


# --- (e) a large warning ---------------------------------------------------------------------------------


def _large_size() -> int:
    return int(os.environ.get("ALERTS_TEST_RECIPIENTS", 3_000))


def test_a_large_warning_is_fanned_out_in_chunks_and_fully_delivered(processes, provider):
    count = _large_size()
    community, issuer = _community_with_crowd(count)
    processes.worker("e", concurrency=2)
    alert = _issue(issuer, community)
    wait_for(_all_sent(count), timeout=120, interval=0.5, message=f"{count} warnings to be delivered")
    fanout = alert.fanouts.get()
    assert fanout.phase == AlertFanout.Phase.DONE and fanout.notices_written == count
    assert alert.recipients.count() == count
    _assert_each_delivered_once(provider, count)
