from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from campaigns import access, selectors, services
from campaigns.errors import CampaignActionRefused
from campaigns.models import Activity, ActivityEvent, ActivityFigure, Finding, FindingEvent, Target

pytestmark = pytest.mark.django_db


def _held(new_activity, by, *, unit="grid", **figures):
    activity = services.activity_save(activity=new_activity(unit=unit), by=by, figures=figures)
    return services.activity_step(activity=activity, by=by, name="hold")


# --- figures ---------------------------------------------------------------------------------------------


def test_figures_are_stored_per_metric_of_the_campaigns_type(new_activity, people):
    activity = services.activity_save(activity=new_activity(), by=people["grid"],
                                      figures={"patrols": "3", "hazards": 2, "hours": "1.5"})  # fmt: skip
    assert {f.metric.code: f.value for f in activity.figures.select_related("metric")} == {
        "patrols": Decimal(3), "hazards": Decimal(2), "hours": Decimal("1.5")
    }  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "code"),
    [("-1", "figure_negative"), ("2.5", "figure_not_whole"), ("三", "figure_not_a_number"), ("NaN", "figure_not_a_number"),
     ("1e12", "figure_too_large")],
)  # fmt: skip
def test_a_bad_figure_is_refused_with_its_reason_and_nothing_is_saved(new_activity, people, raw, code):
    with pytest.raises(ValidationError) as refused:
        services.activity_save(activity=new_activity(), by=people["grid"], figures={"patrols": raw})
    assert refused.value.error_dict["patrols"][0].code == code
    assert "巡查" in refused.value.error_dict["patrols"][0].messages[0]
    assert not Activity.objects.exists()


def test_a_fraction_is_allowed_only_where_the_metric_says_so(new_activity, people):
    with pytest.raises(ValidationError):
        services.activity_save(activity=new_activity(), by=people["grid"], figures={"hours": "1.25"})
    activity = services.activity_save(activity=new_activity(), by=people["grid"], figures={"hours": "1.5"})
    assert activity.figures.get().value == Decimal("1.5")


def test_a_metric_of_another_type_is_refused(new_activity, people):
    with pytest.raises(ValidationError) as refused:
        services.activity_save(activity=new_activity(), by=people["grid"], figures={"leaflets": "300"})
    assert refused.value.error_dict["__all__"][0].code == "metric_unknown"


def test_an_empty_figure_removes_the_recorded_one(new_activity, people):
    activity = services.activity_save(activity=new_activity(), by=people["grid"], figures={"patrols": 3, "hazards": 1})
    services.activity_save(activity=activity, by=people["grid"], figures={"hazards": ""})
    assert list(activity.figures.values_list("metric__code", flat=True)) == ["patrols"]


def test_the_database_refuses_a_negative_figure_whatever_the_path():
    assert any(c.name == "figure_not_negative" for c in ActivityFigure._meta.constraints)


# --- derived totals and progress -------------------------------------------------------------------------


def test_totals_are_the_sum_of_activities_that_took_place(new_activity, people, flood):
    _held(new_activity, people["grid"], patrols=3, hazards=2)
    _held(new_activity, people["community"], unit="yujinyuan", patrols=4)
    services.activity_save(activity=new_activity(), by=people["grid"], figures={"patrols": 100})  # a draft
    planned = services.activity_save(activity=new_activity(starts_at=timezone.now() + timedelta(days=1)),
                                     by=people["grid"], figures={"patrols": 50})  # fmt: skip
    services.activity_step(activity=planned, by=people["grid"], name="plan")
    cancelled = services.activity_save(activity=new_activity(), by=people["grid"], figures={"patrols": 7})
    services.activity_step(activity=cancelled, by=people["grid"], name="cancel", note="暴雨，改日进行")

    totals = {metric.code: value for metric, value in selectors.campaign_totals(campaign=flood).items()}
    assert totals == {"patrols": Decimal(7), "hazards": Decimal(2), "hours": Decimal(0)}


def test_correcting_an_activity_corrects_the_totals(new_activity, people, flood):
    activity = _held(new_activity, people["grid"], patrols=3)
    services.activity_save(activity=activity, by=people["grid"], figures={"patrols": 5})
    assert {m.code: v for m, v in selectors.campaign_totals(campaign=flood).items()}["patrols"] == 5


def test_progress_counts_a_units_own_activities_and_those_below_it(new_activity, people, flood, units):
    patrols = flood.campaign_type.metrics.get(code="patrols")
    Target.objects.create(campaign=flood, unit=units["xinwang"], metric=patrols, value=20)
    Target.objects.create(campaign=flood, unit=units["zhenhua"], metric=patrols, value=10)
    _held(new_activity, people["grid"], patrols=3)
    _held(new_activity, people["street"], unit="xinwang", patrols=2)

    progress = {p.unit.code: (p.done, p.percent) for p in selectors.campaign_progress(campaign=flood)}
    assert progress == {"xinwang": (Decimal(5), 25), "zhenhua": (Decimal(0), 0)}


# --- the activity's steps --------------------------------------------------------------------------------


