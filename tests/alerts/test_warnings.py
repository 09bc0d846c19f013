"""Warnings (预警): issue, scope, fan-out to grid workers and staff, acknowledgement by link and by SMS reply,
re-send to who has not, and the board's counts — with its query count at two sizes."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from pingcheng.alerts import services
from pingcheng.alerts.models import Alert, AlertFanout, AlertRecipient
from pingcheng.directory.models import Membership, Role
from pingcheng.errors import DomainError
from pingcheng.notices import sms
from pingcheng.notices.models import Notice, StaffNoticePreference
from tests.factories import staff

pytestmark = pytest.mark.django_db


def _issue(people, units, **fields):
    values = {"title": "暴雨橙色预警", "text": "今夜有大到暴雨，请巡查低洼院落。", "severity": Alert.Severity.ORANGE}
    values.update(fields)
    with transaction.atomic():
        alert = services.alert_issue(by=people["issuer"], units=units, **values)
    return alert


def _fan_out(alert):
    for fanout in alert.fanouts.all():
        services.alert_fanout_run(fanout_id=fanout.pk)


# --- Issue and scope -----------------------------------------------------------------------------------


def test_issuing_writes_the_warning_and_one_fanout_job_and_nothing_else(tree, people):
    alert = _issue(people, [tree["community"]])
    assert [(f.round, f.phase) for f in alert.fanouts.all()] == [(0, AlertFanout.Phase.STAFF)]
    assert not AlertRecipient.objects.exists()
    assert not Notice.objects.exists()


def test_fanout_reaches_grid_workers_and_staff_below_the_units_and_nobody_else(tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    reached = {r.user for r in alert.recipients.all()}
    assert reached == {people["grid"], people["community"]}
    assert alert.recipients.get(user=people["grid"]).unit == tree["grid"]  # counted under the grid
    kinds = Counter((n.user.username, n.channel) for n in Notice.objects.filter(kind="alert_issued"))
    assert kinds == {("grid", "inbox"): 1, ("grid", "email"): 1, ("grid", "sms"): 1, ("yjy", "inbox"): 1}
    assert set(Notice.objects.values_list("key", flat=True)) == {
        f"alert:{alert.pk}:u{people['grid'].pk}",
        f"alert:{alert.pk}:u{people['community'].pk}",
    }


def test_running_the_fanout_twice_writes_each_notice_once(tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    AlertFanout.objects.filter(alert=alert).update(phase=AlertFanout.Phase.STAFF, cursor=0)
    _fan_out(alert)
    assert alert.recipients.count() == 2
    assert Notice.objects.filter(kind="alert_issued").count() == 4


def test_street_staff_cannot_issue_to_another_street(tree, people):
    with pytest.raises(DomainError) as refused:
        _issue(people, [tree["far"]])
    assert refused.value.code == "alert_unit_out_of_scope"
    assert not Alert.objects.exists()


def test_a_grid_worker_cannot_issue(tree, people):
    with pytest.raises(DomainError) as refused, transaction.atomic():
        services.alert_issue(by=people["grid"], units=[tree["grid"]], title="t", text="x", severity="red")
    assert refused.value.code == "alert_not_issuer"


def test_the_issue_page_offers_only_units_in_scope_and_refuses_a_crafted_one(client, tree, people):
    client.force_login(people["issuer"])
    page = client.get(reverse("alerts:new"))
    assert page.status_code == 200
    offered = set(page.context["form"].fields["units"].queryset)
    assert tree["community"] in offered and tree["grid"] in offered and tree["far"] not in offered
    crafted = client.post(reverse("alerts:new"), {"title": "暴雨预警", "text": "注意", "severity": "orange",
                                                  "units": [tree["far"].pk]})  # fmt: skip
    assert crafted.status_code == 200
    assert "所选单位不在您的管辖范围内" in crafted.content.decode()
    assert not Alert.objects.exists()


def test_issuing_from_the_page_leads_to_its_board(client, tree, people):
    client.force_login(people["issuer"])
    response = client.post(reverse("alerts:new"), {"title": "暴雨橙色预警", "text": "注意防汛", "severity": "orange",
                                                   "units": [tree["community"].pk, tree["second"].pk]})  # fmt: skip
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("alerts:board", args=[alert.pk])
    assert set(alert.units.all()) == {tree["community"], tree["second"]}


def test_a_grid_worker_gets_403_on_the_issue_page(client, people):
    client.force_login(people["grid"])
    assert client.get(reverse("alerts:new")).status_code == 403


def test_the_board_is_the_issuers_own_and_a_404_for_other_staff(client, tree, people):
    alert = _issue(people, [tree["community"]])
    other_issuer = staff(Role.STREET_STAFF, tree["street"], username="colleague")
    client.force_login(other_issuer)
    assert client.get(reverse("alerts:board", args=[alert.pk])).status_code == 404
    assert client.get(reverse("alerts:board", args=[alert.pk + 999])).status_code == 404
    client.force_login(people["issuer"])
    assert client.get(reverse("alerts:board", args=[alert.pk])).status_code == 200


# --- Acknowledge ---------------------------------------------------------------------------------------


def test_the_link_shows_a_button_and_only_a_post_acknowledges_and_twice_is_once(client, tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    recipient = alert.recipients.get(user=people["grid"])
    url = reverse("alerts:ack", args=[recipient.token])
    page = client.get(url)
    assert page.status_code == 200 and "确认收到" in page.content.decode()
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is None
    assert client.post(url).status_code == 302
    recipient.refresh_from_db()
    first = recipient.acknowledged_at
    assert first is not None and recipient.acknowledged_via == AlertRecipient.Via.LINK
    client.post(url)
    recipient.refresh_from_db()
    assert recipient.acknowledged_at == first
    assert "已确认收到" in client.get(url).content.decode()


def test_a_wrong_token_is_a_404(client):
    assert client.get(reverse("alerts:ack", args=["not-a-token"])).status_code == 404
    assert client.post(reverse("alerts:ack", args=["x" * 40])).status_code == 404


def test_the_sms_carries_the_link_and_the_reply_code(tree, people, settings):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    from pingcheng.notices.bulk import notices_deliver_batch

    notices_deliver_batch(notice_ids=list(Notice.objects.filter(channel="sms").values_list("pk", flat=True)))
    recipient = alert.recipients.get(user=people["grid"])
    [message] = sms.outbox
    assert message.phone == "13900000001"
    assert recipient.code in message.text and recipient.token in message.text and "暴雨橙色预警" in message.text


def test_an_sms_reply_with_the_code_from_the_same_phone_acknowledges(tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    recipient = alert.recipients.get(user=people["grid"])
    call_command("alerts_sms_reply", phone="13900000001", text=f" {recipient.code} 收到")
    recipient.refresh_from_db()
    assert recipient.acknowledged_via == AlertRecipient.Via.SMS


def test_an_sms_reply_from_another_phone_or_with_a_wrong_code_acknowledges_nothing(tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    recipient = alert.recipients.get(user=people["grid"])
    with pytest.raises(CommandError):
        call_command("alerts_sms_reply", phone="13900000002", text=recipient.code)
    wrong = f"{(int(recipient.code) + 1) % 1_000_000:06d}"
    with pytest.raises(CommandError):
        call_command("alerts_sms_reply", phone="13900000001", text=wrong)
    with pytest.raises(CommandError):
        call_command("alerts_sms_reply", phone="13900000001", text="收到")
    assert not AlertRecipient.objects.filter(acknowledged_at__isnull=False).exists()


def test_reply_codes_are_distinct_within_a_warning(tree, people):
    for index in range(30):
        staff(Role.GRID_WORKER, tree["grid"], username=f"g{index}")
    services.FANOUT_CHUNK, saved = 7, services.FANOUT_CHUNK
    try:
        alert = _issue(people, [tree["street"]])
        _fan_out(alert)
    finally:
        services.FANOUT_CHUNK = saved
    codes = list(alert.recipients.values_list("code", flat=True))
    assert len(codes) == 33 and len(set(codes)) == 33  # the street staff (the issuer among them) too


# --- Re-send -------------------------------------------------------------------------------------------


def test_resend_goes_only_to_who_has_not_acknowledged_under_a_new_key(client, tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    services.alert_acknowledge(recipient=alert.recipients.get(user=people["community"]), via="link")
    client.force_login(people["issuer"])
    response = client.post(reverse("alerts:resend", args=[alert.pk]))
    assert response.status_code == 302
    _fan_out(alert)
    resent = Notice.objects.filter(key__endswith=":resend:1")
    assert {n.user for n in resent} == {people["grid"]}
    assert {n.key for n in resent} == {f"alert:{alert.pk}:u{people['grid'].pk}:resend:1"}
    assert resent.get(channel="sms").context["resend"] == 1


def test_resend_when_everyone_acknowledged_is_refused_with_a_message(client, tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    for recipient in alert.recipients.all():
        services.alert_acknowledge(recipient=recipient, via="link")
    client.force_login(people["issuer"])
    response = client.post(reverse("alerts:resend", args=[alert.pk]), follow=True)
    assert "无需重发" in response.content.decode()
    assert alert.fanouts.count() == 1


def test_another_staff_member_cannot_resend(client, tree, people):
    alert = _issue(people, [tree["community"]])
    client.force_login(people["community"])
    assert client.post(reverse("alerts:resend", args=[alert.pk])).status_code == 404
    assert alert.fanouts.count() == 1


# --- Board ---------------------------------------------------------------------------------------------


def test_the_board_counts_unit_by_unit_and_names_who_is_missing(client, tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    services.alert_acknowledge(recipient=alert.recipients.get(user=people["community"]), via="link")
    client.force_login(people["issuer"])
    response = client.get(reverse("alerts:board", args=[alert.pk]))
    units = {board.name: (board.acknowledged, board.total) for board in response.context["units"]}
    assert units == {"御锦源社区": (1, 1), "御锦源社区第一网格": (0, 1)}
    assert [p.name for p in response.context["units"][1].missing_names] == ["陈晓东"]
    assert response.context["missing"] == 1
    assert '<meta http-equiv="refresh"' in response.content.decode()


def _crowd(tree, count: int) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"crowd{i}", is_staff=True, last_name="网", first_name=f"格{i}")
                                      for i in range(count)])  # fmt: skip
    grids = [tree["grid"], tree["community"]]
    Membership.objects.bulk_create([Membership(user=u, unit=grids[i % 2], role=Role.GRID_WORKER)
                                    for i, u in enumerate(users)])  # fmt: skip


@pytest.mark.parametrize("crowd", [5, 400])
def test_the_board_takes_the_same_queries_at_two_sizes(client, tree, people, crowd, django_assert_max_num_queries):
    _crowd(tree, crowd)
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    for recipient in alert.recipients.all()[: crowd // 2]:
        services.alert_acknowledge(recipient=recipient, via="link")
    client.force_login(people["issuer"])
    url = reverse("alerts:board", args=[alert.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.context["total"] == crowd + 2


def test_the_admin_lists_warnings_read_only_with_the_board(client, tree, people):
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    client.force_login(people["issuer"])
    listing = client.get("/admin/alerts/alert/")
    assert listing.status_code == 200 and "暴雨橙色预警" in listing.content.decode()
    detail = client.get(f"/admin/alerts/alert/{alert.pk}/change/")
    assert detail.status_code == 200 and "陈晓东" in detail.content.decode()
    assert client.post(f"/admin/alerts/alert/{alert.pk}/change/", {"title": "改"}).status_code == 403
    client.force_login(people["community"])
    assert client.get(f"/admin/alerts/alert/{alert.pk}/change/").status_code in (302, 403, 404)


def _preference_people(tree, prefix: str) -> list:
    people = [staff(Role.GRID_WORKER, tree["grid"], username=f"{prefix}plain", email=f"{prefix}@pingcheng.example"),
              staff(Role.GRID_WORKER, tree["grid"], username=f"{prefix}bad-mail", email="not-an-address"),
              staff(Role.GRID_WORKER, tree["grid"], username=f"{prefix}inactive", is_active=False)]  # fmt: skip
    for index, (inbox, email, by_sms) in enumerate([(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)]):
        address = f"{prefix}{index}@pingcheng.example"
        user = staff(Role.GRID_WORKER, tree["grid"], username=f"{prefix}{index}", email=address)
        StaffNoticePreference.objects.create(user=user, by_inbox=bool(inbox), by_email=bool(email), by_sms=bool(by_sms),
                                             phone=f"1390000{index:04d}" if by_sms else "")  # fmt: skip
        people.append(user)
    return people


def test_the_bulk_path_writes_the_same_notices_as_notice_enqueue_for_every_preference(tree):
    from pingcheng.notices.bulk import BulkTarget, notices_enqueue_many
    from pingcheng.notices.services import notice_enqueue

    people = _preference_people(tree, "p")
    with transaction.atomic():
        for person in people:
            notice_enqueue(kind="alert_issued", recipient=person, key="one-by-one", context={"title": "t"})
        notices_enqueue_many(kind="alert_issued", targets=[BulkTarget(person=p, key="bulk", context={"title": "t"})
                                                           for p in people])  # fmt: skip

    def written(key):
        return sorted(Notice.objects.filter(key=key).values_list("user__username", "channel", "recipient"))

    assert written("bulk") == written("one-by-one")
    assert written("bulk")  # not two empty lists


def test_the_bulk_path_reads_a_chunks_preferences_in_one_query_whatever_its_size(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pingcheng.notices.bulk import BulkTarget, notices_enqueue_many

    small = _preference_people(tree, "a")
    large = _preference_people(tree, "b") + _preference_people(tree, "c")
    counts = []
    for key, people in (("small", small), ("large", large)):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            notices_enqueue_many(kind="alert_issued", targets=[BulkTarget(person=p, key=key) for p in people])
        counts.append(len(queries))
    # Twice the people, the same statements: the preferences read, the insert and the due ids.
    assert counts[0] == counts[1] <= 5, counts


def test_subscribers_who_follow_warnings_of_the_units_get_it_at_once_and_others_do_not(tree, people):
    from pingcheng.notices.models import Frequency, Subscription, Topic
    from tests.notices.people import subscriber

    follows = {
        "community_daily": (subscriber(phone="13700000001"), tree["community"], Topic.WARNING, Frequency.DAILY),
        "street": (subscriber(phone="13700000002"), tree["street"], Topic.WARNING, Frequency.IMMEDIATE),
        "grid": (subscriber(email="grid@resident.example"), tree["grid"], Topic.WARNING, Frequency.IMMEDIATE),
        "district_wide": (subscriber(phone="13700000003"), None, Topic.WARNING, Frequency.WEEKLY),
        "news_only": (subscriber(phone="13700000004"), tree["community"], Topic.NEWS, Frequency.IMMEDIATE),
        "other_street": (subscriber(phone="13700000005"), tree["far"], Topic.WARNING, Frequency.IMMEDIATE),
        "unconfirmed": (subscriber(phone="13700000006", confirmed=False), tree["community"], Topic.WARNING,
                        Frequency.IMMEDIATE),
    }  # fmt: skip
    for person, unit, topic, frequency in follows.values():
        Subscription.objects.create(subscriber=person, unit=unit, topic=topic, frequency=frequency)
    alert = _issue(people, [tree["community"]])
    _fan_out(alert)
    reached = set(alert.recipients.filter(subscriber__isnull=False).values_list("subscriber", flat=True))
    expected = {follows[name][0].pk for name in ("community_daily", "street", "grid", "district_wide")}
    assert reached == expected
    assert alert.recipients.get(subscriber=follows["grid"][0]).unit == tree["grid"]
    assert alert.recipients.get(subscriber=follows["district_wide"][0]).unit == tree["community"]
    notices = Notice.objects.filter(subscriber__in=expected)
    assert {n.channel for n in notices if n.subscriber_id == follows["grid"][0].pk} == {"email"}
    assert all(n.status == Notice.Status.PENDING and n.send_after <= n.created_at for n in notices)
    recipient = alert.recipients.get(subscriber=follows["community_daily"][0])
    call_command("alerts_sms_reply", phone="13700000001", text=recipient.code)
    recipient.refresh_from_db()
    assert recipient.acknowledged_via == AlertRecipient.Via.SMS


def test_batch_delivery_holds_an_ordinary_sms_in_quiet_hours_and_sends_a_warning(tree, people, settings):
    from datetime import timedelta

    from django.utils import timezone

    from pingcheng.notices.bulk import BulkTarget, notices_deliver_batch, notices_enqueue_many
    from tests.notices.people import subscriber

    now = timezone.localtime()
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    if start.date() != end.date():  # around midnight the window is overnight, which quiet hours also allow
        start, end = now.replace(hour=23, minute=0) - timedelta(hours=1), now.replace(hour=1, minute=0)
    settings.NOTICE_QUIET_HOURS = f"{start:%H:%M}-{end:%H:%M}"
    person = subscriber(phone="13700000009")
    with transaction.atomic():
        ordinary = notices_enqueue_many(kind="generic", targets=[BulkTarget(person=person, key="news:1",
                                                                            context={"body": "周报"})])  # fmt: skip
        urgent = notices_enqueue_many(kind="alert_issued", targets=[BulkTarget(person=person, key="alert:x", context={
            "title": "暴雨", "text": "注意", "severity": "橙色", "ack_url": "u", "code": "000001", "resend": 0})])  # fmt: skip
    assert notices_deliver_batch(notice_ids=ordinary + urgent) == 1
    held = Notice.objects.get(pk=ordinary[0])
    assert held.status == Notice.Status.PENDING and held.send_after > timezone.now() and held.attempts == 0
    assert Notice.objects.get(pk=urgent[0]).status == Notice.Status.SENT
    assert [m.text for m in sms.outbox if "暴雨" in m.text]
