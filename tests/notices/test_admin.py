import pytest

from pingcheng.directory.models import Role
from pingcheng.notices.models import Notice, mask_address
from tests.factories import staff

pytestmark = pytest.mark.django_db


def _notice(status, key, kind="generic", recipient="13800138000"):
    return Notice.objects.create(key=key, kind=kind, channel=Notice.Channel.SMS, recipient=recipient,
                                 recipient_hint=mask_address(recipient), template="generic",
                                 context={"body": "x"}, status=status, attempts=8)  # fmt: skip


def test_supervisors_see_the_outbox_by_state_with_masked_recipients(client):
    _notice(Notice.Status.DEAD, "a")
    _notice(Notice.Status.SENT, "b")
    client.force_login(staff(Role.SUPERVISOR))
    response = client.get("/admin/notices/notice/", {"status__exact": "dead"})
    assert response.status_code == 200
    assert "138****8000" in response.text and "13800138000" not in response.text
    assert response.context["cl"].result_count == 1


def test_supervisors_filter_the_outbox_by_kind_and_channel(client):
    _notice(Notice.Status.SENT, "a", kind="article_published")
    _notice(Notice.Status.SENT, "b", kind="generic")
    client.force_login(staff(Role.SUPERVISOR))
    response = client.get("/admin/notices/notice/", {"kind": "article_published", "channel__exact": "sms"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_a_dead_notice_is_resent_from_the_admin(client):
    dead = _notice(Notice.Status.DEAD, "a")
    client.force_login(staff(Role.SUPERVISOR))
    response = client.post("/admin/notices/notice/", {"action": "resend", "_selected_action": [dead.pk]}, follow=True)
    assert "已重新安排 1 条通知" in response.text
    dead.refresh_from_db()
    assert dead.status == Notice.Status.PENDING and dead.attempts == 0


def test_a_dead_notice_without_its_address_is_not_resent_and_the_admin_says_why(client):
    erased = _notice(Notice.Status.DEAD, "a")
    Notice.objects.filter(pk=erased.pk).update(recipient="")
    client.force_login(staff(Role.SUPERVISOR))
    response = client.post("/admin/notices/notice/", {"action": "resend", "_selected_action": [erased.pk]},
                           follow=True)  # fmt: skip
    assert "1 条通知的收件地址已按保留期限清除" in response.text
    erased.refresh_from_db()
    assert erased.status == Notice.Status.DEAD


def test_reporters_do_not_see_the_outbox(client):
    client.force_login(staff(Role.REPORTER))
    assert client.get("/admin/notices/notice/").status_code == 403


def test_the_outbox_report_counts_per_day_kind_and_channel(client, django_assert_max_num_queries):
    _notice(Notice.Status.DEAD, "a", kind="article_published")
    _notice(Notice.Status.SENT, "b", kind="article_published")
    _notice(Notice.Status.SENT, "c", kind="generic")
    client.force_login(staff(Role.SUPERVISOR))
    assert "按天、类型和渠道统计" in client.get("/admin/notices/notice/").text
    with django_assert_max_num_queries(12):
        response = client.get("/admin/notices/notice/report/")
    assert response.status_code == 200
    rows = {(row["kind"], row["channel"]): (row["total"], row["sent"], row["dead"]) for row in response.context["rows"]}
    assert rows == {("article_published", "sms"): (2, 1, 1), ("generic", "sms"): (1, 1, 0)}


def test_the_outbox_report_is_refused_to_staff_without_the_role(client):
    client.force_login(staff(Role.REPORTER))
    assert client.get("/admin/notices/notice/report/").status_code == 403


def test_supervisors_see_subscribers_masked_and_cannot_change_them(client):
    from pingcheng.notices.models import Subscriber, Subscription

    person = Subscriber.objects.create(email="resident@example.com", confirmed_at=None)
    Subscription.objects.create(subscriber=person, topic="news")
    client.force_login(staff(Role.SUPERVISOR))
    listing = client.get("/admin/notices/subscriber/")
    assert listing.status_code == 200 and "r***@example.com" in listing.text
    assert "resident@example.com" not in listing.text
    detail = client.get(f"/admin/notices/subscriber/{person.pk}/change/")
    assert detail.status_code == 200 and "resident@example.com" not in detail.text and person.token not in detail.text
    assert client.post(f"/admin/notices/subscriber/{person.pk}/change/", {}).status_code == 403
