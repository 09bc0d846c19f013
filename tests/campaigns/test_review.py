"""Issue 11 review: what a street office, a grid worker on a phone, a resident and an attacker tried, and what
each attempt must meet — a clear Chinese message, the record unharmed, nothing of it on the public side."""

import csv
import io
import re
from datetime import timedelta

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaigns import field_views, services
from campaigns.errors import CampaignActionRefused
from campaigns.models import Activity, ActivityEvent, Campaign, CampaignType, Finding, Target
from tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def planned(new_activity, people):
    activity = services.activity_save(activity=new_activity(title="防汛知识讲座", unit="yujinyuan",
                                                            starts_at=timezone.now() + timedelta(days=3)),
                                      by=people["community"])  # fmt: skip
    return services.activity_step(activity=activity, by=people["community"], name="plan")


# --- the steps of an activity ------------------------------------------------------------------------------


def test_a_crafted_move_step_gets_a_message_not_a_server_error(client, people, planned):
    """The workflow declares "move" (a planned activity moves by an edit of its time or place), so a POST to
    its step URL passed the view's check and then failed in the service."""
    response = _as(client, people["community"]).post(
        reverse("campaigns-field:activity_step", args=[planned.pk, "move"]), follow=True
    )
    assert response.status_code == 200
    assert any("修改" in message for message in _messages(response))
    planned.refresh_from_db()
    assert planned.status == Activity.Status.PLANNED and planned.sequence == 0


def test_a_too_long_report_gets_a_message_not_a_missing_page(client, people, new_activity):
    activity = services.activity_save(activity=new_activity(), by=people["grid"])
    services.activity_step(activity=activity, by=people["grid"], name="hold")
    response = _as(client, people["grid"]).post(
        reverse("campaigns-field:activity_step", args=[activity.pk, "close"]), {"note": "总" * 2001}, follow=True
    )
    assert response.status_code == 200
    assert any("2000" in message for message in _messages(response))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.HELD


def test_a_cancel_reason_longer_than_its_field_is_refused_with_a_message(client, people, planned):
    """The step form takes 2000 characters, the reason the public is told 200: PostgreSQL refused the save."""
    with pytest.raises(CampaignActionRefused) as refused:
        services.activity_step(activity=planned, by=people["community"], name="cancel", note="因" * 201)
    assert refused.value.code == "reason_too_long"
    response = _as(client, people["community"]).post(
        reverse("campaigns-field:activity_step", args=[planned.pk, "cancel"]), {"note": "因" * 201}, follow=True
    )
    assert response.status_code == 200 and any("200" in message for message in _messages(response))
    planned.refresh_from_db()
    assert planned.status == Activity.Status.PLANNED and planned.cancel_reason == ""


def _submission(page) -> str:
    return re.search(r'name="submission" value="([0-9a-f-]{36})"', page.text).group(1)


def _two_hours_ago() -> dict:
    """The day and start of an activity that has begun: recording one still to come as held is refused."""
    began = timezone.localtime() - timedelta(hours=2)
    return {"day": f"{began:%Y-%m-%d}", "start": f"{began:%H:%M}"}


def test_a_new_activity_sent_twice_from_a_phone_is_recorded_once(client, people, units, flood):
    """A second tap while the first answer is on its way, or a resend on a bad connection: one activity, so its
    figures are not counted twice in the totals and the ledger."""
    _as(client, people["grid"])
    url = f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}"
    data = {"unit": units["grid"].pk, "title": "涵洞积水巡查", **_two_hours_ago(),
            "figure_patrols": "2", "is_public": "on", "submit": "held", "submission": _submission(client.get(url))}  # fmt: skip
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    activity = Activity.objects.get()
    assert first["Location"] == second.redirect_chain[-1][0] == reverse("campaigns-field:activity", args=[activity.pk])
    assert any("已提交" in message for message in _messages(second))
    assert activity.status == Activity.Status.HELD and activity.figures.get().value == 2
    # A new form is a new activity.
    client.post(url, {**data, "submission": _submission(client.get(url))})
    assert Activity.objects.count() == 2


