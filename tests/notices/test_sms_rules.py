"""SMS rules: the signature, quiet hours (held until they end, never dropped) and per-number daily caps for
non-urgent kinds; urgent kinds go at once. Staff choose their channels."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from pingcheng.directory.models import Role
from pingcheng.notices import rules, services, sms
from pingcheng.notices.models import Notice, StaffNoticePreference
from tests.factories import staff
from tests.notices.people import subscriber

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "13900139000"


def _at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    """Moves ``timezone.now`` as the services see it (the database's own clock is not involved)."""

    def __init__(self, monkeypatch, moment: datetime):
        self.moment = moment
        monkeypatch.setattr(timezone, "now", lambda: self.moment)


def _news(person, key="article:1:subscribers", send_after=None):
    [notice] = services.notice_enqueue(kind="news_published", recipient=person, key=key, send_after=send_after,
                                       context={"title": "御锦源社区开展防汛演练", "url": "http://x/news/1/"})  # fmt: skip
    return notice


@override_settings(NOTICE_QUIET_HOURS="21:00-08:00")
def test_a_non_urgent_sms_due_in_quiet_hours_is_held_until_they_end_then_sent(monkeypatch):
    clock = Clock(monkeypatch, _at(22, 30))
    notice = _news(subscriber(phone=PHONE))
    assert services.notices_sweep() == 0
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PENDING and sms.outbox == []
    assert notice.send_after == _at(8, 0, day=2) and notice.attempts == 0
    clock.moment = _at(7, 59, day=2)
    assert services.notices_sweep() == 0
    clock.moment = _at(8, 0, day=2)
    assert services.notices_sweep() == 1
    [message] = sms.outbox
    assert message.text.startswith("【平城区融媒体中心】御锦源社区开展防汛演练")


@override_settings(NOTICE_QUIET_HOURS="21:00-08:00")
def test_an_sms_outside_quiet_hours_goes_at_once(monkeypatch):
    Clock(monkeypatch, _at(20, 59))
    _news(subscriber(phone=PHONE))
    assert services.notices_sweep() == 1


@override_settings(NOTICE_QUIET_HOURS="21:00-08:00")
def test_an_urgent_kind_ignores_quiet_hours(monkeypatch, scratch_kinds):
    from pingcheng.notices.kinds import kind_register

    kind_register(name="flood_test", template="generic", channels={"sms"}, urgent=True, description="预警测试")
    Clock(monkeypatch, _at(2, 0))
    services.notice_enqueue(kind="flood_test", recipient=subscriber(phone=PHONE), key="flood:1",
                            context={"body": "暴雨预警"})  # fmt: skip
    assert services.notices_sweep() == 1


@override_settings(NOTICE_QUIET_HOURS="21:00-08:00")
def test_quiet_hours_hold_sms_only_not_email(monkeypatch):
    Clock(monkeypatch, _at(23, 0))
    _news(subscriber(email="resident@example.com"))
    assert services.notices_sweep() == 1


@override_settings(NOTICE_SMS_DAILY_CAP=2, NOTICE_QUIET_HOURS="21:00-08:00")
def test_a_number_past_its_daily_cap_waits_for_the_next_morning(monkeypatch):
    clock = Clock(monkeypatch, _at(10, 0))
    person = subscriber(phone=PHONE)
    notices = [_news(person, key=f"article:{n}:subscribers") for n in range(3)]
    assert services.notices_sweep() == 2
    held = Notice.objects.get(pk=notices[2].pk)
    assert held.status == Notice.Status.PENDING and held.send_after == _at(8, 0, day=2)
    other = _news(subscriber(phone="13900139001"), key="article:9:subscribers")
    assert services.notices_sweep() == 1  # another number has its own cap
    other.refresh_from_db()
    assert other.status == Notice.Status.SENT
    clock.moment = _at(8, 1, day=2)
    assert services.notices_sweep() == 1
    assert len([message for message in sms.outbox if message.phone == PHONE]) == 3


def test_quiet_hours_end_handles_the_hours_on_both_sides_of_midnight():
    with override_settings(NOTICE_QUIET_HOURS="21:00-08:00"):
        assert rules.quiet_hours_end(_at(21, 0)) == _at(8, 0, day=2)
        assert rules.quiet_hours_end(_at(3, 0)) == _at(8, 0)
        assert rules.quiet_hours_end(_at(8, 0)) is None
        assert rules.quiet_hours_end(_at(20, 59)) is None
    with override_settings(NOTICE_QUIET_HOURS="12:00-14:00"):
        assert rules.quiet_hours_end(_at(13, 0)) == _at(14, 0)
        assert rules.quiet_hours_end(_at(15, 0)) is None
    with override_settings(NOTICE_QUIET_HOURS=""):
        assert rules.quiet_hours_end(_at(23, 0)) is None


@override_settings(NOTICE_SMS_SIGNATURE="【平城发布】")
def test_the_signature_is_configurable_and_every_template_carries_it():
    _news(subscriber(phone=PHONE))
    services.notice_enqueue(kind="generic", recipient=subscriber(phone="13900139001"), key="g:1",
                            context={"body": "x"})  # fmt: skip
    services.notices_sweep()
    news, generic = sorted(sms.outbox, key=lambda message: message.phone != PHONE)
    # Carriers refuse a signature that is not registered: no template may carry one of its own.
    assert news.text.startswith("【平城发布】御锦源社区") and generic.text.startswith("【平城发布】x")


def test_every_sms_to_a_subscriber_carries_the_unsubscribe_link():
    person = subscriber(phone=PHONE)
    _news(person)
    services.notices_sweep()
    [message] = sms.outbox
    assert f"/subscribe/unsubscribe/{person.token}/" in message.text


def test_staff_without_preferences_get_inbox_and_email():
    user = staff(Role.EDITOR, email="editor@example.com")
    notices = services.notice_enqueue(kind="generic", recipient=user, key="k:1", context={"body": "x"})
    assert sorted(notice.channel for notice in notices) == ["email", "inbox"]


def test_staff_who_choose_sms_only_get_sms_to_their_number():
    user = staff(Role.EDITOR, email="editor@example.com")
    StaffNoticePreference.objects.create(user=user, by_inbox=False, by_email=False, by_sms=True, phone=PHONE)
    [notice] = services.notice_enqueue(kind="generic", recipient=user, key="k:1", context={"body": "x"})
    assert notice.channel == "sms" and notice.recipient == PHONE


def test_the_preferences_page_saves_the_channels(client):
    user = staff(Role.EDITOR, email="editor@example.com")
    client.force_login(user)
    page = client.get("/admin/inbox/preferences/")
    assert page.status_code == 200 and "短信" in page.text
    refused = client.post("/admin/inbox/preferences/", {"by_sms": "on"})
    assert refused.status_code == 400 and "选择短信接收时请填写手机号码" in refused.text
    response = client.post("/admin/inbox/preferences/", {"by_inbox": "on", "by_sms": "on", "phone": PHONE})
    assert response.status_code == 302
    preference = StaffNoticePreference.objects.get(user=user)
    assert (preference.by_inbox, preference.by_email, preference.by_sms) == (True, False, True)


def test_the_preferences_page_is_for_staff_only(client):
    assert client.get("/admin/inbox/preferences/").status_code == 302


def test_held_notices_do_not_count_as_attempts(monkeypatch):
    with override_settings(NOTICE_QUIET_HOURS="21:00-08:00"):
        clock = Clock(monkeypatch, _at(23, 0))
        notice = _news(subscriber(phone=PHONE))
        for minutes in range(3):
            clock.moment = _at(23, minutes)
            services.notices_sweep()
        notice.refresh_from_db()
        assert notice.attempts == 0 and notice.status == Notice.Status.PENDING
        clock.moment += timedelta(hours=10)
        services.notices_sweep()
        notice.refresh_from_db()
        assert notice.attempts == 1 and notice.status == Notice.Status.SENT


class _Gateway:
    """A provider's HTTPS gateway stand-in on loopback (an outside service, not ours): records what it got."""

    def __init__(self, status: int):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, HTTPServer

        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.headers["Authorization"], json.loads(body)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(("status", "outcome"), [(200, Notice.Status.SENT), (503, Notice.Status.FAILED)])
def test_the_gateway_backend_posts_the_signed_text_and_the_idempotency_key(status, outcome):
    gateway = _Gateway(status)
    try:
        with override_settings(SMS_BACKEND="pingcheng.notices.sms.GatewaySmsBackend", SMS_GATEWAY_URL=gateway.url,
                               SMS_GATEWAY_TOKEN="t0ken"):  # fmt: skip
            notice = _news(subscriber(phone=PHONE))
            services.notices_sweep()
    finally:
        gateway.close()
    [(authorization, payload)] = gateway.received
    assert authorization == "Bearer t0ken" and payload["phone"] == PHONE and payload["out_id"] == str(notice.uuid)
    assert payload["content"].startswith("【平城区融媒体中心】")
    notice.refresh_from_db()
    assert notice.status == outcome


def test_no_sms_template_carries_a_signature_of_its_own():
    # A template's own 【…】 replaced NOTICE_SMS_SIGNATURE, the one a carrier has registered for the sender.
    from django.conf import settings

    templates = [path for folder in settings.TEMPLATES[0]["DIRS"] for path in Path(folder).rglob("*.sms.txt")]
    assert templates
    signed = [str(path) for path in templates if path.read_text(encoding="utf-8").lstrip().startswith("【")]
    assert signed == []
