"""The board and the acknowledgement page on a 390 px phone in Chromium, from the demo's flood warning: nothing
scrolls sideways, the board names who is missing, and a grid worker acknowledges from the link.

Screenshots are written to the test's folder (and to PINGCHENG_SCREENSHOTS, when set, to look at them)."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from pingcheng.alerts.demo import TITLE
from pingcheng.alerts.models import Alert
from tests.e2e.conftest import chromium, phone  # noqa: F401 — Debian's Chromium through Playwright
from tests.e2e.screens import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(DEBUG=True):  # demo accounts are created in development only
        call_command("load_demo", "--accounts", verbosity=0)
    return live_server.url


def _shot(page, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    save_screenshot(page, path)
    if folder := os.environ.get("PINGCHENG_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def test_the_demo_warnings_board_and_acknowledgement_fit_a_390_px_phone(site, phone, tmp_path):  # noqa: F811
    alert = Alert.objects.get(title=TITLE)
    assert alert.recipients.filter(acknowledged_at__isnull=False).count() == alert.recipients.count() // 2
    missing = alert.recipients.filter(acknowledged_at__isnull=True).order_by("pk").first()

    phone.goto(site + f"/admin/login/?next=/alerts/{alert.pk}/")
    phone.fill("#id_username", "xinwang")
    phone.fill("#id_password", "pingcheng-demo-2026")
    phone.click("input[type=submit]")
    phone.wait_for_url(site + f"/alerts/{alert.pk}/")
    assert phone.evaluate(SIDEWAYS) <= 0
    assert missing.name in phone.inner_text(".alert-names:not(.is-acknowledged)")
    _shot(phone, tmp_path, "alert-board-390")

    phone.goto(site + f"/alerts/ack/{missing.token}/")
    assert phone.evaluate(SIDEWAYS) <= 0
    _shot(phone, tmp_path, "alert-ack-390")
    phone.click("text=确认收到")
    phone.wait_for_selector(".alert-done")
    _shot(phone, tmp_path, "alert-ack-done-390")
    missing.refresh_from_db()
    assert missing.acknowledged_at is not None

    phone.goto(site + f"/alerts/{alert.pk}/")
    assert phone.inner_text(".alert-totals .is-missing strong") == "0"