def test_the_same_activity_form_sent_twice_at_once_is_recorded_once(client, people, units, flood, monkeypatch):
    """Both sendings pass the look-up before either commits: the database's unique key stops the second."""
    _as(client, people["grid"])
    url = f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}"
    submission = _submission(client.get(url))
    first = services.activity_save(activity=Activity(campaign=flood, unit=units["grid"], title="涵洞积水巡查",
                                                     starts_at=timezone.now(), submission=submission),
                                   by=people["grid"])  # fmt: skip
    looked_up = []

    def racing(records, key):  # the first look-up ran before the other sending committed
        looked_up.append(key)
        return None if len(looked_up) == 1 else real(records, key)

    real = field_views._sent_before
    monkeypatch.setattr(field_views, "_sent_before", racing)
    data = {"unit": units["grid"].pk, "title": "涵洞积水巡查", **_two_hours_ago(),
            "submit": "draft", "submission": submission}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("campaigns-field:activity", args=[first.pk])
    assert Activity.objects.count() == 1 and len(looked_up) == 2


def test_a_new_finding_sent_twice_is_recorded_once(client, people, units, new_activity):
    activity = services.activity_save(activity=new_activity(), by=people["grid"])
    _as(client, people["grid"])
    url = reverse("campaigns-field:finding_new", args=[activity.pk])
    data = {"location": "公路涵洞", "description": "排水口堵塞", "severity": "urgent",
            "responsible_unit": units["grid"].pk, "submission": _submission(client.get(url))}  # fmt: skip
    first = client.post(url, data)
    second = client.post(url, data)
    finding = Finding.objects.get()
    assert first["Location"] == second["Location"] == reverse("campaigns-field:finding", args=[finding.pk])


def test_saving_changes_to_a_held_activity_does_not_say_it_became_a_draft(client, people, units, new_activity):
    activity = services.activity_save(activity=new_activity(), by=people["grid"], figures={"patrols": 2})
    services.activity_step(activity=activity, by=people["grid"], name="hold")
    data = {"unit": units["grid"].pk, "title": "涵洞积水巡查", **_two_hours_ago(),
            "figure_patrols": "3", "is_public": "on", "submit": "draft"}  # fmt: skip
    response = _as(client, people["grid"]).post(
        reverse("campaigns-field:activity_edit", args=[activity.pk]), data, follow=True
    )
    assert _messages(response) == ["已保存修改。"]
    activity.refresh_from_db()
    assert activity.status == Activity.Status.HELD and activity.figures.get().value == 3


def test_a_street_cannot_log_into_a_neighbour_streets_own_campaign(client, people, units, flood, new_activity):
    """A street-level campaign belongs to its lead street (and its partners): another street's activity under it
    landed on that street's public timeline and totals."""
    theirs = Campaign.objects.create(title="振华街道创城攻坚", slug="zh-chuangcheng", campaign_type=flood.campaign_type,
                                     level=Campaign.Level.STREET, lead_unit=units["zhenhua"],
                                     starts_on=flood.starts_on, ends_on=flood.ends_on)  # fmt: skip
    with pytest.raises(CampaignActionRefused) as refused:
        services.activity_save(activity=new_activity(unit="xinwang", campaign=theirs), by=people["street"])
    assert refused.value.code == "campaign_not_for_unit"
    _as(client, people["street"])
    assert theirs.title not in client.get(reverse("campaigns-field:activity_new")).text
    form = client.get(reverse("campaigns-field:activity_new"), {"campaign": theirs.slug})
    assert "activity_form" not in form.templates[0].name
    # Their own staff log under it; so does a street made a partner.
    services.activity_save(activity=new_activity(unit="zhenhua", campaign=theirs), by=people["neighbour"])
    theirs.partner_units.add(units["xinwang"])
    services.activity_save(activity=new_activity(unit="yujinyuan", campaign=theirs), by=people["street"])
    assert theirs.title in client.get(reverse("campaigns-field:activity_new")).text


