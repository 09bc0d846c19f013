"""Working days against the real data of chinese_calendar 1.11.0 (2004–2026), overrides and the 2027 gap.

2026 as the library has it: 元旦 1–3 Jan (Sun 4 Jan worked); 春节 15–23 Feb with Sat 14 Feb and Sat 28 Feb
worked; 中秋 25–27 Sep; 国庆 1–7 Oct with Sat 10 Oct worked. 2027 is unknown to it.
"""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pingcheng.directory.models import Role
from pingcheng.errors import DomainError
from pingcheng.models import WorkdayOverride, WorkdayYear
from pingcheng.workdays import (
    Source,
    deadline_models,
    deadline_set,
    workday_after,
    workday_after_each,
    workday_calendar_delete,
    workday_calendar_save,
    workday_status,
    workdays_between,
)
from tests.factories import UserFactory, staff
from tests.workdays_app.models import Case

pytestmark = pytest.mark.django_db

D = datetime.date


def recompute(*options: str) -> int:
    out = StringIO()
    call_command("workdays_recompute", *options, stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("changed: ")
    return int(last.removeprefix("changed: "))


def case_with_deadline(*, start: datetime.date, working_days: int) -> Case:
    case = Case(title="测试")
    deadline_set(obj=case, start=start, working_days=working_days)
    case.save()
    return case


def enter_new_year_2027(*, complete: bool) -> None:
    """What the administrator would enter if 2027's notice gives 1–3 Jan off (1 Jan is a Friday)."""
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    if complete:
        WorkdayYear.objects.create(year=2027, complete=True, source="国办发明电〔2026〕号（测试）")


# --- is D a working day -----------------------------------------------------------------------------------


def test_make_up_weekends_of_2026_are_working_days_and_holidays_are_not():
    for saturday in (D(2026, 2, 14), D(2026, 2, 28), D(2026, 10, 10)):
        status = workday_status(day=saturday)
        assert status.is_workday and not status.provisional and status.source is Source.LIBRARY
    for holiday in (D(2026, 2, 16), D(2026, 10, 1), D(2026, 10, 7), D(2026, 10, 11)):
        status = workday_status(day=holiday)
        assert not status.is_workday and not status.provisional


def test_a_day_of_2027_follows_monday_to_friday_and_is_provisional():
    new_year = workday_status(day=D(2027, 1, 1))
    assert new_year.is_workday and new_year.provisional and new_year.source is Source.FALLBACK
    saturday = workday_status(day=D(2027, 1, 2))
    assert not saturday.is_workday and saturday.provisional


def test_an_override_wins_over_the_library_and_is_certain_in_an_unknown_year():
    WorkdayOverride.objects.create(date=D(2026, 10, 11), is_workday=True, note="测试：周日补班")
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    sunday = workday_status(day=D(2026, 10, 11))
    assert sunday.is_workday and sunday.source is Source.OVERRIDE
    new_year = workday_status(day=D(2027, 1, 1))
    assert not new_year.is_workday and not new_year.provisional
    assert workday_status(day=D(2027, 1, 4)).provisional  # the rest of 2027 is still unknown


def test_a_year_marked_complete_is_certain_but_an_incomplete_one_is_not():
    WorkdayYear.objects.create(year=2027, complete=False)
    assert workday_status(day=D(2027, 3, 1)).provisional
    WorkdayYear.objects.filter(year=2027).update(complete=True)
    monday = workday_status(day=D(2027, 3, 1))
    assert monday.is_workday and not monday.provisional and monday.source is Source.WEEKDAY


def test_an_aware_datetime_is_read_in_shanghai_and_a_naive_one_is_refused():
    # 17:00 UTC on 30 Sep is 01:00 on 1 Oct in Shanghai: National Day.
    evening_utc = datetime.datetime(2026, 9, 30, 17, 0, tzinfo=datetime.UTC)
    assert workday_status(day=evening_utc).day == D(2026, 10, 1)
    assert not workday_status(day=evening_utc).is_workday
    with pytest.raises(TypeError):
        workday_status(day=datetime.datetime(2026, 9, 30, 17, 0))


# --- N working days after D -------------------------------------------------------------------------------


def test_a_deadline_started_before_national_day_2026_lands_after_the_holiday():
    start = D(2026, 9, 30)  # a Wednesday, the last working day before 国庆; the start day is not counted
    assert workday_after(start=start, working_days=1).date == D(2026, 10, 8)
    assert workday_after(start=start, working_days=3).date == D(2026, 10, 10)  # the make-up Saturday
    assert workday_after(start=start, working_days=4).date == D(2026, 10, 12)
    ten = workday_after(start=D(2026, 9, 24), working_days=10)  # across 中秋 and 国庆
    assert ten.date == D(2026, 10, 15) and not ten.provisional


def test_a_deadline_across_spring_festival_2026_counts_both_make_up_saturdays():
    start = D(2026, 2, 13)
    assert workday_after(start=start, working_days=1).date == D(2026, 2, 14)
    assert workday_after(start=start, working_days=2).date == D(2026, 2, 24)
    assert workday_after(start=start, working_days=6).date == D(2026, 2, 28)
    assert workday_after(start=start, working_days=7).date == D(2026, 3, 2)


def test_a_deadline_from_late_december_2026_into_2027_is_provisional_monday_to_friday():
    due = workday_after(start=D(2026, 12, 24), working_days=10)
    assert due.date == D(2027, 1, 7) and due.provisional  # 1 Jan 2027 counted as a Friday


def test_a_deadline_that_ends_inside_2026_is_not_provisional():
    due = workday_after(start=D(2026, 12, 24), working_days=5)
    assert due.date == D(2026, 12, 31) and not due.provisional


def test_zero_working_days_is_the_start_date_even_on_a_holiday():
    assert workday_after(start=D(2026, 10, 1), working_days=0).date == D(2026, 10, 1)


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(DomainError) as refused:
        workday_after(start=D(2026, 9, 30), working_days=-1)
    assert refused.value.code == "workdays_negative"
    with pytest.raises(DomainError) as refused:
        deadline_set(obj=Case(title="负数"), start=D(2026, 9, 30), working_days=-3)
    assert refused.value.code == "workdays_negative"


def test_an_absurd_number_of_working_days_is_refused():
    with pytest.raises(DomainError) as refused:
        workday_after(start=D(2026, 9, 30), working_days=100_000)
    assert refused.value.code == "workdays_too_many"


# --- working days between D1 and D2 -----------------------------------------------------------------------


def test_working_days_between_two_dates_skip_national_day():
    count = workdays_between(start=D(2026, 9, 30), end=D(2026, 10, 12))
    assert count.count == 4 and not count.provisional  # 8, 9, 10 (Sat, make-up) and 12 Oct
    assert workdays_between(start=D(2026, 9, 30), end=D(2026, 10, 7)).count == 0


def test_working_days_between_agree_with_working_days_after():
    for start, days in ((D(2026, 2, 13), 7), (D(2026, 9, 24), 10), (D(2026, 12, 24), 10)):
        due = workday_after(start=start, working_days=days)
        assert workdays_between(start=start, end=due.date).count == days


def test_working_days_between_into_2027_are_provisional_and_the_same_day_is_zero():
    assert workdays_between(start=D(2026, 12, 24), end=D(2027, 1, 8)).provisional
    same = workdays_between(start=D(2026, 10, 8), end=D(2026, 10, 8))
    assert same.count == 0 and not same.provisional


def test_an_end_before_the_start_is_refused():
    with pytest.raises(DomainError) as refused:
        workdays_between(start=D(2026, 10, 12), end=D(2026, 9, 30))
    assert refused.value.code == "workdays_range_reversed"


# --- one query per range ----------------------------------------------------------------------------------


def test_a_long_span_in_known_years_reads_the_overrides_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert workday_after(start=D(2025, 1, 2), working_days=200).provisional is False
    with django_assert_num_queries(1):
        assert workdays_between(start=D(2004, 1, 1), end=D(2026, 12, 31)).count > 5000


def test_a_span_into_an_unknown_year_adds_one_query_for_its_completeness(django_assert_num_queries):
    with django_assert_num_queries(2):
        workday_after(start=D(2026, 6, 1), working_days=250)
    with django_assert_num_queries(2):
        workdays_between(start=D(2026, 1, 1), end=D(2028, 12, 31))


def test_many_start_dates_at_once_agree_with_one_at_a_time_and_read_the_calendar_once(django_assert_num_queries):
    WorkdayOverride.objects.create(date=D(2026, 12, 31), is_workday=False, note="测试")
    starts = [D(2026, 1, 1), D(2026, 2, 13), D(2026, 9, 30), D(2026, 12, 30), D(2027, 3, 5)]
    with django_assert_num_queries(2):  # the overrides of the span, and 2027's completeness
        each = workday_after_each(starts=starts, working_days=2)
    assert each == {start: workday_after(start=start, working_days=2) for start in starts}
    assert each[D(2026, 9, 30)].date > D(2026, 10, 7)  # past the National Day holiday
    assert each[D(2026, 12, 30)].date > D(2026, 12, 31)  # the override is read
    assert each[D(2027, 3, 5)].provisional and not each[D(2026, 1, 1)].provisional


def test_many_start_dates_refuse_what_one_refuses_and_none_is_no_query(django_assert_num_queries):
    with pytest.raises(DomainError):
        workday_after_each(starts=[D(2026, 1, 5)], working_days=-1)
    with django_assert_num_queries(0):
        assert workday_after_each(starts=[], working_days=2) == {}


# --- stored deadlines and their recompute -----------------------------------------------------------------


def test_deadline_models_lists_concrete_models_using_the_mixin():
    assert Case in deadline_models()


def test_recompute_fixes_the_2027_deadline_once_the_administrator_completes_2027_and_is_idempotent():
    late_december = case_with_deadline(start=D(2026, 12, 24), working_days=10)
    national_day = case_with_deadline(start=D(2026, 9, 30), working_days=3)
    no_deadline = Case.objects.create(title="未起算")
    assert (late_december.deadline_due, late_december.deadline_provisional) == (D(2027, 1, 7), True)
    assert (national_day.deadline_due, national_day.deadline_provisional) == (D(2026, 10, 10), False)
    assert recompute() == 0  # nothing new is known yet

    enter_new_year_2027(complete=True)
    stamped = late_december.updated_at
    assert recompute() == 1
    late_december.refresh_from_db()
    assert (late_december.deadline_due, late_december.deadline_provisional) == (D(2027, 1, 8), False)
    assert late_december.updated_at > stamped
    assert recompute() == 0  # a second run changes nothing

    national_day.refresh_from_db()
    no_deadline.refresh_from_db()
    assert (national_day.deadline_due, national_day.deadline_provisional) == (D(2026, 10, 10), False)
    assert (no_deadline.deadline_due, no_deadline.deadline_provisional) == (None, False)


def test_recompute_with_overrides_but_no_complete_year_moves_the_date_and_keeps_it_provisional():
    case = case_with_deadline(start=D(2026, 12, 24), working_days=10)
    enter_new_year_2027(complete=False)
    assert recompute() == 1
    case.refresh_from_db()
    assert (case.deadline_due, case.deadline_provisional) == (D(2027, 1, 8), True)
    assert recompute() == 0


def test_recompute_leaves_a_row_whose_deadline_is_no_longer_provisional():
    case = case_with_deadline(start=D(2026, 12, 24), working_days=10)
    # A service reset the deadline meanwhile (say, the clock restarted on 1 Dec): not the command's business.
    Case.objects.filter(pk=case.pk).update(deadline_due=D(2026, 12, 15), deadline_provisional=False)
    enter_new_year_2027(complete=True)
    assert recompute() == 0
    case.refresh_from_db()
    assert case.deadline_due == D(2026, 12, 15)


# --- admin ------------------------------------------------------------------------------------------------


def test_district_admin_enters_2027_and_the_provisional_deadline_is_recomputed(client):
    case = case_with_deadline(start=D(2026, 12, 24), working_days=10)
    client.force_login(staff(Role.DISTRICT_ADMIN))
    response = client.post("/admin/pingcheng/workdayoverride/add/", {"date": "2027-01-01", "note": "元旦"})
    assert response.status_code == 302
    assert WorkdayOverride.objects.get(date=D(2027, 1, 1)).is_workday is False
    case.refresh_from_db()
    assert (case.deadline_due, case.deadline_provisional) == (D(2027, 1, 8), True)

    response = client.post(
        "/admin/pingcheng/workdayyear/add/", {"year": 2027, "complete": "on", "source": "通知"}, follow=True
    )
    assert "已重算 1 个截止日期" in response.text
    case.refresh_from_db()
    assert (case.deadline_due, case.deadline_provisional) == (D(2027, 1, 8), False)


def test_other_staff_read_the_calendar_but_cannot_change_it(client):
    override = WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    client.force_login(staff(Role.DEPARTMENT_HANDLER))
    listing = client.get("/admin/pingcheng/workdayoverride/")
    assert listing.status_code == 200 and "元旦" in listing.text and "未收录" in listing.text
    page = client.get(f"/admin/pingcheng/workdayoverride/{override.pk}/change/")
    assert page.status_code == 200 and 'name="note"' not in page.text  # read-only view
    assert client.post("/admin/pingcheng/workdayoverride/add/", {"date": "2027-01-02"}).status_code == 403
    assert client.post(f"/admin/pingcheng/workdayoverride/{override.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/pingcheng/workdayyear/add/", {"year": 2027, "complete": "on"}).status_code == 403
    assert WorkdayOverride.objects.count() == 1 and not WorkdayYear.objects.exists()


def test_staff_without_a_membership_cannot_open_the_calendar(client):
    client.force_login(UserFactory())
    assert client.get("/admin/pingcheng/workdayoverride/").status_code == 403


def test_a_duplicate_override_date_is_a_form_error(client):
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False)
    client.force_login(staff(Role.DISTRICT_ADMIN))
    response = client.post("/admin/pingcheng/workdayoverride/add/", {"date": "2027-01-01", "is_workday": "on"})
    assert response.status_code == 200
    assert WorkdayOverride.objects.get().is_workday is False


