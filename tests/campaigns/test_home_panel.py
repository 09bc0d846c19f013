"""The back office's home (/admin/) leads whoever logs campaign work to the phone pages at /field/: a link to log
an activity, their drafts, and the findings waiting on their units — in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.dashboard import field_panel
from campaigns.models import Activity, Finding
from pingcheng.directory.models import Role
from tests.factories import newsroom, staff

pytestmark = pytest.mark.django_db
HOME = "/admin/"
FIELD = "/field/"


def _panel(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return next((panel for panel in response.context["panels"] if panel.title == "现场工作"), None), response.text


def _items(panel) -> dict:
    return {item.label: item for item in panel.items}


def _activity(flood, unit, *, status=Activity.Status.HELD, by=None) -> Activity:
    return Activity.objects.create(campaign=flood, unit=unit, title="巡查", status=status, created_by=by,
                                   starts_at=timezone.now() - timedelta(hours=2))  # fmt: skip


def _finding(activity, responsible, status, *, overdue=False, escalated_to=None) -> Finding:
    due = timezone.localdate() + timedelta(days=-2 if overdue else 5)
    return Finding.objects.create(activity=activity, location="涵洞", description="积水", responsible_unit=responsible,
                                  status=status, found_at=timezone.now(), deadline_due=due,
                                  escalated_to=escalated_to)  # fmt: skip


def test_a_grid_worker_is_led_to_log_an_activity_and_to_their_drafts(client, units, people, flood):
    _activity(flood, units["grid"], status=Activity.Status.DRAFT, by=people["grid"])
    _activity(flood, units["grid"], status=Activity.Status.DRAFT, by=people["grid"])
    _activity(flood, units["grid"], status=Activity.Status.DRAFT, by=people["community"])  # a colleague's draft
    panel, page = _panel(client, people["grid"])
    assert panel is not None
    items = _items(panel)
    assert items["登记活动"].url == reverse("campaigns-field:activity_new") == f"{FIELD}activities/new/"
    assert (items["我的草稿"].count, items["我的草稿"].url) == (2, f"{FIELD}#drafts-heading")
    assert items["打开活动填报"].url == FIELD
    # A grid worker finds and reports; ordering and re-inspecting are the community's and the street's.
    assert "待复查的问题" not in items and "待下达整改的问题" not in items
    assert f'href="{FIELD}activities/new/"' in page and "现场工作" in page
    # The link leads to a page that opens for them.
    assert client.get(items["登记活动"].url).status_code == 200


def test_findings_waiting_on_the_unit_are_counted_and_the_overdue_flagged(client, units, people, flood):
    held = _activity(flood, units["grid"])
    _finding(held, units["yujinyuan"], Finding.Status.ORDERED, overdue=True)
    _finding(held, units["yujinyuan"], Finding.Status.IN_PROGRESS)
    _finding(held, units["yujinyuan"], Finding.Status.REPORTED)
    _finding(held, units["yujinyuan"], Finding.Status.FOUND)
    _finding(held, units["yujinyuan"], Finding.Status.CLEARED)
    neighbour = _activity(flood, units["zhenhua"])
    _finding(neighbour, units["zhenhua"], Finding.Status.ORDERED, overdue=True)  # another street's

    panel, page = _panel(client, people["community"])
    items = _items(panel)
    rectify = items["待整改的问题"]
    assert (rectify.count, rectify.urgent, rectify.url) == (2, True, f"{FIELD}#findings-heading")
    assert "其中 1 项已逾期" in rectify.note and "其中 1 项已逾期" in page
    assert (items["待复查的问题"].count, items["待复查的问题"].url) == (1, f"{FIELD}#findings-heading")
    assert items["待下达整改的问题"].count == 1
    assert items["已开展、待总结的活动"].count == 1  # the grid's, below the community; not the neighbour's

    # The grid worker's unit is not the responsible one (the community is): nothing waits on the grid.
    grid_items = _items(_panel(client, people["grid"])[0])
    assert (grid_items["待整改的问题"].count, grid_items["待整改的问题"].urgent) == (0, False)

    # The neighbouring street sees its own overdue finding, not the community's.
    neighbour_items = _items(_panel(client, people["neighbour"])[0])
    assert (neighbour_items["待整改的问题"].count, neighbour_items["待复查的问题"].count) == (1, 0)


def test_a_finding_escalated_to_the_street_waits_on_the_street_for_re_inspection(client, units, people, flood):
    held = _activity(flood, units["grid"])
    _finding(held, units["yujinyuan"], Finding.Status.REPORTED, escalated_to=units["xinwang"])
    other = _activity(flood, units["zhenhua"])
    _finding(other, units["zhenhua"], Finding.Status.REPORTED, escalated_to=units["xinwang"])
    assert _items(_panel(client, people["street"])[0])["待复查的问题"].count == 2


@pytest.mark.parametrize("who", ["reporter", "newsroom"])
def test_a_correspondent_or_newsroom_staff_get_no_field_panel(client, people, who):
    user = people["reporter"] if who == "reporter" else staff(Role.EDITOR, newsroom(), username="desk-editor")
    panel, page = _panel(client, user)
    assert panel is None
    assert "登记活动" not in page


@pytest.mark.parametrize("size", [1, 20])
def test_the_panel_takes_three_queries_whatever_the_number_of_records(units, people, flood, size,
                                                                     django_assert_num_queries):  # fmt: skip
    for number in range(size):
        held = _activity(flood, units["grid"])
        _activity(flood, units["grid"], status=Activity.Status.DRAFT, by=people["community"])
        _finding(held, units["yujinyuan"], Finding.Status.ORDERED, overdue=number % 2 == 0)
        _finding(held, units["yujinyuan"], Finding.Status.REPORTED)
    user = type(people["community"]).objects.get(pk=people["community"].pk)  # nothing cached on the user
    # The memberships, the activities' counts, the findings' counts.
    with django_assert_num_queries(3):
        panel = field_panel(user=user)
    items = _items(panel)
    assert (items["我的草稿"].count, items["待整改的问题"].count, items["待复查的问题"].count) == (size, size, size)