# --- ledgers -----------------------------------------------------------------------------------------------


def _ledger(client, user, units, **fields):
    today = timezone.localdate()
    data = {"unit": units["xinwang"].pk, "date_from": str(today - timedelta(days=7)), "date_to": str(today),
            "campaign": "", "campaign_type": "", "file_format": "xlsx", **fields}  # fmt: skip
    return _as(client, user).post(reverse("campaigns-field:ledger"), data)


def test_a_ledger_period_in_year_one_gets_a_message_not_a_server_error(client, people, units):
    response = _ledger(client, people["street"], units, date_from="0001-01-01", date_to="0001-01-31")
    assert response.status_code == 200
    assert response.context["form"].errors["date_from"]


def _held(new_activity, people, **fields) -> Activity:
    activity = services.activity_save(activity=new_activity(**fields), by=people["grid"], figures={"patrols": 2})
    return services.activity_step(activity=activity, by=people["grid"], name="hold")


def test_control_characters_typed_on_a_phone_do_not_break_the_streets_ledger(client, people, units, new_activity):
    """openpyxl refuses C0 control characters; one activity carrying one made every ledger holding it a 500."""
    activity = _held(new_activity, people, title="涵洞\x0b巡查", place="公路\x1b涵洞", summary="响铃\x07了")
    services.finding_raise(activity=activity, by=people["grid"], location="涵洞\x08口", description="积水\x01",
                           responsible_unit=units["grid"])  # fmt: skip
    response = _ledger(client, people["street"], units)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["防汛"]["C4"].value == "涵洞巡查" and workbook["防汛"]["F4"].value == "公路涵洞"
    assert workbook["问题隐患"]["D4"].value == "涵洞口"


def test_text_that_looks_like_a_formula_stays_text_in_the_xlsx_and_the_csv(client, people, units, new_activity):
    """A title typed as "=HYPERLINK(…)" was written by openpyxl as a live formula; in the CSV, Excel runs a cell
    that starts with =, +, - or @."""
    _held(new_activity, people, title='=HYPERLINK("http://evil.example/","点击")', place="+1+cmd|' /C calc'!A0")
    workbook = load_workbook(io.BytesIO(_ledger(client, people["street"], units).content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert workbook["防汛"]["C4"].value == '=HYPERLINK("http://evil.example/","点击")'

    content = _ledger(client, people["street"], units, file_format="csv").content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(content)))[1]
    assert row[1] == '\'=HYPERLINK("http://evil.example/","点击")' and row[5] == "'+1+cmd|' /C calc'!A0"


def test_a_type_named_with_a_slash_still_gets_its_sheet(client, people, units, new_activity, flood):
    """Excel forbids \\ / ? * : [ ] in sheet names: a type called 防汛/防台 made every ledger with it a 500."""
    CampaignType.objects.filter(pk=flood.campaign_type_id).update(name="防汛/防台:[汛期]")
    _held(new_activity, people)
    response = _ledger(client, people["street"], units)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["防汛-防台-汛期-", "问题隐患"]
    assert workbook.worksheets[0]["A1"].value == "新旺街道专项活动台账（防汛/防台:[汛期]）"


# --- the public side ---------------------------------------------------------------------------------------


def test_a_cancelled_draft_never_reaches_the_public_page_or_the_calendar(client, people, new_activity, flood):
    """A draft is never announced; cancelling it (the only way to drop one) published it as a cancelled event."""
    soon = timezone.now() + timedelta(days=2)
    draft = services.activity_save(activity=new_activity(title="半成品草稿", starts_at=soon), by=people["grid"])
    services.activity_step(activity=draft, by=people["grid"], name="cancel", note="填错了，作废")
    # An announced activity that is cancelled is still told to the public.
    planned = services.activity_save(activity=new_activity(title="防汛讲座", starts_at=soon), by=people["grid"])
    services.activity_step(activity=planned, by=people["grid"], name="plan")
    services.activity_step(activity=planned, by=people["grid"], name="cancel", note="暴雨预警，改期另行通知")

    page = client.get(reverse("campaigns:detail", args=[flood.slug])).text
    assert "半成品草稿" not in page and "填错了" not in page
    assert "防汛讲座" in page and "暴雨预警" in page
    calendar = client.get(reverse("campaigns:calendar")).content.decode()
    assert "半成品草稿" not in calendar and "防汛讲座" in calendar


