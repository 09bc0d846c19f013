"""The leaders' dashboard: district staff see every street, a street its communities, a community itself; grid
workers are refused; a neighbour's campaign or unit guessed in the URL or the query string reveals nothing; the
figures are counted from the activity records in a fixed number of queries; each chart's numbers match its table."""

import re
from datetime import date, timedelta
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Activity, ActivityFigure, Campaign, Finding, Metric, Target
from pingcheng.directory.models import Unit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
DASHBOARD = reverse("campaigns-field:dashboard")


def _as(client, user):
    client.force_login(user)
    return client


def _period(days: int = 30) -> dict:
    today = timezone.localdate()
    return {"period": "custom", "date_from": str(today - timedelta(days=days)), "date_to": str(today)}


def _held(campaign, unit, *, when=None, public=True, status=Activity.Status.HELD, **figures) -> Activity:
    activity = Activity.objects.create(campaign=campaign, unit=unit, title="巡查", status=status, is_public=public,
                                       starts_at=when or timezone.now() - timedelta(hours=2))  # fmt: skip
    for code, value in figures.items():
        ActivityFigure.objects.create(activity=activity, metric=Metric.objects.get(campaign_type=campaign.campaign_type,
                                                                                   code=code), value=value)  # fmt: skip
    return activity


def _svgs(html: str) -> dict[str, ET.Element]:
    """The page's charts by the id of their title."""
    found = {}
    for match in re.finditer(r"<svg .*?</svg>", html, re.S):
        root = ET.fromstring(match.group(0))
        found[root.find(f"{SVG}title").get("id").removesuffix("-title")] = root
    return found


