"""Issue 13 review (notices): what residents, staff and supervisors met when the notices were tried from outside."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from pingcheng.directory.models import Role
from pingcheng.notices import services, subscriptions
from pingcheng.notices.models import Notice, StaffNoticePreference, Subscriber
from tests.factories import staff
from tests.grievances.desk_world import desk_world  # noqa: F401 — the desk's fixture
from tests.notices.people import subscriber
from tests.notices.subscribing import unit_tree

pytestmark = pytest.mark.django_db


def test_a_staff_member_without_an_email_address_cannot_choose_email_as_their_only_channel(client):
    user = staff(Role.GRID_WORKER, email="")
    client.force_login(user)
    response = client.post("/admin/inbox/preferences/", {"by_email": "on"})
    assert response.status_code == 400 and "没有登记电子邮箱" in response.text
    assert not StaffNoticePreference.objects.filter(user=user).exists()
    # With another channel beside it, or with an address on the account, the choice is saved.
    assert client.post("/admin/inbox/preferences/", {"by_email": "on", "by_inbox": "on"}).status_code == 302
    user.email = "grid@pingcheng.example"
    user.save(update_fields=["email"])
    assert client.post("/admin/inbox/preferences/", {"by_email": "on"}).status_code == 302
    assert StaffNoticePreference.objects.get(user=user).by_inbox is False


def test_the_outbox_shows_no_link_token_or_code_a_message_carried(client):
    units = unit_tree()
    client.force_login(staff(Role.SUPERVISOR))
    client.post("/subscribe/", {"address": "resident@example.com", "topics": ["news"],
                                "units": [units["yujinyuan"].pk], "frequency": "immediate"})  # fmt: skip
    client.post("/subscribe/", {"address": "13900139000", "topics": ["news"], "frequency": "immediate"})
    person = Subscriber.objects.get(email="resident@example.com")
    code = Notice.objects.get(kind="subscription_code").context["code"]
    for notice in Notice.objects.filter(kind__startswith="subscription_"):
        page = client.get(f"/admin/notices/notice/{notice.pk}/change/").text
        assert person.token not in page and code not in page
        assert "/subscribe/confirm/" in page or "验证码" in page or "code" in page


def test_the_confirmation_link_after_unsubscribing_does_not_claim_the_subscription_is_back(client):
    person = subscriber(email="resident@example.com")
    subscriptions.subscriber_unsubscribe(subscriber=person)
    confirm = f"/subscribe/confirm/{person.token}/"
    assert client.get(confirm)["Location"] == f"/subscribe/manage/{person.token}/"
    response = client.post(confirm, follow=True)
    person.refresh_from_db()
    assert person.is_active is False
    assert "订阅已确认" not in response.text and "已退订" in response.text


@override_settings(NOTICE_ADDRESS_RETENTION_DAYS=30)
def test_a_cancelled_notice_keeps_its_address_no_longer_than_the_retention():
    # A reminder cancelled at send time because its activity moved (rules' guard) ends "canceled" with its address.
    [notice] = services.notice_enqueue(kind="generic", recipient=subscriber(phone="13812341234"), key="old:1",
                                       context={"body": "x"})  # fmt: skip
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.CANCELED,
                                               created_at=timezone.now() - timedelta(days=31))  # fmt: skip
    assert services.notices_erase_addresses() == 1
    notice.refresh_from_db()
    assert (notice.recipient, notice.masked_recipient) == ("", "138****1234")


def test_the_inbox_links_a_url_written_after_chinese_punctuation_and_still_escapes_the_text(client):
    user = staff(Role.GRID_WORKER, username="grid")
    link = "http://127.0.0.1:8000/alerts/ack/uWvayHlsyP5T8pX7JfMSPg/"
    services.notice_enqueue(kind="generic", recipient=user, key="alert:1",
                            context={"subject": "暴雨预警", "body": f"<b>低洼</b> & 地下车库\n请确认收到：{link}。"})  # fmt: skip
    client.force_login(user)
    page = client.get("/admin/inbox/").text
    assert f'<a href="{link}"' in page
    assert "&lt;b&gt;低洼&lt;/b&gt; &amp; 地下车库" in page


def test_an_inquiry_notice_leads_its_handler_to_the_inquiry_by_email_and_from_the_inbox(client, desk_world):  # noqa: F811
    import datetime as dt

    from django.conf import settings

    from grievances import services as desk
    from grievances.models import Inquiry
    from tests.grievances.desk_world import submit

    inquiry = submit(desk_world)
    Inquiry.objects.filter(pk=inquiry.pk).update(deadline_due=dt.date(2026, 12, 4))
    mail.outbox.clear()
    assert desk.inquiries_remind_due(today=dt.date(2026, 12, 3)) == 1
    services.notices_sweep()
    page = settings.SITE_URL + f"/desk/{inquiry.pk}/"
    emails = [message.body for message in mail.outbox if message.to == [desk_world.union_handler.email]]
    assert emails and all(page in body for body in emails)  # the due-date reminder, and the assignment before it
    client.force_login(desk_world.union_handler)
    assert f'href="/desk/{inquiry.pk}/"' in client.get("/admin/inbox/").text


def test_a_digest_says_which_activities_were_cancelled_or_moved(monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from pingcheng.notices import audience
    from pingcheng.notices.models import Frequency, Topic
    from tests.notices.subscribing import follower

    units = unit_tree()
    follower(email="daily@example.com", unit=units["xinwang"], topic=Topic.CAMPAIGN, frequency=Frequency.DAILY)
    shanghai = ZoneInfo("Asia/Shanghai")
    clock = {"now": datetime(2026, 11, 26, 18, tzinfo=shanghai)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    activity = {"title": "防汛应急演练", "campaign": "防汛", "unit": "御锦源社区", "when": "11月28日 09:00",
                "url": "http://x/campaigns/1/"}  # fmt: skip
    for kind, key in (("campaign_activity_cancelled", "activity:1:event:9"), ("campaign_activity_moved",
                                                                              "activity:2:event:10")):  # fmt: skip
        fanout = audience.subscribers_notify(kind=kind, topic=Topic.CAMPAIGN, key=key, units=[units["yujinyuan"]],
                                             context={**activity, "title": f"{activity['title']}{key[-1]}"})  # fmt: skip
        audience.fanout_expand(fanout_id=fanout.pk)
    clock["now"] = datetime(2026, 11, 27, 7, 30, tzinfo=shanghai)
    assert audience.digests_sweep() == 1
    services.notices_sweep()
    [digest] = mail.outbox
    lines = [line for line in digest.body.splitlines() if "防汛应急演练" in line]
    assert any("取消" in line for line in lines if "演练9" in line), lines
    assert any("改期" in line for line in lines if "演练0" in line), lines


def test_typing_someone_s_number_again_and_again_sends_it_a_few_messages_a_day_not_one_an_attempt(monkeypatch):
    # Confirmation codes and manage links go out at once, day or night and past the daily SMS cap (someone is
    # waiting for them): whoever types a number must not be able to make us text it without end.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    units = unit_tree()
    clock = {"now": datetime(2026, 12, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    for _attempt in range(8):
        clock["now"] += timedelta(minutes=30)
        subscriptions.subscriber_subscribe(address="13900139000", units=[units["yujinyuan"]], topics=["news"],
                                           frequency="immediate")  # fmt: skip
    assert Notice.objects.filter(recipient="13900139000").count() == subscriptions.ADDRESS_MESSAGES_PER_DAY
    clock["now"] += timedelta(days=1)  # the next day the resident can ask again
    subscriptions.subscriber_subscribe(address="13900139000", units=[], topics=["news"], frequency="immediate")
    assert Notice.objects.filter(recipient="13900139000").count() == subscriptions.ADDRESS_MESSAGES_PER_DAY + 1