def test_an_activity_made_internal_leaves_the_cached_public_page_at_once(client, people, new_activity, flood,
                                                                        django_capture_on_commit_callbacks):  # fmt: skip
    activity = _held(new_activity, people, title="涵洞积水巡查")
    url = reverse("campaigns:detail", args=[flood.slug])
    assert "涵洞积水巡查" in client.get(url).text
    assert "涵洞积水巡查" in client.get(url).text  # from the page cache
    activity = Activity.objects.get(pk=activity.pk)
    activity.is_public = False
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_save(activity=activity, by=people["grid"])
    assert "涵洞积水巡查" not in client.get(url).text


def test_a_campaigns_timeline_comes_in_pages(client, flood, units):
    """1,300 grid workers patrolling a flood season log tens of thousands of activities: 3,000 made the campaign's
    page 1.3 MB and 0.8 s to render, every card on one page."""
    start = timezone.now() - timedelta(days=10)
    Activity.objects.bulk_create(
        Activity(campaign=flood, unit=units["grid"], title=f"第{n}次网格巡查", starts_at=start + timedelta(hours=n),
                 status=Activity.Status.HELD)
        for n in range(1, 26)
    )  # fmt: skip
    url = reverse("campaigns:detail", args=[flood.slug])
    first = client.get(url).text
    assert first.count('class="timeline-item') == 20
    assert "第25次网格巡查" in first and "第5次网格巡查" not in first and "?page=2" in first
    second = client.get(url, {"page": 2}).text
    assert second.count('class="timeline-item') == 5 and "第5次网格巡查" in second and "第6次网格巡查" not in second


def test_the_calendars_hold_announced_activities_not_every_patrol_logged_after_the_fact(client, people, new_activity):
    """The feeds are of planned activities residents can attend: a grid worker's patrol, logged as held, is no
    event of theirs (1,300 grid workers patrolling daily put 39,000 of them in a month's feed, 13 MB a poll)."""
    patrol = services.activity_save(activity=new_activity(title="涵洞积水巡查"), by=people["grid"])
    services.activity_step(activity=patrol, by=people["grid"], name="hold")
    talk = services.activity_save(activity=new_activity(title="防汛知识讲座", unit="yujinyuan",
                                                        starts_at=timezone.now() - timedelta(hours=3)),
                                  by=people["community"])  # fmt: skip
    services.activity_step(activity=talk, by=people["community"], name="plan")
    services.activity_step(activity=talk, by=people["community"], name="hold")  # it took place: it stays
    calendar = icalendar.Calendar.from_ical(client.get(reverse("campaigns:calendar")).content)
    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == ["防汛知识讲座"]


def test_a_campaign_made_internal_in_the_admin_leaves_the_cached_public_pages_at_once(
    client, people, flood, django_capture_on_commit_callbacks
):
    people["district"].is_staff = True
    people["district"].save()
    assert flood.title in client.get(reverse("campaigns:index")).text
    assert flood.title in client.get(reverse("campaigns:index")).text  # from the page cache
    admin = _as(client, people["district"])
    url = reverse("admin:campaigns_campaign_change", args=[flood.pk])
    data = admin_form_data(admin, url)
    data.pop("is_public")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    assert flood.title not in client.get(reverse("campaigns:index")).text
    assert client.get(reverse("campaigns:detail", args=[flood.slug])).status_code == 404


# --- the admin ---------------------------------------------------------------------------------------------