def _table(html: str, caption_id: str) -> list[list[str]]:
    """The body rows of the table captioned ``caption_id``, each cell's text."""
    table = re.search(rf'<caption id="{caption_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in rows]  # fmt: skip


def _bar_texts(svg: ET.Element) -> list[tuple[str, str]]:
    return [(g.findall(f"{SVG}text")[0].text, g.findall(f"{SVG}text")[1].text) for g in svg.iter(f"{SVG}g")]


@pytest.fixture
def world(units, flood):
    """Patrols in both streets (one planned, one internal, one last quarter), a street campaign of the neighbour's."""
    units["liuyuan"] = UnitFactory(
        code="liuyuan", name="柳园东院社区", kind=Unit.Kind.COMMUNITY, parent=units["xinwang"]
    )
    units["gulou"] = UnitFactory(code="gulou", name="鼓楼社区", kind=Unit.Kind.COMMUNITY, parent=units["zhenhua"])
    _held(flood, units["grid"], patrols=3, hazards=1)
    _held(flood, units["yujinyuan"], public=False, patrols=2)  # internal: counts on the staff dashboard
    _held(flood, units["liuyuan"], patrols=5)
    _held(flood, units["gulou"], patrols=7, hazards=4)
    _held(flood, units["xinwang"], patrols=1)  # the street's own patrol
    _held(flood, units["grid"], status=Activity.Status.PLANNED, patrols=100)  # a plan is not a result
    _held(flood, units["grid"], when=timezone.now() - timedelta(days=50), patrols=1000)  # before the period
    neighbours = Campaign.objects.create(title="振华街道夜市整治", slug="zhenhua-yeshi", campaign_type=flood.campaign_type,
                                         level=Campaign.Level.STREET, lead_unit=units["zhenhua"], is_public=False,
                                         starts_on=flood.starts_on, ends_on=flood.ends_on)  # fmt: skip
    _held(neighbours, units["gulou"], patrols=9)
    return {"neighbours": neighbours}


# --- who may look --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_grid_workers_and_newsroom_staff_are_refused_with_a_reason(client, people, flood):
    response = _as(client, people["grid"]).get(DASHBOARD)
    assert response.status_code == 403 and "网格员请在“活动填报”中查看" in response.text
    assert client.get(reverse("campaigns-field:dashboard_campaign", args=[flood.pk])).status_code == 403
    assert _as(client, people["reporter"]).get(DASHBOARD).status_code == 403


def test_the_field_home_offers_the_dashboard_to_leaders_and_not_to_grid_workers(client, people):
    assert DASHBOARD in _as(client, people["street"]).get(reverse("campaigns-field:home")).text
    assert DASHBOARD not in _as(client, people["grid"]).get(reverse("campaigns-field:home")).text


def test_the_back_office_home_links_leaders_to_the_dashboard_and_not_grid_workers(client, people, world, units):
    Finding.objects.create(activity=Activity.objects.filter(unit=units["grid"]).first(), location="涵洞", description="积水",
                           responsible_unit=units["yujinyuan"], found_at=timezone.now(), status=Finding.Status.ORDERED,
                           deadline_due=timezone.localdate() - timedelta(days=2))  # fmt: skip
    page = _as(client, people["street"]).get(reverse("admin:index")).text
    assert "专项工作看板" in page and DASHBOARD in page and "已逾期未整改" in page
    assert DASHBOARD not in _as(client, people["grid"]).get(reverse("admin:index")).text


# --- what each leader sees -------------------------------------------------------------------------------


def test_district_staff_see_every_street_with_its_figures(client, people, world):
    html = _as(client, people["district"]).get(DASHBOARD, _period()).text
    rows = {row[0]: row[1] for row in _table(html, "units-caption")}
    assert rows == {"新旺街道": "12" if False else "4", "振华街道": "2"}  # 4 patrols in 新旺 (planned and old ones not)


def test_a_street_sees_its_communities_and_never_the_neighbouring_street(client, people, world):
    html = _as(client, people["street"]).get(DASHBOARD, _period()).text
    rows = {row[0]: row[1] for row in _table(html, "units-caption")}
    assert rows == {"御锦源社区": "2", "柳园东院社区": "1", "新旺街道本级及直属单位": "1"}
    assert "振华" not in html and "鼓楼" not in html and "夜市" not in html


def test_a_community_sees_only_itself(client, people, world):
    html = _as(client, people["community"]).get(DASHBOARD, _period()).text
    assert {row[0]: row[1] for row in _table(html, "units-caption")} == {"御锦源第一网格": "1",
                                                                         "御锦源社区本级及直属单位": "1"}  # fmt: skip
    assert "柳园" not in html and "振华" not in html


def test_a_street_leader_in_a_district_campaign_sees_their_streets_share_only(client, people, world, flood):
    url = reverse("campaigns-field:dashboard_campaign", args=[flood.pk])
    html = _as(client, people["street"]).get(url, _period()).text
    # 3 + 2 (internal) + 5 + 1 patrols in 新旺; 振华's 7 and the plan's 100 and last quarter's 1000 are not here.
    totals = re.search(r'id="totals-heading".*?</section>', html, re.S).group(0)
    assert (
        '<span class="dashboard-figure">11</span> 次' in totals
        and '<span class="dashboard-figure">1</span> 处' in totals
    )
    assert "鼓楼" not in html


def test_a_neighbours_campaign_is_the_same_404_as_a_missing_one(client, people, world):
    _as(client, people["street"])
    hidden = client.get(reverse("campaigns-field:dashboard_campaign", args=[world["neighbours"].pk]))
    missing = client.get(reverse("campaigns-field:dashboard_campaign", args=[987654]))
    assert hidden.status_code == missing.status_code == 404
    assert "夜市" not in hidden.text
    assert _as(client, people["neighbour"]).get(
        reverse("campaigns-field:dashboard_campaign", args=[world["neighbours"].pk])).status_code == 200  # fmt: skip


def test_a_neighbours_unit_or_campaign_in_the_query_string_is_refused_like_a_missing_one(client, people, units, world):
    _as(client, people["street"])
    guessed = client.get(DASHBOARD, {**_period(), "unit": units["gulou"].pk})
    missing = client.get(DASHBOARD, {**_period(), "unit": 987654})
    assert guessed.status_code == missing.status_code == 200
    assert "选择一个有效的选项" in guessed.text and "鼓楼" not in guessed.text and "units-caption" not in guessed.text
    hidden = client.get(DASHBOARD, {"campaign": world["neighbours"].pk})
    assert "选择一个有效的选项" in hidden.text and "夜市" not in hidden.text


def test_district_staff_narrow_to_one_street_and_see_its_communities(client, people, units, world):
    html = _as(client, people["district"]).get(DASHBOARD, {**_period(), "unit": units["zhenhua"].pk}).text
    assert {row[0]: row[1] for row in _table(html, "units-caption")} == {"鼓楼社区": "2"}
    assert "新旺" not in re.search(r'id="units-heading".*?</section>', html, re.S).group(0)


def test_a_street_narrows_to_one_of_its_communities(client, people, units, world):
    html = _as(client, people["street"]).get(DASHBOARD, {**_period(), "unit": units["liuyuan"].pk}).text
    assert "柳园东院社区" in html and sum(int(row[1]) for row in _table(html, "units-caption")) == 1


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "message"), [
    ({"period": "custom", "date_from": "2026-13-01", "date_to": "2026-12-31"}, "输入一个有效的日期"),
    ({"period": "custom", "date_from": "2026-11-30", "date_to": "2026-11-01"}, "结束日期不能早于开始日期"),
    ({"period": "custom", "date_from": "2020-01-01", "date_to": "2026-01-01"}, "一次最多查看三年"),
    ({"period": "custom"}, "请填写开始日期"),
    ({"period": "decade"}, "选择一个有效的选项"),
    ({"campaign": "abc"}, "选择一个有效的选项"),
    ({"period": "custom", "date_from": "0001-01-01", "date_to": "0001-01-02"}, "日期"),
])  # fmt: skip
def test_bad_filters_are_explained_beside_the_form_and_never_a_server_error(client, people, world, query, message):
    response = _as(client, people["street"]).get(DASHBOARD, query)
    assert response.status_code == 200
    assert "筛选条件有误" in response.text and message in response.text
    assert "units-caption" not in response.text


