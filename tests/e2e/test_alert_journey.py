"""The warning journey of issue 13 in Chromium: the district's supervisor issues a heavy-rain flood warning to two
communities from the issue page, a grid worker acknowledges it on a 390 px phone from the link the warning
carried, and the board shows who has acknowledged, who is still missing, and the community nobody was reached in.

The fan-out runs here the way the sweep runs it (``alert_fanout_run``); the worker's part is covered by
``tests/notices/test_reliability.py``. The issuer is the demo's district supervisor (``supervisor``, 区督办人):
``ALERT_ISSUER_ROLES`` holds district administrators, street staff and supervisors by default, and a supervisor's
membership at the district puts every community in their scope.
"""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings

from pingcheng.alerts import services
from pingcheng.alerts.models import Alert
from pingcheng.notices.models import Notice
from tests.e2e.conftest import chromium, phone  # noqa: F401 — Debian's Chromium through Playwright

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
TITLE = "暴雨橙色预警：防汛"


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(DEBUG=True):  # demo accounts are created in development only
        call_command("load_demo", "--accounts", verbosity=0)
    return live_server.url


def _sign_in(page, site, username, next_path):
    page.goto(f"{site}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pingcheng-demo-2026")
    page.click("input[type=submit]")
    page.wait_for_url(site + next_path)


def _names(page, selector: str) -> str:
    """The names of every unit's list (a board lists people unit by unit)."""
    return " ".join(page.locator(selector).all_inner_texts())


def test_a_flood_warning_to_two_communities_is_acknowledged_from_the_link_and_the_board_shows_who_is_missing(
    site,
    chromium,  # noqa: F811
    phone,  # noqa: F811
):
    desk = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    desk.set_default_timeout(15_000)
    _sign_in(desk, site, "supervisor", "/alerts/new/")
    desk.fill("input[name=title]", TITLE)
    desk.check("input[name=severity][value=orange]")
    desk.fill("textarea[name=text]", "预计今夜有大暴雨，请各网格员立即巡查低洼院落和地下车库，转移危险区域群众。")
    desk.get_by_label("柳园东院社区（社区）").check()
    desk.get_by_label("御锦源社区（社区）").check()
    desk.click("text=立即发布")
    alert = Alert.objects.get(title=TITLE)
    desk.wait_for_url(f"{site}/alerts/{alert.pk}/")
    assert {unit.name for unit in alert.units.all()} == {"柳园东院社区", "御锦源社区"}
    assert alert.issued_by.username == "supervisor"

    for fanout in alert.fanouts.all():
        services.alert_fanout_run(fanout_id=fanout.pk)
    grid_worker = alert.recipients.get(user__username="grid")
    desk.reload()
    assert desk.inner_text(".alert-totals .is-missing strong") == str(alert.recipients.count())
    assert grid_worker.name in _names(desk, ".alert-names:not(.is-acknowledged)")

    # The grid worker opens the link the warning carried (the same in the inbox, e-mail and SMS). A session's Celery
    # worker may have fanned the warning out first, with its own SITE_URL: the link's path is what is followed.
    links = {
        notice.context["ack_url"] for notice in Notice.objects.filter(key=f"alert:{alert.pk}:u{grid_worker.user_id}")
    }
    [path] = {urlsplit(link).path for link in links}
    assert path == f"/alerts/ack/{grid_worker.token}/"
    phone.goto(site + path)
    assert TITLE in phone.inner_text("h1")
    assert phone.evaluate(SIDEWAYS) <= 0
    phone.click("text=确认收到")
    phone.wait_for_selector(".alert-done")
    grid_worker.refresh_from_db()
    assert grid_worker.acknowledged_via == "link"

    desk.reload()
    missing = alert.recipients.filter(acknowledged_at__isnull=True)
    assert desk.inner_text(".alert-totals .is-missing strong") == str(missing.count()) != "0"
    still_missing = _names(desk, ".alert-names:not(.is-acknowledged)")
    assert grid_worker.name not in still_missing
    assert all(person.name in still_missing for person in missing)
    # 柳园东院社区 has no grid worker, staff member or subscriber: the board says the warning did not get there.
    assert "柳园东院社区" in desk.inner_text(".alert-unreached")
    desk.click("text=已确认名单")
    assert grid_worker.name in _names(desk, ".alert-names.is-acknowledged")