def test_a_street_cannot_hand_its_campaign_to_a_neighbour_street_in_the_admin(client, people, units, flood):
    """A street's staff edit the campaigns their street leads; the lead unit they save must stay theirs."""
    people["street"].is_staff = True
    people["street"].save()
    campaign = Campaign.objects.create(title="新旺街道防汛巡查", slug="xw-fangxun", campaign_type=flood.campaign_type,
                                       level=Campaign.Level.STREET, lead_unit=units["xinwang"],
                                       starts_on=flood.starts_on, ends_on=flood.ends_on)  # fmt: skip
    admin = _as(client, people["street"])
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    data = admin_form_data(admin, url)
    response = admin.post(url, {**data, "lead_unit": str(units["zhenhua"].pk)}, follow=True)
    assert response.status_code == 200 and "牵头单位须在您管辖的范围内。" in _messages(response)
    campaign.refresh_from_db()
    assert campaign.lead_unit == units["xinwang"]
    # Within the street it may change hands (to one of its communities).
    admin.post(url, {**data, "lead_unit": str(units["yujinyuan"].pk)})
    campaign.refresh_from_db()
    assert campaign.lead_unit == units["yujinyuan"]


def _other_type() -> CampaignType:
    kind = CampaignType.objects.create(name="防范非法集资宣传", slug="fangfei")
    kind.metrics.create(code="leaflets", name="发放宣传资料", unit="份")
    return kind


def test_a_campaigns_type_stays_once_activities_carry_its_figures(client, people, new_activity, flood):
    """The figures recorded are the type's: another type would hide them from every total and ledger."""
    services.activity_save(activity=new_activity(), by=people["grid"], figures={"patrols": 2})
    people["district"].is_staff = True
    people["district"].save()
    admin = _as(client, people["district"])
    url = reverse("admin:campaigns_campaign_change", args=[flood.pk])
    data = admin_form_data(admin, url)
    assert "campaign_type" not in data  # shown, not offered
    admin.post(url, {**data, "campaign_type": str(_other_type().pk)})
    flood.refresh_from_db()
    assert flood.campaign_type.slug == "fangxun"


def test_a_target_counts_a_figure_of_its_campaigns_type(client, people, flood):
    people["district"].is_staff = True
    people["district"].save()
    admin = _as(client, people["district"])
    url = reverse("admin:campaigns_campaign_change", args=[flood.pk])
    data = admin_form_data(admin, url)
    foreign = _other_type().metrics.get()
    response = admin.post(url, {**data, "targets-TOTAL_FORMS": "1", "targets-0-unit": str(flood.lead_unit_id),
                                "targets-0-metric": str(foreign.pk), "targets-0-value": "500"})  # fmt: skip
    assert response.status_code == 200 and not flood.targets.exists()
    # The add page offers every figure (no type is chosen yet): the model refuses a stranger there too.
    with pytest.raises(ValidationError):
        Target(campaign=flood, unit=flood.lead_unit, metric=foreign, value=500).full_clean()
    added = {"title": "第二轮防汛", "slug": "xunqi-2", "campaign_type": str(flood.campaign_type_id), "level": "district",
             "lead_unit": str(flood.lead_unit_id), "starts_on": str(flood.starts_on), "ends_on": str(flood.ends_on),
             "is_public": "on", "targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "0",
             "targets-0-unit": str(flood.lead_unit_id), "targets-0-metric": str(foreign.pk), "targets-0-value": "500"}  # fmt: skip
    response = admin.post(reverse("admin:campaigns_campaign_add"), added)
    assert response.status_code == 200 and "不是这项专项活动的类型的统计指标" in response.text
    assert not Campaign.objects.filter(slug="xunqi-2").exists()


def test_the_event_history_of_a_refused_step_is_unchanged(people, planned):
    before = list(ActivityEvent.objects.filter(activity=planned).values_list("action", flat=True))
    with pytest.raises(CampaignActionRefused):
        services.activity_step(activity=planned, by=people["community"], name="move")
    assert list(ActivityEvent.objects.filter(activity=planned).values_list("action", flat=True)) == before