def test_an_impossible_date_is_not_echoed_into_the_date_field_but_a_good_one_is_kept(client, people, world):
    html = _as(client, people["street"]).get(DASHBOARD, {"period": "custom", "date_from": "2026-13-01",
                                                          "date_to": "2026-12-31"}).text  # fmt: skip
    assert 'value="2026-13-01"' not in html and 'value="2026-12-31"' in html and "输入一个有效的日期" in html


def test_a_nul_character_in_the_query_string_is_a_bad_request_not_a_server_error(client, people, world):
    assert _as(client, people["street"]).get(DASHBOARD, {"unit": "1\x00"}).status_code == 400


def test_the_preset_periods_cover_this_month_quarter_and_year(client, people, world):
    _as(client, people["street"])
    today = timezone.localdate()
    for period, first in (("month", today.replace(day=1)), ("year", date(today.year, 1, 1)),
                          ("quarter", date(today.year, 3 * ((today.month - 1) // 3) + 1, 1))):  # fmt: skip
        html = client.get(DASHBOARD, {"period": period}).text
        assert f'<time datetime="{first:%Y-%m-%d}">' in html, period


def test_a_campaigns_page_defaults_to_its_whole_period(client, people, world, flood):
    html = _as(client, people["street"]).get(reverse("campaigns-field:dashboard_campaign", args=[flood.pk])).text
    assert f'<p class="dashboard-scope">新旺街道 · <time datetime="{flood.starts_on:%Y-%m-%d}">' in html
    # The whole campaign: last quarter's 1000 patrols count too.
    assert '<span class="dashboard-figure">1011</span> 次' in html


# --- the charts say what the tables say --------------------------------------------------------------------


def test_each_chart_shows_the_numbers_of_its_table(client, people, world, units):
    html = _as(client, people["street"]).get(DASHBOARD, _period()).text
    charts = _svgs(html)
    units_table = _table(html, "units-caption")
    assert _bar_texts(charts["chart-units"]) == [(row[0], f"{row[1]}场") for row in units_table]
    assert _bar_texts(charts["chart-findings"]) == [(row[0], f"{row[3]}个") for row in units_table]
    series = _table(html, "series-caption")
    columns = [
        g.find(f"{SVG}title").text for g in charts["chart-series"].iter(f"{SVG}g") if g.get("class") == "chart-column"
    ]
    assert columns == [f"{label}：{count}场" for label, count in series]
    assert sum(int(count) for _label, count in series) == 4
    campaigns = _table(html, "campaigns-caption")
    bars = _bar_texts(charts["chart-campaigns"])
    assert [value for _label, value in bars] == [f"{row[1]}场" for row in campaigns]
    assert all(row[0].startswith(label) for (label, _value), row in zip(bars, campaigns, strict=True))
    for root in charts.values():
        assert root.get("role") == "img" and root.find(f"{SVG}desc").text


def test_progress_against_targets_is_derived_and_the_bars_match_the_table(client, people, units, world, flood):
    patrols = Metric.objects.get(campaign_type=flood.campaign_type, code="patrols")
    Target.objects.create(campaign=flood, unit=units["xinwang"], metric=patrols, value=Decimal(20))
    Target.objects.create(campaign=flood, unit=units["yujinyuan"], metric=patrols, value=Decimal(4))
    Target.objects.create(campaign=flood, unit=units["zhenhua"], metric=patrols, value=Decimal(50))  # not theirs
    html = _as(client, people["street"]).get(reverse("campaigns-field:dashboard_campaign", args=[flood.pk])).text
    table = _table(html, "progress-caption")
    # 新旺: 3 + 2 + 5 + 1 + 1000 of 20; 御锦源: 3 + 2 + 1000 of 4 (the whole campaign).
    assert table == [
        ["新旺街道", "巡查", "1011 次", "20 次", "5055%"],
        ["御锦源社区", "巡查", "1005 次", "4 次", "25125%"],
    ]
    goals = [t.text for t in _svgs(html)["chart-progress"].iter(f"{SVG}text") if "/" in (t.text or "")]
    assert goals == ["1011/20次（5055%）", "1005/4次（25125%）"]


def test_overdue_findings_are_counted_listed_and_linked(client, people, units, world):
    activity = Activity.objects.filter(unit=units["grid"], status=Activity.Status.HELD).first()
    today = timezone.localdate()
    for status, due in ((Finding.Status.ORDERED, today - timedelta(days=3)), (Finding.Status.IN_PROGRESS, today),
                        (Finding.Status.CLEARED, today - timedelta(days=9))):  # fmt: skip
        Finding.objects.create(activity=activity, location=f"<b>{status}</b>", description="积水", status=status,
                               responsible_unit=units["yujinyuan"], found_at=timezone.now(), deadline_due=due)  # fmt: skip
    _as(client, people["street"])
    rows = {row[0]: row[1:] for row in _table(client.get(DASHBOARD, _period()).text, "units-caption")}
    assert rows["御锦源社区"] == ["2", "3", "2", "1"]  # activities, found, open, overdue
    html = client.get(reverse("campaigns-field:dashboard_campaign", args=[activity.campaign_id])).text
    overdue = re.search(r'id="overdue-heading".*?</section>', html, re.S).group(0)
    assert "&lt;b&gt;ordered&lt;/b&gt;" in overdue and "in_progress" not in overdue
    finding = Finding.objects.get(status=Finding.Status.ORDERED)
    assert reverse("campaigns-field:finding", args=[finding.pk]) in overdue


def test_the_ledger_button_sends_the_same_filter_and_gets_the_file(client, people, units, world, flood):
    html = _as(client, people["street"]).get(reverse("campaigns-field:dashboard_campaign", args=[flood.pk]),
                                             _period()).text  # fmt: skip
    form = re.search(r'<form class="dashboard-ledger" method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    assert fields["unit"] == str(units["xinwang"].pk) and fields["campaign"] == str(flood.pk)
    assert fields["date_from"] == _period()["date_from"]
    response = client.post(form.group(1), fields)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]


# --- a fixed number of queries --------------------------------------------------------------------------


def _grow(flood, units, count: int) -> None:
    """``count`` more patrols with figures and findings, over more units and more campaigns."""
    for n in range(count):
        community = UnitFactory(
            code=f"c-{count}-{n}", name=f"社区{n}", kind=Unit.Kind.COMMUNITY, parent=units["xinwang"]
        )
        campaign = Campaign.objects.create(title=f"专项{n}", slug=f"z-{count}-{n}", campaign_type=flood.campaign_type,
                                           level=Campaign.Level.STREET, lead_unit=units["xinwang"],
                                           starts_on=flood.starts_on, ends_on=flood.ends_on)  # fmt: skip
        Target.objects.create(campaign=campaign, unit=community,
                              metric=Metric.objects.get(campaign_type=flood.campaign_type, code="patrols"), value=5)  # fmt: skip
        for target in (flood, campaign):
            activity = _held(target, community, patrols=n + 1, hazards=1)
            Finding.objects.create(activity=activity, location="井盖", description="破损", responsible_unit=community,
                                   found_at=timezone.now(), status=Finding.Status.ORDERED,
                                   deadline_due=timezone.localdate() - timedelta(days=1))  # fmt: skip


@pytest.mark.parametrize("size", [3, 30])
def test_the_overview_takes_a_fixed_number_of_queries(client, people, units, flood, world, size,
                                                      django_assert_max_num_queries):  # fmt: skip
    _grow(flood, units, size)
    _as(client, people["street"])
    with django_assert_max_num_queries(16):
        response = client.get(DASHBOARD, _period())
    assert response.status_code == 200 and f"社区{size - 1}" in response.text


@pytest.mark.parametrize("size", [3, 30])
def test_a_campaigns_page_takes_a_fixed_number_of_queries(client, people, units, flood, world, size,
                                                          django_assert_max_num_queries):  # fmt: skip
    _grow(flood, units, size)
    _as(client, people["street"])
    with django_assert_max_num_queries(18):
        response = client.get(reverse("campaigns-field:dashboard_campaign", args=[flood.pk]), _period())
    assert response.status_code == 200 and f"社区{size - 1}" in response.text


def test_the_query_count_does_not_grow_with_the_records(client, people, units, flood, world):
    _as(client, people["district"])
    client.get(DASHBOARD)  # the first request of a process reads what later ones find cached (the calendar)
    counts = []
    for size in (2, 20):
        _grow(flood, units, size)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DASHBOARD, _period()).status_code == 200
            assert (
                client.get(reverse("campaigns-field:dashboard_campaign", args=[flood.pk]), _period()).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]
