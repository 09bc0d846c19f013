"""Deadlines in Chinese working days: stored at submission, across holidays and make-up days, provisional in a
year the calendar does not know and recomputed when it learns it."""

import datetime as dt

import pytest
from django.utils import timezone

from grievances.models import Inquiry
from tests.grievances.desk_world import submit

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Friday 13 February 2026 (Saturday 14th is a make-up day), then the Spring Festival holiday to the 23rd.
SPRING_DUE = dt.date(2026, 3, 5)


def _at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_consultation_before_national_day_skips_the_holiday(desk_world, monkeypatch):
    # Submitted Wednesday 30 September 2026; 1–7 October are the National Day holiday (8 October too in 2026).
    _at(monkeypatch, dt.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI))
    inquiry = submit(desk_world)
    assert inquiry.deadline_working_days == 3
    # 8 and 9 October, then Saturday 10 October, a make-up working day (调休).
    assert inquiry.deadline_due == dt.date(2026, 10, 10)
    assert not inquiry.deadline_provisional


def test_a_complaint_across_spring_festival_2026(desk_world, monkeypatch):
    _at(monkeypatch, dt.datetime(2026, 2, 13, 10, tzinfo=SHANGHAI))
    inquiry = submit(desk_world, kind=Inquiry.Kind.COMPLAINT)
    assert inquiry.deadline_due == SPRING_DUE


def test_a_deadline_in_2027_is_provisional_and_recomputed_when_the_year_is_entered(desk_world, monkeypatch):
    from pingcheng.models import WorkdayOverride
    from pingcheng.workdays import workday_calendar_save

    _at(monkeypatch, dt.datetime(2026, 12, 30, 10, tzinfo=SHANGHAI))
    inquiry = submit(desk_world, kind=Inquiry.Kind.COMPLAINT)
    assert inquiry.deadline_provisional
    due = inquiry.deadline_due
    monkeypatch.undo()
    workday_calendar_save(entry=WorkdayOverride(date=due, is_workday=False, note="测试假日"))
    inquiry.refresh_from_db()
    assert inquiry.deadline_due > due


def test_an_approved_extension_counts_working_days_from_the_same_start(desk_world, monkeypatch):
    from grievances import services

    _at(monkeypatch, dt.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI))
    inquiry = submit(desk_world)
    services.inquiry_accept(inquiry=inquiry, by=desk_world.union_handler)
    extension = services.extension_request(inquiry=inquiry, by=desk_world.union_handler, working_days=2, reason="查")
    services.extension_decide(extension=extension, by=desk_world.supervisor, approve=True)
    inquiry.refresh_from_db()
    assert inquiry.deadline_start == dt.date(2026, 9, 28) and inquiry.deadline_working_days == 5
    assert inquiry.deadline_due == dt.date(2026, 10, 10)