def test_updated_at_is_untouched_when_nothing_changes():
    case = case_with_deadline(start=D(2026, 12, 24), working_days=10)
    stamped = Case.objects.get(pk=case.pk).updated_at
    assert recompute() == 0
    assert Case.objects.get(pk=case.pk).updated_at == stamped


# --- editing a year already complete: certain deadlines move too -------------------------------------------


def stored(case: Case) -> tuple[datetime.date, bool]:
    case.refresh_from_db()
    return case.deadline_due, case.deadline_provisional


def computed(case: Case) -> tuple[datetime.date, bool]:
    due = workday_after(start=case.deadline_start, working_days=case.deadline_working_days)
    return due.date, due.provisional


def admin_message(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_a_holiday_added_to_a_year_already_complete_moves_a_certain_deadline(client):
    # The reviewer's repro: 5 working days from Mon 28 Dec 2026 end on Mon 4 Jan 2027, by Monday–Friday.
    case = case_with_deadline(start=D(2026, 12, 28), working_days=5)
    assert stored(case) == (D(2027, 1, 4), True)
    client.force_login(staff(Role.DISTRICT_ADMIN))

    response = client.post("/admin/pingcheng/workdayyear/add/", {"year": 2027, "complete": "on"}, follow=True)
    assert "已重算 1 个截止日期" in admin_message(response)
    assert stored(case) == (D(2027, 1, 4), False)

    response = client.post("/admin/pingcheng/workdayoverride/add/", {"date": "2027-01-01", "note": "元旦"}, follow=True)
    assert "已重算 1 个截止日期" in admin_message(response)
    assert stored(case) == (D(2027, 1, 5), False) == computed(case)
    assert recompute() == 0 and recompute("--all") == 0


def test_deleting_an_override_in_a_complete_year_moves_the_deadline_back(client):
    case = case_with_deadline(start=D(2026, 12, 28), working_days=5)
    enter_new_year_2027(complete=True)
    assert recompute() == 1 and stored(case) == (D(2027, 1, 5), False)
    client.force_login(staff(Role.DISTRICT_ADMIN))

    new_year = WorkdayOverride.objects.get(date=D(2027, 1, 1))
    response = client.post(f"/admin/pingcheng/workdayoverride/{new_year.pk}/delete/", {"post": "yes"}, follow=True)
    assert "已重算 1 个截止日期" in admin_message(response)
    assert not WorkdayOverride.objects.exists()
    assert stored(case) == (D(2027, 1, 4), False) == computed(case)


def test_unticking_complete_makes_the_deadlines_of_that_year_provisional_again_by_monday_to_friday(client):
    case = case_with_deadline(start=D(2026, 12, 28), working_days=5)
    year = WorkdayYear.objects.create(year=2027, complete=True)
    assert recompute() == 1 and stored(case) == (D(2027, 1, 4), False)
    client.force_login(staff(Role.DISTRICT_ADMIN))

    response = client.post(f"/admin/pingcheng/workdayyear/{year.pk}/change/", {"year": 2027, "source": ""}, follow=True)
    assert "已重算 1 个截止日期" in admin_message(response)
    assert stored(case) == (D(2027, 1, 4), True) == computed(case)


def test_deleting_a_complete_year_in_bulk_makes_its_deadlines_provisional_again(client):
    case = case_with_deadline(start=D(2026, 12, 28), working_days=5)
    year = WorkdayYear.objects.create(year=2027, complete=True)
    assert recompute() == 1
    client.force_login(staff(Role.DISTRICT_ADMIN))

    response = client.post(
        "/admin/pingcheng/workdayyear/",
        {"action": "delete_selected", "_selected_action": [year.pk], "post": "yes"},
        follow=True,
    )
    assert "已重算 1 个截止日期" in admin_message(response)
    assert not WorkdayYear.objects.exists()
    assert stored(case) == (D(2027, 1, 4), True)


def test_correcting_a_mistyped_override_date_moves_the_deadlines_around_both_dates(client):
    WorkdayYear.objects.create(year=2027, complete=True)
    mistyped = WorkdayOverride.objects.create(date=D(2027, 1, 8), is_workday=False, note="元旦")
    around_new_date = case_with_deadline(start=D(2026, 12, 28), working_days=5)
    around_old_date = case_with_deadline(start=D(2027, 1, 5), working_days=3)
    assert stored(around_new_date) == (D(2027, 1, 4), False)
    assert stored(around_old_date) == (D(2027, 1, 11), False)  # 6, 7 and (8 off) 11 Jan
    client.force_login(staff(Role.DISTRICT_ADMIN))

    change = f"/admin/pingcheng/workdayoverride/{mistyped.pk}/change/"
    response = client.post(change, {"date": "2027-01-01", "note": "元旦"}, follow=True)
    assert "已重算 2 个截止日期" in admin_message(response)
    assert stored(around_new_date) == (D(2027, 1, 5), False) == computed(around_new_date)
    assert stored(around_old_date) == (D(2027, 1, 8), False) == computed(around_old_date)
    response = client.post(change, {"date": "2027-01-01", "note": "元旦（国办通知）"}, follow=True)
    assert "没有截止日期受这项修改影响" in admin_message(response)  # a second save changes nothing


def test_a_mistyped_override_is_refused_by_the_service_and_moves_nothing():
    case = case_with_deadline(start=D(2026, 12, 28), working_days=5)
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False)
    with pytest.raises(ValidationError):
        workday_calendar_save(entry=WorkdayOverride(date=D(2027, 1, 1), is_workday=True))
    assert stored(case) == (D(2027, 1, 4), True)