def test_an_activity_goes_planned_held_closed_with_a_report_and_each_step_is_recorded(new_activity, people):
    activity = services.activity_save(activity=new_activity(starts_at=timezone.now() - timedelta(minutes=5)),
                                      by=people["community"])  # fmt: skip
    services.activity_step(activity=activity, by=people["community"], name="plan")
    services.activity_step(activity=activity, by=people["community"], name="hold")  # it has begun
    with pytest.raises(CampaignActionRefused) as refused:
        services.activity_step(activity=activity, by=people["community"], name="close", note="  ")
    assert refused.value.code == "report_required"
    activity = services.activity_step(activity=activity, by=people["community"], name="close",
                                      note="排查涵洞3处，清理积水1处。")  # fmt: skip
    assert activity.status == Activity.Status.CLOSED and activity.report == "排查涵洞3处，清理积水1处。"
    assert list(activity.events.values_list("action", "by__username")) == [
        ("created", "yjy-staff"), ("planned", "yjy-staff"), ("held", "yjy-staff"), ("closed", "yjy-staff")
    ]  # fmt: skip
    with pytest.raises(CampaignActionRefused):
        services.activity_save(activity=activity, by=people["community"], figures={"patrols": 1})


def test_moving_a_planned_activity_raises_its_sequence_and_says_so(new_activity, people):
    activity = services.activity_save(activity=new_activity(starts_at=timezone.now() + timedelta(days=1)),
                                      by=people["grid"])  # fmt: skip
    services.activity_step(activity=activity, by=people["grid"], name="plan")
    activity.refresh_from_db()
    activity.starts_at += timedelta(days=1)
    activity = services.activity_save(activity=activity, by=people["grid"], note="雨天顺延一天")
    assert activity.sequence == 1
    assert activity.events.last().action == ActivityEvent.Action.MOVED
    activity.summary = "补充说明"
    services.activity_save(activity=activity, by=people["grid"])
    activity.refresh_from_db()
    assert activity.sequence == 1  # not a move: time and place unchanged


def test_cancelling_needs_a_reason_the_public_sees(new_activity, people):
    activity = services.activity_save(activity=new_activity(), by=people["grid"])
    with pytest.raises(CampaignActionRefused):
        services.activity_step(activity=activity, by=people["grid"], name="cancel")
    activity = services.activity_step(activity=activity, by=people["grid"], name="cancel", note="暴雨预警，活动取消")
    assert (activity.status, activity.cancel_reason, activity.sequence) == ("cancelled", "暴雨预警，活动取消", 1)
    with pytest.raises(CampaignActionRefused) as refused:
        services.activity_step(activity=activity, by=people["grid"], name="hold")
    assert refused.value.code == "not_holdable"


def test_an_activity_outside_the_campaigns_period_is_refused(new_activity, people, flood):
    late = timezone.make_aware(
        timezone.datetime.combine(flood.ends_on + timedelta(days=1), timezone.datetime.min.time())
    )
    with pytest.raises(ValidationError) as refused:
        services.activity_save(activity=new_activity(starts_at=late), by=people["grid"])
    assert "专项活动期间" in refused.value.messages[0]


# --- scoping ---------------------------------------------------------------------------------------------


def test_a_street_logs_for_itself_and_its_communities_never_for_a_neighbour(new_activity, people):
    services.activity_save(activity=new_activity(unit="yujinyuan"), by=people["street"])
    with pytest.raises(CampaignActionRefused) as refused:
        services.activity_save(activity=new_activity(unit="zhenhua"), by=people["street"])
    assert refused.value.code == "unit_out_of_scope"


def test_a_grid_worker_logs_for_their_grid_only(new_activity, people):
    services.activity_save(activity=new_activity(unit="grid"), by=people["grid"])
    with pytest.raises(CampaignActionRefused):
        services.activity_save(activity=new_activity(unit="yujinyuan"), by=people["grid"])


def test_a_correspondents_membership_opens_no_campaign_records(new_activity, people):
    activity = services.activity_save(activity=new_activity(unit="yujinyuan"), by=people["community"])
    assert not access.activities_for_user(people["reporter"]).exists()
    with pytest.raises(CampaignActionRefused):
        services.activity_save(activity=new_activity(unit="yujinyuan"), by=people["reporter"])
    with pytest.raises(Http404):
        access.activity_access_for_user(user=people["reporter"], pk=activity.pk)


def test_each_sees_the_activities_of_their_subtree_and_a_guessed_id_is_not_found(new_activity, people):
    mine = services.activity_save(activity=new_activity(unit="grid"), by=people["grid"])
    other = services.activity_save(activity=new_activity(unit="zhenhua"), by=people["neighbour"])
    assert set(access.activities_for_user(people["street"])) == {mine}
    assert set(access.activities_for_user(people["neighbour"])) == {other}
    assert set(access.activities_for_user(people["district"])) == {mine, other}
    with pytest.raises(Http404):
        access.activity_access_for_user(user=people["street"], pk=other.pk)
    with pytest.raises(Http404):
        access.activity_access_for_user(user=people["street"], pk="1; DROP TABLE")


# --- findings --------------------------------------------------------------------------------------------


