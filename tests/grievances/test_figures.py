"""The desk's figures (/desk/figures/): the four rates by unit and month on a small hand-counted district, their
edge cases (nothing rated, a redo, an approved extension, a window still running), who sees which units, the
XLSX against the page, and a fixed number of queries whatever the number of inquiries."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grievances import figures, services
from grievances.models import Extension, Inquiry
from pingcheng.directory.models import Role
from pingcheng.workdays import SHANGHAI, deadline_set, workday_today
from tests.factories import staff
from tests.grievances.desk_world import submit

pytestmark = pytest.mark.django_db
URL = "/desk/figures/"
R = Inquiry.Rating


def _ago(days: int):
    return timezone.now() - timedelta(days=days)


def _answer(w, inquiry, text="答复：请携带材料到北区121办理。"):
    services.inquiry_answer(inquiry=inquiry, by=w.union_handler, text=text)
    return Inquiry.objects.get(pk=inquiry.pk)


def _accepted(w, **fields):
    inquiry = submit(w, **fields)
    services.inquiry_accept(inquiry=inquiry, by=w.union_handler)
    return Inquiry.objects.get(pk=inquiry.pk)


def _last_month() -> timezone.datetime:
    first = workday_today().replace(day=1)
    return timezone.datetime.combine(first - timedelta(days=5), timezone.datetime.min.time(), tzinfo=SHANGHAI)


@pytest.fixture
def world(desk_world):
    """Union, this month: u1 answered in time, satisfied, closed; u2 accepted late, answered late, basically
    satisfied; u3 unsatisfied → in its redo round; u4 assigned today, not accepted yet (window running).
    Union, last month: u5 answered after its deadline passed but within an approved extension, closed unrated;
    u6 unsatisfied twice, closed. Street, this month: s1 never accepted, overdue; s2 rejected (not counted)."""
    w = desk_world
    u1 = _answer(w, _accepted(w, title="一"))
    services.inquiry_rate(inquiry=u1, rating=R.SATISFIED)
    services.inquiry_close(inquiry=u1, by=w.supervisor)

    u2 = submit(w, title="二")
    Inquiry.objects.filter(pk=u2.pk).update(assigned_at=_ago(20))
    services.inquiry_accept(inquiry=u2, by=w.union_handler)
    Inquiry.objects.filter(pk=u2.pk).update(deadline_due=(timezone.localdate() - timedelta(days=5)))
    services.inquiry_rate(inquiry=_answer(w, u2), rating=R.BASICALLY)

    u3 = _answer(w, _accepted(w, title="三"))
    services.inquiry_rate(inquiry=u3, rating=R.UNSATISFIED)

    submit(w, title="四")

    u5 = _accepted(w, title="五")
    deadline_set(obj=u5, start=_ago(30), working_days=3)
    u5.save(update_fields=["deadline_start", "deadline_working_days", "deadline_due", "deadline_provisional"])
    assert u5.deadline_due < timezone.localdate()
    extension = services.extension_request(inquiry=u5, by=w.union_handler, working_days=30, reason="需要核实材料")
    services.extension_decide(extension=extension, by=w.supervisor, approve=True)
    assert Extension.objects.get(pk=extension.pk).new_due > timezone.localdate()
    services.inquiry_close(inquiry=_answer(w, Inquiry.objects.get(pk=u5.pk)), by=w.supervisor)

    u6 = _answer(w, _accepted(w, title="六"))
    services.inquiry_rate(inquiry=u6, rating=R.UNSATISFIED)
    services.inquiry_rate(inquiry=_answer(w, Inquiry.objects.get(pk=u6.pk)), rating=R.UNSATISFIED)
    services.inquiry_close(inquiry=Inquiry.objects.get(pk=u6.pk), by=w.supervisor)
    Inquiry.objects.filter(pk__in=[u5.pk, u6.pk]).update(submitted_at=_last_month())

    s1 = submit(w, topic=w.street_topic, title="街一")
    Inquiry.objects.filter(pk=s1.pk).update(assigned_at=_ago(20), deadline_due=timezone.localdate() - timedelta(days=3))
    s2 = submit(w, topic=w.street_topic, title="街二")
    services.inquiry_reject(inquiry=s2, by=w.supervisor, reason=Inquiry.RejectReason.OUT_OF_SCOPE, note="不属于")
    return w


def _build(user, **kwargs):
    this_month = workday_today().replace(day=1)
    first = (this_month - timedelta(days=1)).replace(day=1)
    return figures.figures_build(scope=figures.figures_access(user), first=first, last=this_month, **kwargs)


def _pairs(row):
    return [(rate.done, rate.of) for rate in row.rates]


def test_each_rate_counts_its_numerator_and_denominator_by_unit_and_month(world):
    data = _build(world.supervisor)
    union, street = data.by_unit
    assert (union.label, union.inquiries, _pairs(union)) == ("平城区总工会", 6, [(4, 5), (3, 4), (2, 3), (2, 4)])
    assert (street.label, street.inquiries, _pairs(street)) == ("新旺街道", 1, [(0, 1), (0, 1), (0, 0), (0, 0)])
    last, this = data.by_month
    assert (last.inquiries, _pairs(last)) == (2, [(2, 2), (2, 2), (1, 2), (0, 1)])
    assert (this.inquiries, _pairs(this)) == (5, [(2, 4), (1, 3), (1, 1), (2, 3)])
    assert (data.total.inquiries, _pairs(data.total)) == (7, [(4, 6), (3, 5), (2, 3), (2, 4)])
    assert [rate.text for rate in data.total.rates] == ["66.7%", "60.0%", "66.7%", "50.0%"]
    assert [(row.label, row.month) for row in data.rows] == [
        ("平城区总工会", last.month), ("平城区总工会", this.month), ("新旺街道", this.month),
    ]  # fmt: skip


def test_nothing_rated_is_a_dash_and_none_satisfied_is_zero_percent(world):
    data = _build(world.supervisor)
    street = data.by_unit[1]
    assert street.satisfaction.percent is None and street.satisfaction.text == "—"
    assert street.resolution.text == "—"
    assert data.by_month[0].satisfaction.text == "0.0%"  # one rating, unsatisfied: a real 0 %


def test_an_acceptance_inside_the_window_counts_and_a_running_window_waits(world):
    this_month = _build(world.supervisor).by_month[1]
    # u4 is assigned today and not accepted: left out, not counted as late.
    assert this_month.response == figures.Rate(2, 4)
    fresh = submit(world, title="七")
    services.inquiry_accept(inquiry=fresh, by=world.union_handler)
    assert _build(world.supervisor).by_month[1].response == figures.Rate(3, 5)


def test_the_unit_filter_narrows_to_that_unit(world):
    data = _build(world.supervisor, unit=world.street)
    assert [row.label for row in data.by_unit] == ["新旺街道"] and data.total.inquiries == 1


def test_rate_rounds_half_up_to_a_tenth_of_a_percent():
    assert figures.Rate(1, 3).percent == Decimal("33.3") and figures.Rate(2, 3).percent == Decimal("66.7")
    assert figures.Rate(1, 8).text == "12.5%" and figures.Rate(0, 0).text == "—"


# --- the page ----------------------------------------------------------------------------------------------


def test_the_supervisor_sees_every_unit_with_charts_tables_and_definitions(client, world):
    client.force_login(world.supervisor)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "平城区总工会" in page and "新旺街道" in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars"') == 8
    assert "66.7%" in page and "4/6" in page and "—" in page
    assert "退单时限相同" in page and "批准延期后按新的截止日期" in page


def test_the_union_handler_sees_its_own_unit_only(client, world):
    client.force_login(world.union_handler)
    page = client.get(URL).content.decode()
    assert "平城区总工会" in page and "新旺街道" not in page
    assert "4/5" in page  # the union's own response rate as the total


def test_a_handler_asking_for_another_units_figures_gets_a_message(client, world):
    client.force_login(world.union_handler)
    response = client.get(URL, {"unit": world.street.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "不在您的范围内" in page and "新旺街道" not in page


@pytest.mark.parametrize("role", [Role.REPORTER, Role.GRID_WORKER, Role.EDITOR])
def test_staff_outside_the_desk_are_refused(client, world, role):
    client.force_login(staff(role, world.community, username=f"x-{role}"))
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "2026-13"}, "没有这个月份"),
        ({"start": "soon"}, "请按“2026-06”的格式填写年月"),
        ({"start": "2026-06", "end": "2026-01"}, "起始月份不能晚于截止月份"),
        ({"start": "2020-01", "end": "2026-01"}, "一次最多统计 24 个月"),
        ({"unit": "abc"}, "没有这个单位"),
        ({"unit": "99999999999999999999"}, "没有这个单位"),
        ({"start": "2026-06", "download": "xlsx", "end": "x"}, "请按“2026-06”的格式填写年月"),
    ],
)
def test_bad_filter_input_is_explained_never_a_server_error(client, world, query, message):
    client.force_login(world.supervisor)
    response = client.get(URL, query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_a_nul_in_the_query_string_is_a_400_with_a_message(client, world):
    client.force_login(world.supervisor)
    response = client.get(URL, {"start": "2026\x00-01"})
    assert response.status_code == 400 and "空字符" in response.content.decode()


def test_the_xlsx_has_a_title_the_period_a_row_per_unit_and_month_and_the_pages_totals(client, world):
    client.force_login(world.supervisor)
    data = _build(world.supervisor)
    period = {"start": data.first.strftime("%Y-%m"), "end": data.last.strftime("%Y-%m")}
    response = client.get(URL, {"download": "xlsx", **period})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "诉求办理统计" in values[0][0] and data.period in values[1][0]
    assert values[2][:4] == ["单位", "月份", "诉求件数", "响应率·分子"]
    body = values[3 : 3 + len(data.rows)]
    for line, row in zip(body, data.rows, strict=True):
        assert line[0] == row.label and line[2] == row.inquiries
        assert line[3:15] == [v for rate in row.rates for v in (rate.done, rate.of, _cell(rate))]
    totals = values[3 + len(data.rows)]
    assert totals[0] == "合计" and totals[2] == 7
    assert totals[3:15] == [4, 6, 66.7, 3, 5, 60.0, 2, 3, 66.7, 2, 4, 50.0]
    street = body[2]
    assert street[0] == "新旺街道" and street[9:15] == [0, 0, "—", 0, 0, "—"]
    page = client.get(URL, period).content.decode()
    for rate in data.total.rates:
        assert f'{rate.text}<span class="field-meta">{rate.done}/{rate.of}</span>' in page


def _cell(rate):
    return float(rate.percent) if rate.percent is not None else "—"


def test_a_unit_name_starting_with_equals_stays_text_in_the_xlsx(client, world):
    world.union.name = '=HYPERLINK("http://x")'
    world.union.save(update_fields=["name"])
    client.force_login(world.supervisor)
    sheet = load_workbook(io.BytesIO(client.get(URL, {"download": "xlsx"}).content)).active
    cell = sheet.cell(row=4, column=1)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_the_page_and_the_download_read_a_fixed_number_of_queries(client, world):
    client.force_login(world.supervisor)
    client.get(URL)  # warm the session and the calendar library

    def count(query=None):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, query or {}).status_code == 200
        return len(captured)

    small, small_xlsx = count(), count({"download": "xlsx"})
    for n in range(12):
        inquiry = submit(world, topic=world.street_topic if n % 2 else world.topic, title=f"加{n}")
        if n % 3 == 0:
            services.inquiry_accept(inquiry=inquiry, by=world.union_handler if n % 2 == 0 else world.street_staff)
    assert count() == small and count({"download": "xlsx"}) == small_xlsx
    # session, user, memberships (2), the unit choices, the two GROUP BY queries, the calendar's overrides
    assert small <= 8 and small_xlsx <= 7, (small, small_xlsx)


def test_the_desk_list_and_the_panel_link_to_the_figures(client, world):
    client.force_login(world.union_handler)
    assert reverse("grievances-desk:figures") in client.get(reverse("grievances-desk:list")).content.decode()
    from grievances.dashboard import desk_panel

    assert any(item.url == URL for item in desk_panel(user=world.union_handler).items)