def test_a_calendar_edit_leaves_deadlines_outside_its_span_untouched(client):
    # An override loaded behind the services' back (a fixture, a SQL script) leaves a stale row in February…
    february = case_with_deadline(start=D(2027, 2, 8), working_days=3)
    WorkdayOverride.objects.create(date=D(2027, 2, 9), is_workday=False, note="春节")
    stale_february = stored(february)
    before_new_year = case_with_deadline(start=D(2026, 12, 21), working_days=5)  # ends on Mon 28 Dec
    from_new_year = case_with_deadline(start=D(2027, 1, 1), working_days=2)  # counts from 2 Jan
    untouched = {
        case.pk: Case.objects.get(pk=case.pk).updated_at for case in (february, before_new_year, from_new_year)
    }
    inside = case_with_deadline(start=D(2026, 12, 28), working_days=5)

    # …which an edit on 1 January does not reach: only the row whose span contains that day moves.
    client.force_login(staff(Role.DISTRICT_ADMIN))
    response = client.post("/admin/pingcheng/workdayoverride/add/", {"date": "2027-01-01", "note": "元旦"}, follow=True)
    assert stored(february) == stale_february != computed(february)
    assert {pk: Case.objects.get(pk=pk).updated_at for pk in untouched} == untouched
    assert "已重算 1 个截止日期" in admin_message(response)
    assert stored(inside) == (D(2027, 1, 5), True) == computed(inside)
    assert recompute("--all") == 1  # the repair for data changed outside the services
    assert stored(february) == computed(february)


