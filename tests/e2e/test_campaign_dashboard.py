"""The leaders' dashboard on a 390 px phone (Chromium): a street leader of the demo opens it from the field home,
reads the charts and the tables of their numbers, drills into a campaign, and nothing scrolls sideways."""

import pytest
from django.core.management import call_command
from django.test import override_settings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The demo's records are of the summer of 2025 (the seed page).
SUMMER = "?period=custom&date_from=2025-06-01&date_to=2025-09-30"


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(DEBUG=True):  # demo accounts are created in development only; the site runs as deployed
        call_command("load_demo", "--accounts", verbosity=0)
    return live_server.url


def test_a_street_leader_reads_the_dashboard_and_a_campaigns_figures_on_a_phone(site, phone):
    phone.goto(site + "/admin/login/?next=/field/")
    phone.fill("#id_username", "xinwang")
    phone.fill("#id_password", "pingcheng-demo-2026")
    phone.click("input[type=submit]")
    phone.wait_for_url(site + "/field/")
    phone.click("text=专项工作看板")
    phone.wait_for_url(site + "/field/dashboard/")
    phone.goto(site + "/field/dashboard/" + SUMMER)
    assert phone.locator("h1").inner_text() == "专项工作看板"
    assert phone.evaluate(SIDEWAYS) <= 0
    charts = phone.locator("svg[role=img]")
    assert charts.count() >= 4
    # Each chart is named and described, and the tables of its numbers are there.
    assert phone.locator("#chart-units-title").text_content() == "各单位开展活动场次"
    assert "御锦源社区" in phone.locator("#units-caption").locator("xpath=..").inner_text()
    assert phone.locator("table caption").count() >= 3
    # The street's own communities only: the neighbouring streets are nowhere.
    assert "振华街道" not in phone.locator("main").inner_text()
    chart_box = phone.locator("#chart-units-title").locator("xpath=..").bounding_box()
    assert chart_box["width"] <= 390

    phone.locator("#campaigns-caption").locator("xpath=..").locator("tbody a").first.click()
    phone.wait_for_load_state()
    assert "/field/dashboard/campaigns/" in phone.url
    assert phone.locator("#totals-heading").is_visible()
    assert phone.locator("#series-caption").count() == 1
    assert phone.evaluate(SIDEWAYS) <= 0

    phone.goto(site + "/field/dashboard/?period=custom&date_from=2025-09-30&date_to=2025-06-01")
    assert "结束日期不能早于开始日期" in phone.locator("main").inner_text()