@pytest.fixture
def patrol(new_activity, people):
    return _held(new_activity, people["grid"], patrols=1, hazards=1)


def _raise(patrol, people, units):
    return services.finding_raise(activity=patrol, by=people["grid"], location="公路涵洞",
                                  description="排水口被树枝堵塞，路面积水约20厘米。",
                                  responsible_unit=units["yujinyuan"], severity=Finding.Severity.SERIOUS)  # fmt: skip


def test_the_rectification_cycle_with_a_failed_reinspection(patrol, people, units):
    finding = _raise(patrol, people, units)
    finding = services.finding_step(finding=finding, by=people["street"], name="order", working_days=3,
                                    today=date(2026, 11, 2))  # fmt: skip
    services.finding_step(finding=finding, by=people["community"], name="start")
    services.finding_step(finding=finding, by=people["community"], name="report", note="已清理排水口")
    finding = services.finding_step(finding=finding, by=people["street"], name="fail", note="回头看：仍有积水")
    assert finding.status == Finding.Status.FAILED
    finding = services.finding_step(finding=finding, by=people["street"], name="order", working_days=2,
                                    today=date(2026, 11, 9))  # fmt: skip
    assert finding.deadline_due == date(2026, 11, 11)
    services.finding_step(finding=finding, by=people["community"], name="report", note="已疏通并复测")
    finding = services.finding_step(finding=finding, by=people["street"], name="pass")
    assert finding.status == Finding.Status.CLEARED and finding.cleared_at is not None
    steps = list(FindingEvent.objects.filter(finding=finding).values_list("action", "from_status", "to_status",
                                                                          "by__username"))  # fmt: skip
    assert steps == [
        ("found", "", "found", "yjy-grid"),
        ("ordered", "found", "ordered", "xw-staff"),
        ("started", "ordered", "in_progress", "yjy-staff"),
        ("reported", "in_progress", "reported", "yjy-staff"),
        ("failed", "reported", "failed", "xw-staff"),
        ("ordered", "failed", "ordered", "xw-staff"),
        ("reported", "ordered", "reported", "yjy-staff"),
        ("passed", "reported", "cleared", "xw-staff"),
    ]


def test_a_deadline_skips_the_national_day_holiday_and_counts_the_makeup_saturday(patrol, people, units):
    finding = services.finding_step(finding=_raise(patrol, people, units), by=people["street"], name="order",
                                    working_days=3, today=date(2026, 9, 30))  # fmt: skip
    # 10月1日–7日 are holidays; 8 and 9 are working days, and Saturday the 10th is a make-up working day (调休).
    assert finding.deadline_due == date(2026, 10, 10)
    assert not finding.deadline_provisional
    assert "2026年10月10日" in finding.events.last().note


def test_a_grid_worker_finds_and_reports_but_does_not_order_or_clear(patrol, people, units):
    finding = _raise(patrol, people, units)
    with pytest.raises(CampaignActionRefused) as refused:
        services.finding_step(finding=finding, by=people["grid"], name="order", working_days=3)
    assert refused.value.code == "not_a_decider"
    with pytest.raises(CampaignActionRefused):
        services.finding_step(finding=finding, by=people["neighbour"], name="order", working_days=3)


@pytest.mark.parametrize("days", [0, -1, 61, None, "3"])
def test_a_rectification_deadline_must_be_1_to_60_working_days(patrol, people, units, days):
    finding = _raise(patrol, people, units)
    with pytest.raises(CampaignActionRefused) as refused:
        services.finding_step(finding=finding, by=people["street"], name="order", working_days=days)
    assert refused.value.code == "deadline_invalid"
    finding.refresh_from_db()
    assert finding.status == Finding.Status.FOUND and not finding.events.exclude(action="found").exists()


def test_an_overdue_finding_escalates_once_to_the_unit_above(patrol, people, units):
    finding = services.finding_step(finding=_raise(patrol, people, units), by=people["street"], name="order",
                                    working_days=2, today=date(2026, 11, 2))  # fmt: skip
    assert services.findings_escalate_overdue(today=date(2026, 11, 4)) == 0  # due that day: not late yet
    assert services.findings_escalate_overdue(today=date(2026, 11, 5)) == 1
    assert services.findings_escalate_overdue(today=date(2026, 11, 6)) == 0
    finding.refresh_from_db()
    assert finding.escalated_to == units["xinwang"]
    assert finding.events.last().action == FindingEvent.Action.ESCALATED
    assert [f.pk for f in selectors.findings_open(today=date(2026, 11, 5)) if f.overdue] == [finding.pk]


def test_the_responsible_unit_sees_a_finding_raised_on_another_units_activity(new_activity, people, units):
    activity = _held(new_activity, people["street"], unit="xinwang")
    finding = services.finding_raise(activity=activity, by=people["street"], location="振华街口",
                                     description="井盖缺失", responsible_unit=units["zhenhua"])  # fmt: skip
    assert finding in access.findings_for_user(people["neighbour"])
    assert finding not in access.findings_for_user(people["grid"])
    with pytest.raises(Http404):
        access.finding_access_for_user(user=people["grid"], pk=finding.pk)
