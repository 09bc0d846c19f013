"""Warnings on the back office's home (/admin/): a recipient sees what they have not acknowledged, an issuer the
issue page and how their recent warnings stand; and the district's supervisor (督办人) issues warnings by default."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pingcheng.alerts import services
from pingcheng.alerts.models import Alert

pytestmark = pytest.mark.django_db
HOME = "/admin/"


def _issue(by, units, title="暴雨橙色预警"):
    with transaction.atomic():
        alert = services.alert_issue(by=by, units=units, title=title, text="今夜有大到暴雨，请巡查低洼院落。",
                                     severity=Alert.Severity.ORANGE)  # fmt: skip
    for fanout in alert.fanouts.all():
        services.alert_fanout_run(fanout_id=fanout.pk)
    return alert


def _panel(response):
    return next((panel for panel in response.context["panels"] if panel.title == "预警"), None)


# --- The district's supervisor issues ------------------------------------------------------------------


def test_the_supervisor_issues_to_any_community_of_the_district_and_sees_the_board(client, tree, people):
    client.force_login(people["supervisor"])
    page = client.get(reverse("alerts:new"))
    assert page.status_code == 200
    offered = set(page.context["form"].fields["units"].queryset)
    assert {tree["community"], tree["far"], tree["street"]} <= offered
    response = client.post(reverse("alerts:new"), {"title": "暴雨橙色预警", "text": "注意防汛", "severity": "orange",
                                                   "units": [tree["community"].pk, tree["far"].pk]})  # fmt: skip
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("alerts:board", args=[alert.pk])
    assert alert.issued_by == people["supervisor"]
    assert client.get(reverse("alerts:board", args=[alert.pk])).status_code == 200
    # The board is the supervisor's own: the street's issuer does not see it.
    client.force_login(people["issuer"])
    assert client.get(reverse("alerts:board", args=[alert.pk])).status_code == 404


def test_a_supervisor_does_not_see_another_issuers_board(client, tree, people):
    alert = _issue(people["issuer"], [tree["community"]])
    client.force_login(people["supervisor"])
    assert client.get(reverse("alerts:board", args=[alert.pk])).status_code == 404


def test_the_issuer_roles_can_still_be_narrowed_by_settings(client, people, settings):
    settings.ALERT_ISSUER_ROLES = ["district_admin", "street_staff"]
    client.force_login(people["supervisor"])
    assert client.get(reverse("alerts:new")).status_code == 403


# --- The home panel ------------------------------------------------------------------------------------


def test_a_recipient_sees_the_warnings_they_have_not_acknowledged_linking_to_each_acknowledgement(client, tree, people):
    first = _issue(people["issuer"], [tree["community"]], title="暴雨橙色预警")
    second = _issue(people["supervisor"], [tree["community"]], title="大风蓝色预警")
    acknowledged = _issue(people["issuer"], [tree["community"]], title="高温黄色预警")
    services.alert_acknowledge(recipient=acknowledged.recipients.get(user=people["grid"]), via="link")
    client.force_login(people["grid"])
    response = client.get(HOME)
    panel = _panel(response)
    assert panel is not None
    head = panel.items[0]
    assert (head.label, head.count, head.urgent, head.url) == ("待我确认的预警", 2, True, reverse("notices:inbox"))
    links = {item.label: item.url for item in panel.items[1:]}
    assert links == {
        "确认收到：大风蓝色预警": reverse("alerts:ack", args=[second.recipients.get(user=people["grid"]).token]),
        "确认收到：暴雨橙色预警": reverse("alerts:ack", args=[first.recipients.get(user=people["grid"]).token]),
    }
    assert "发布预警" not in links  # a grid worker does not issue
    assert "确认收到：暴雨橙色预警" in response.text
    # Following the link and acknowledging empties the panel.
    for alert in (first, second):
        client.post(reverse("alerts:ack", args=[alert.recipients.get(user=people["grid"]).token]))
    assert _panel(client.get(HOME)) is None


def test_more_waiting_warnings_than_listed_are_still_counted_whole(client, tree, people):
    for number in range(7):
        _issue(people["issuer"], [tree["grid"]], title=f"预警{number}")
    client.force_login(people["grid"])
    panel = _panel(client.get(HOME))
    assert panel.items[0].count == 7
    assert len(panel.items) == 1 + 5


def test_an_issuer_gets_the_issue_link_and_their_recent_warnings_with_who_is_missing(client, tree, people):
    alert = _issue(people["issuer"], [tree["community"]])
    services.alert_acknowledge(recipient=alert.recipients.get(user=people["grid"]), via="link")
    old = _issue(people["issuer"], [tree["community"]], title="上月预警")
    Alert.objects.filter(pk=old.pk).update(issued_at=timezone.now() - timedelta(days=40))
    _issue(people["supervisor"], [tree["community"]], title="别人的预警")
    client.force_login(people["issuer"])
    response = client.get(HOME)
    panel = _panel(response)
    by_label = {item.label: item for item in panel.items}
    assert by_label["发布预警"].url == reverse("alerts:new")
    board = by_label["暴雨橙色预警"]
    assert (board.count, board.urgent, board.url) == (1, True, reverse("alerts:board", args=[alert.pk]))
    assert "未确认 1 / 共 2 人" in board.note
    assert "上月预警" not in by_label and "别人的预警" not in by_label
    assert by_label["全部预警"].url == reverse("alerts:list")
    assert f'href="{reverse("alerts:new")}"' in response.text


def test_a_warning_everyone_acknowledged_is_not_urgent(client, tree, people):
    alert = _issue(people["supervisor"], [tree["grid"]])
    services.alert_acknowledge(recipient=alert.recipients.get(), via="link")
    client.force_login(people["supervisor"])
    item = next(item for item in _panel(client.get(HOME)).items if item.label == "暴雨橙色预警")
    assert (item.count, item.urgent) == (0, False)


def test_staff_with_nothing_to_acknowledge_and_no_right_to_issue_get_no_panel(client, tree, people):
    _issue(people["issuer"], [tree["community"]])
    client.force_login(people["reporter"])  # a newsroom member in the community is not reached
    assert _panel(client.get(HOME)) is None


def test_the_panel_reads_in_three_queries_whatever_the_number_of_warnings(tree, people, django_assert_num_queries):
    from pingcheng.alerts.dashboard import alerts_panel

    def panel_for(user, queries: int):
        fresh = type(user).objects.get(pk=user.pk)  # nothing cached: the memberships are read too
        with django_assert_num_queries(queries):
            return alerts_panel(user=fresh)

    _issue(people["supervisor"], [tree["community"]])
    # The issuer: their waiting list, their memberships (may they issue?), their recent warnings with counts.
    assert len(panel_for(people["supervisor"], 3).items) == 3
    # The recipient: the list and the memberships; the whole count is read only when the list is full.
    assert panel_for(people["grid"], 2).items[0].count == 1
    for number in range(12):
        _issue(people["supervisor"], [tree["community"]], title=f"预警{number}")
    assert len(panel_for(people["supervisor"], 3).items) == 1 + 5 + 1
    assert panel_for(people["grid"], 3).items[0].count == 13
