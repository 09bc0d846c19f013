"""A real `celery worker` process is killed with SIGKILL in the middle of a send: nothing is lost.

The worker delivers through an SMS provider that lives in files (tests/notices/backends.py), so this process
sees exactly what the provider accepted. The provider accepts the fifth message and then never answers; we
kill -9 the worker there — the worst moment, after the provider took the message and before we recorded it.
"""

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from pingcheng.notices import services
from pingcheng.notices.models import Notice
from pingcheng.notices.tasks import notices_sweep
from tests.conftest import REPO, service_missing, wait_for
from tests.notices.people import subscriber

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

COUNT = 12
BLOCK_AT = 5
LEASE_SECONDS = 2


def _start_worker(queue: str, sms_dir, log_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notices.worker_settings",
        "PINGCHENG_WORKER_DB_NAME": str(connection.settings_dict["NAME"]),
        "PINGCHENG_TEST_SMS_DIR": str(sms_dir),
        "NOTICE_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "pingcheng", "worker", "--pool=solo", "--loglevel=INFO", "-Q", queue,
        "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"killed-{os.getpid()}@%h",
    ]  # fmt: skip
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if "ready." in log_path.read_text(errors="replace"):
            return process
        time.sleep(0.2)
    process.kill()
    service_missing(f"Celery worker did not start on {settings.CELERY_BROKER_URL}:\n{log_path.read_text()[-3000:]}")


def _provider_log(sms_dir) -> list[str]:
    path = sms_dir / "sent.log"
    return [line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_a_worker_killed_mid_send_loses_nothing_and_duplicates_only_the_message_in_flight(tmp_path, monkeypatch):
    sms_dir = tmp_path / "provider"
    sms_dir.mkdir()
    monkeypatch.setenv("PINGCHENG_TEST_SMS_DIR", str(sms_dir))
    (sms_dir / "block").write_text(str(BLOCK_AT))

    # Scheduled a moment ahead, so no task is queued for them: only the sweep in our worker sends them.
    due = timezone.now() + timedelta(seconds=1)
    for index in range(COUNT):
        services.notice_enqueue(kind="generic", recipient=subscriber(phone=f"139000000{index:02d}"),
                                key=f"event:{index}", context={"body": f"第{index}条"}, send_after=due)  # fmt: skip
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-killed"
    worker = _start_worker(queue, sms_dir, tmp_path / "worker.log")
    try:
        wait_for(lambda: timezone.now() > due, timeout=5, message="the notices to fall due")
        notices_sweep.apply_async(queue=queue)
        wait_for(lambda: (sms_dir / "blocked").exists(), timeout=45, message="the provider to hang mid-send")
        in_flight = Notice.objects.get(uuid=(sms_dir / "blocked").read_text())
        worker.kill()  # SIGKILL: no cleanup, no acknowledgement, no "failed" record
        worker.wait(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=15)
    (sms_dir / "block").unlink()

    # What the dead worker left: the attempt in flight was counted when it was claimed.
    in_flight.refresh_from_db()
    assert in_flight.status == Notice.Status.SENDING and in_flight.attempts == 1
    assert Notice.objects.filter(status=Notice.Status.SENT).count() == BLOCK_AT - 1
    assert Notice.objects.filter(status=Notice.Status.PENDING).count() == COUNT - BLOCK_AT

    # Once the lease is over, the sweep delivers everything that is left.
    wait_for(lambda: timezone.now() > in_flight.lease_until, timeout=LEASE_SECONDS + 5, message="the lease to end")
    with override_settings(SMS_BACKEND="tests.notices.backends.BlockingFileSmsBackend"):
        assert services.notices_sweep() == COUNT - BLOCK_AT + 1
        assert services.notices_sweep() == 0

    notices = list(Notice.objects.all())
    assert {n.status for n in notices} == {Notice.Status.SENT}
    sends = Counter(_provider_log(sms_dir))
    assert set(sends) == {str(n.uuid) for n in notices}, "a notice was lost"
    # The one duplicate is the message in flight, sent again under the same idempotency key.
    assert {key: count for key, count in sends.items() if count > 1} == {str(in_flight.uuid): 2}
    assert {n.uuid: n.attempts for n in notices} == {n.uuid: (2 if n.pk == in_flight.pk else 1) for n in notices}
