"""The demo campaigns: the seed page's work as the offices would have logged it, loaded by ``load_demo``."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

import pingcheng.urls  # noqa: F401  (see below)
from campaigns import selectors
from campaigns.models import Activity, ActivityFigure, Campaign, CampaignType, Finding, FindingEvent, Metric

pytestmark = pytest.mark.django_db
MODELS = [CampaignType, Metric, Campaign, Activity, ActivityFigure, Finding, FindingEvent]


@pytest.fixture
def loaded(demo_with_accounts):
    """The demo with its logins, loaded once for this module (tests/module_data.py)."""


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_twice_gives_the_same_rows(loaded):
    before = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == before
    assert before["Campaign"] == 7 and before["Finding"] == 3


def test_the_pages_own_figures_are_recorded_and_totals_derive_from_them(loaded):
    def totals(slug):
        return {m.code: v for m, v in selectors.campaign_totals(campaign=Campaign.objects.get(slug=slug)).items()}

    assert totals("gucheng-youshang-2025") == {
        "stalls_cleared": Decimal(290), "vendors_guided": Decimal(180), "facilities_removed": Decimal(3)
    }  # fmt: skip
    assert totals("fangxun-2025")["workers"] == 1300
    assert totals("lvse-wenming-zhou-2025")["events"] == 15
    assert (totals("gonghui-fanhuan-2025")["unions"], totals("gonghui-fanhuan-2025")["boards"]) == (18, 230)


def test_each_reported_activity_is_linked_to_its_article(loaded):
    for activity in Activity.objects.exclude(status=Activity.Status.PLANNED):
        assert activity.articles.exists(), activity.title
    assert Activity.objects.get(title__contains="游商整治").articles.get().headline.startswith("疏堵结合整治游商小贩")


def test_residents_have_an_upcoming_activity_to_attend(loaded):
    upcoming = Activity.objects.filter(status=Activity.Status.PLANNED, starts_at__gt=timezone.now())
    assert upcoming.filter(unit__code="yujinyuan", campaign__slug="fangfei-2025").exists()


def test_the_findings_show_a_cleared_one_a_failed_reinspection_and_one_still_open(loaded):
    drain = Finding.objects.get(location="城市道路排水渠")
    assert list(drain.events.values_list("action", flat=True)) == [
        "found", "ordered", "reported", "failed", "ordered", "reported", "passed"
    ]  # fmt: skip
    assert drain.status == Finding.Status.CLEARED and drain.deadline_due is not None
    open_one = Finding.objects.get(location="背街小巷")
    assert open_one.status == Finding.Status.IN_PROGRESS and open_one.responsible_unit.code == "zhenhua"
