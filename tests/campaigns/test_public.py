"""The public campaigns section and its calendars: only public, announced activities; figures derived; fresh."""

from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(new_activity, people):
    activity = services.activity_save(activity=new_activity(title="涵洞积水巡查"), by=people["grid"],
                                      figures={"patrols": 3, "hazards": 2})  # fmt: skip
    return services.activity_step(activity=activity, by=people["grid"], name="hold")


@pytest.fixture
def planned(new_activity, people):
    activity = services.activity_save(activity=new_activity(title="防汛知识讲座", unit="yujinyuan", place="社区活动室",
                                                            starts_at=timezone.now() + timedelta(days=3)),
                                      by=people["community"])  # fmt: skip
    return services.activity_step(activity=activity, by=people["community"], name="plan")


def test_the_campaign_page_shows_its_public_timeline_and_derived_figures(client, flood, held, planned, new_activity,
                                                                        people):  # fmt: skip
    services.activity_save(activity=new_activity(title="内部草稿"), by=people["grid"], figures={"patrols": 99})
    internal = services.activity_save(
        activity=new_activity(title="内部碰头会"), by=people["grid"], figures={"patrols": 50}
    )
    internal.is_public = False
    services.activity_save(activity=internal, by=people["grid"])
    services.activity_step(activity=internal, by=people["grid"], name="hold")

    page = client.get(reverse("campaigns:detail", args=[flood.slug])).text
    assert "涵洞积水巡查" in page and "防汛知识讲座" in page and "预告" in page
    assert "内部草稿" not in page and "内部碰头会" not in page
    # The internal activity took place and counts in the ledger and the targets, but the public page sums only
    # what it shows: 3 patrols, not 53.
    assert '<span class="figure-value">3</span>次' in page and '<span class="figure-value">53</span>' not in page


def test_a_campaign_that_is_not_public_is_not_found(client, flood):
    flood.is_public = False
    flood.save()
    assert client.get(reverse("campaigns:detail", args=[flood.slug])).status_code == 404
    assert flood.title not in client.get(reverse("campaigns:index")).text


def test_the_section_lists_upcoming_activities_and_the_running_campaign(client, flood, planned):
    page = client.get(reverse("campaigns:index")).text
    assert "防汛知识讲座" in page and flood.title in page and "近期活动预告" in page


def test_a_streets_page_shows_the_campaigns_its_units_take_part_in(client, flood, planned, units):
    assert flood.title in client.get(reverse("campaigns:unit", args=["xinwang"])).text
    assert flood.title not in client.get(reverse("campaigns:unit", args=["zhenhua"])).text
    assert client.get(reverse("campaigns:unit", args=["nowhere"])).status_code == 404


def _events(response) -> list:
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_the_calendar_parses_and_a_moved_then_cancelled_activity_updates_subscribers(client, planned, people):
    [event] = _events(client.get(reverse("campaigns:calendar")))
    uid = str(event["UID"])
    assert (
        event["STATUS"] == "CONFIRMED" and event["SEQUENCE"] == 0 and event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    )
    planned.starts_at += timedelta(days=1)
    services.activity_save(activity=planned, by=people["community"], note="场地调整")
    services.activity_step(activity=planned, by=people["community"], name="cancel", note="暴雨预警，活动取消")
    [event] = _events(client.get(reverse("campaigns:calendar")))
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 2 and event["STATUS"] == "CANCELLED"
    assert "暴雨预警" in str(event["DESCRIPTION"])
    assert b"BEGIN:VTIMEZONE" in client.get(reverse("campaigns:calendar")).content


def test_street_and_type_calendars_hold_only_their_activities(client, planned, held, flood):
    # ``held`` is a patrol logged when it was over, never announced: no calendar holds it.
    assert len(_events(client.get(reverse("campaigns:unit_calendar", args=["yujinyuan"])))) == 1
    assert _events(client.get(reverse("campaigns:unit_calendar", args=["zhenhua"]))) == []
    assert len(_events(client.get(reverse("campaigns:type_calendar", args=[flood.campaign_type.slug])))) == 1
    assert client.get(reverse("campaigns:type_calendar", args=["nope"])).status_code == 404


def test_a_corrected_figure_is_on_the_cached_public_page_at_once(client, flood, held, people,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    url = reverse("campaigns:detail", args=[flood.slug])
    assert '<span class="figure-value">3</span>次' in client.get(url).text
    assert '<span class="figure-value">3</span>次' in client.get(url).text  # from the page cache
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_save(activity=Activity.objects.get(pk=held.pk), by=people["grid"], figures={"patrols": 7})
    assert '<span class="figure-value">7</span>次' in client.get(url).text


def test_the_menu_leads_to_the_campaigns_section(client):
    assert f'href="{reverse("campaigns:index")}"' in client.get("/").text