def test_finding_the_rows_an_edit_reaches_reads_each_deadline_table_once():
    for day in range(20, 32):
        case_with_deadline(start=D(2026, 12, day), working_days=5)
    table = Case._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        changed = workday_calendar_save(entry=WorkdayOverride(date=D(2027, 1, 1), is_workday=False))
    assert changed == 7  # the spans from 25–31 Dec reach 1 Jan; from 24 Dec it ends on the 31st
    case_queries = [query["sql"] for query in queries if table in query["sql"]]
    assert sum(sql.lstrip().upper().startswith("SELECT") for sql in case_queries) == 1
    assert len(case_queries) == 1 + 7  # and one UPDATE per (start, span) group that changed


def test_deleting_calendar_entries_in_bulk_recomputes_once_for_all_their_dates():
    WorkdayYear.objects.create(year=2027, complete=True)
    for day in (1, 4):
        WorkdayOverride.objects.create(date=D(2027, 1, day), is_workday=False)
    case = case_with_deadline(start=D(2026, 12, 28), working_days=5)
    assert stored(case) == (D(2027, 1, 6), False)
    assert workday_calendar_delete(entries=WorkdayOverride.objects.all()) == 1
    assert stored(case) == (D(2027, 1, 4), False)
    assert workday_calendar_delete(entries=WorkdayOverride.objects.all()) == 0


