"""Through a real Celery worker process, on Redis in CI's PostgreSQL leg and the filesystem transport otherwise."""

import pytest
from django.db import transaction

from pingcheng.notices import services
from pingcheng.notices.models import Notice
from tests.conftest import wait_for
from tests.notices.people import subscriber

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_committed_notice_is_delivered_by_a_real_worker(celery_worker):
    person = subscriber(phone="13900139000")
    with transaction.atomic():
        [notice] = services.notice_enqueue(kind="generic", recipient=person, key="worker:1",
                                           context={"body": "您关注的专项活动有新进展"})  # fmt: skip

    def sent():
        notice.refresh_from_db()
        return notice.status == Notice.Status.SENT

    wait_for(sent, timeout=45, message="the worker to deliver the notice")
    assert notice.attempts == 1


def test_the_sweep_task_runs_in_the_worker(celery_worker):
    from pingcheng.notices.tasks import notices_sweep

    # Written without a dispatch, as if the task had been lost: only the sweep can deliver it.
    notice = Notice.objects.create(key="lost:1", kind="generic", template="generic", channel=Notice.Channel.SMS,
                                   recipient="13900139001", context={"body": "x"})  # fmt: skip
    notices_sweep.delay()

    def sent():
        notice.refresh_from_db()
        return notice.status == Notice.Status.SENT

    wait_for(sent, timeout=45, message="the sweep task to deliver the lost notice")
