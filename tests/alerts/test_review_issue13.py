"""Issue 13 review (warnings): what a resident and an issuer met when the warnings were tried from outside."""


import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from pingcheng.alerts import services
from pingcheng.alerts.models import Alert, AlertRecipient
from pingcheng.directory.models import Role, Unit
from pingcheng.notices import sms
from pingcheng.notices.bulk import notices_deliver_batch
from pingcheng.notices.models import Notice, Subscription, Topic
from tests.factories import UnitFactory, district, staff
from tests.notices.people import subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = district()
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=root)
    community = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    empty = UnitFactory(code="liuyuan", name="柳园东院社区", kind=Unit.Kind.COMMUNITY, parent=street)
    grid = UnitFactory(code="yujinyuan-grid-1", name="御锦源社区第一网格", kind=Unit.Kind.GRID, parent=community)
    return {"street": street, "community": community, "empty": empty, "grid": grid}


@pytest.fixture
def issuer(tree):
    return staff(Role.STREET_STAFF, tree["street"], username="xinwang", last_name="赵", first_name="红梅")


def _issue(issuer, units, **fields):
    values = {"title": "暴雨橙色预警", "text": "今夜有大到暴雨，请巡查低洼院落。", "severity": Alert.Severity.ORANGE}
    values.update(fields)
    with transaction.atomic():
        return services.alert_issue(by=issuer, units=units, **values)


def _fan_out(alert):
    for fanout in alert.fanouts.all():
        services.alert_fanout_run(fanout_id=fanout.pk)


def _deliver_all():
    notices_deliver_batch(notice_ids=list(Notice.objects.exclude(channel="inbox").values_list("pk", flat=True)))


def test_a_warning_to_a_subscriber_carries_the_unsubscribe_link_by_sms_and_email(tree, issuer):
    by_phone = subscriber(phone="13700000001")
    by_email = subscriber(email="resident@example.com")
    for person in (by_phone, by_email):
        Subscription.objects.create(subscriber=person, unit=tree["community"], topic=Topic.WARNING)
    grid_worker = staff(Role.GRID_WORKER, tree["grid"], username="grid", email="grid@pingcheng.example")
    _fan_out(_issue(issuer, [tree["community"]]))
    _deliver_all()
    [text] = [message.text for message in sms.outbox if message.phone == "13700000001"]
    assert f"/subscribe/unsubscribe/{by_phone.token}/" in text
    [email] = [message for message in mail.outbox if message.to == ["resident@example.com"]]
    assert f"/subscribe/unsubscribe/{by_email.token}/" in email.body
    # Staff get work notices through their memberships: no subscription to end.
    [staff_email] = [message for message in mail.outbox if message.to == [grid_worker.email]]
    assert "/subscribe/" not in staff_email.body


@pytest.mark.parametrize("sender", ["+8613700000001", "+86 137 0000 0001", "8613700000001", "008613700000001"])
def test_an_sms_reply_acknowledges_whatever_way_the_provider_writes_the_sender(tree, issuer, sender):
    person = subscriber(phone="13700000001")
    Subscription.objects.create(subscriber=person, unit=tree["community"], topic=Topic.WARNING)
    alert = _issue(issuer, [tree["community"]])
    _fan_out(alert)
    recipient = alert.recipients.get(subscriber=person)
    call_command("alerts_sms_reply", phone=sender, text=f"收到{recipient.code}")
    recipient.refresh_from_db()
    assert recipient.acknowledged_via == AlertRecipient.Via.SMS


def _issue_form(client) -> dict:
    page = client.get(reverse("alerts:new")).text
    return {"submission": re.search(r'name="submission" value="([0-9a-f-]{36})"', page).group(1)}


def test_the_issue_form_sent_twice_issues_one_warning(client, tree, issuer):
    client.force_login(issuer)
    data = {"title": "暴雨橙色预警", "severity": "orange", "text": "今夜有大到暴雨。",
            "units": [tree["community"].pk, tree["empty"].pk], **_issue_form(client)}  # fmt: skip
    first = client.post(reverse("alerts:new"), data)
    second = client.post(reverse("alerts:new"), data)
    assert first.status_code == second.status_code == 302
    alert = Alert.objects.get()
    assert first["Location"] == second["Location"] == alert.get_absolute_url()
    assert alert.fanouts.count() == 1
    # The form loaded again is a new warning, whatever it says.
    assert client.post(reverse("alerts:new"), {**data, **_issue_form(client)}).status_code == 302
    assert Alert.objects.count() == 2


def test_another_issuers_form_key_issues_nothing_in_their_name(client, tree, issuer):
    client.force_login(issuer)
    data = {"title": "暴雨橙色预警", "severity": "orange", "text": "今夜有大到暴雨。", "units": [tree["community"].pk],
            **_issue_form(client)}  # fmt: skip
    client.post(reverse("alerts:new"), data)
    client.force_login(staff(Role.STREET_STAFF, tree["street"], username="other"))
    response = client.post(reverse("alerts:new"), data)
    assert response.status_code == 200 and "请重新打开" in response.text
    assert Alert.objects.count() == 1


def test_resend_pressed_twice_on_one_board_resends_once(client, tree, issuer):
    staff(Role.GRID_WORKER, tree["grid"], username="grid")
    alert = _issue(issuer, [tree["community"]])
    _fan_out(alert)
    client.force_login(issuer)
    board = client.get(reverse("alerts:board", args=[alert.pk])).text
    assert 'name="after_round" value="0"' in board
    client.post(reverse("alerts:resend", args=[alert.pk]), {"after_round": "0"})
    response = client.post(reverse("alerts:resend", args=[alert.pk]), {"after_round": "0"}, follow=True)
    assert alert.fanouts.count() == 2
    assert "已经重发过" in response.text
    # The board loaded again offers the next re-send.
    client.post(reverse("alerts:resend", args=[alert.pk]), {"after_round": "1"})
    assert alert.fanouts.count() == 3


def test_the_board_names_a_chosen_unit_that_nobody_was_reached_in(client, tree, issuer):
    staff(Role.GRID_WORKER, tree["grid"], username="grid", last_name="陈", first_name="晓东")
    alert = _issue(issuer, [tree["community"], tree["empty"]])
    _fan_out(alert)
    client.force_login(issuer)
    page = client.get(reverse("alerts:board", args=[alert.pk])).text
    assert "陈晓东" in page
    units = page.split("各单位确认情况")[1]
    assert "柳园东院社区" in units and "没有可通知的人员" in units


def test_a_warning_sms_is_signed_with_the_configured_signature(tree, issuer, settings):
    # Carriers pass only a registered signature: the warning, of all messages, must carry the deployment's one.
    settings.NOTICE_SMS_SIGNATURE = "【平城发布】"
    person = subscriber(phone="13700000001")
    Subscription.objects.create(subscriber=person, unit=tree["community"], topic=Topic.WARNING)
    _fan_out(_issue(issuer, [tree["community"]]))
    _deliver_all()
    [message] = sms.outbox
    assert message.text.startswith("【平城发布】橙色预警") and message.text.count("【") == 1
