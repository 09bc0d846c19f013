"""Issue 13 review: the same warning form sent twice at the same moment (two taps that both reach the server)
issues one warning, and both sendings are answered with its board."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from pingcheng.alerts.models import Alert
from pingcheng.directory.models import Role, Unit
from tests.factories import UnitFactory, district, staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_issue_form_sent_twice_at_once_issues_one_warning(broker_down):
    # With the broker down the fan-out waits for the sweep: a session's Celery worker (started by an earlier
    # test file on this xdist worker) would otherwise be expanding it while the test database is flushed.
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    community = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    issuer = staff(Role.STREET_STAFF, street, username="xinwang")
    data = {"title": "暴雨橙色预警", "severity": "orange", "text": "今夜有大到暴雨。", "units": [community.pk],
            "submission": "0b7582c5-fce4-4df5-a06a-61c10fffac3e"}  # fmt: skip
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def send():
        client = Client()
        client.force_login(issuer)
        try:
            barrier.wait()
            answers.append(client.post(reverse("alerts:new"), data))
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    alert = Alert.objects.get()
    assert [answer.status_code for answer in answers] == [302, 302]
    assert {answer["Location"] for answer in answers} == {alert.get_absolute_url()}
    assert alert.fanouts.count() == 1