def test_recompute_by_default_leaves_certain_deadlines_and_year_or_all_recomputes_them():
    # The reviewer's repro through the ORM, which bypasses the services: only the command repairs it.
    case = case_with_deadline(start=D(2026, 12, 28), working_days=5)
    WorkdayYear.objects.create(year=2027, complete=True)
    assert recompute() == 1 and stored(case) == (D(2027, 1, 4), False)
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_workday=False)
    assert recompute() == 0 and stored(case) == (D(2027, 1, 4), False)  # not provisional: not the default's
    assert recompute("--year", "2026") == 1  # its span touches 2026 too
    assert stored(case) == (D(2027, 1, 5), False)
    assert recompute("--year", "2027") == 0 and recompute("--all") == 0


def test_recompute_for_a_year_leaves_deadlines_that_do_not_touch_it():
    case = case_with_deadline(start=D(2027, 1, 5), working_days=3)
    WorkdayYear.objects.create(year=2027, complete=True)
    WorkdayOverride.objects.create(date=D(2027, 1, 6), is_workday=False)
    assert recompute("--year", "2026", "--year", "2028") == 0
    assert stored(case) == (D(2027, 1, 8), True)
    assert recompute("--year", "2027") == 1
    assert stored(case) == (D(2027, 1, 11), False)


def test_recompute_refuses_year_and_all_together_and_a_year_out_of_range():
    with pytest.raises(CommandError):
        recompute("--year", "2027", "--all")
    with pytest.raises(CommandError):
        recompute("--year", "99999")
