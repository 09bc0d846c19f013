"""The staff desk at 390 px (Chromium): the union's handler opens the demo's waiting inquiry, reveals the phone to
call back, accepts and answers it on the page; the supervisor's page with every dispatcher step fits too."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from grievances.models import Inquiry
from pingcheng.display_mode import COOKIE_NAME, LARGE
from tests.e2e.screens import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(DEBUG=True):  # demo accounts are created in development only
        call_command("load_demo", "--accounts", verbosity=0)
    return live_server.url


def _login(page, site, username):
    page.goto(site + "/admin/login/?next=/desk/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pingcheng-demo-2026")
    page.click("input[type=submit]")
    page.wait_for_url(site + "/desk/")


def test_the_handler_reveals_accepts_and_answers_on_a_phone(site, phone, tmp_path):
    inquiry = Inquiry.objects.get(idempotency_key="demo-union-assigned")
    _login(phone, site, "union")
    assert phone.evaluate(SIDEWAYS) <= 0
    phone.click(f"a[href='/desk/{inquiry.pk}/']")
    assert "138****0002" in phone.content() and "13800000002" not in phone.content()
    phone.click("text=查看联系方式以便回电（将被记录）")
    assert "13800000002" in phone.content()
    phone.goto(f"{site}/desk/{inquiry.pk}/")
    phone.click("form[action$='/steps/accept/'] button")
    phone.wait_for_selector("text=已受理，请在期限内答复。")
    assert phone.evaluate(SIDEWAYS) <= 0
    phone.fill("form[action$='/steps/answer/'] textarea", "已联系用人单位，将于本周内补发工资。")
    phone.click("form[action$='/steps/answer/'] button")
    phone.wait_for_selector("text=已答复，居民将收到短信。")
    save_screenshot(phone, tmp_path / "desk-answered.png")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED


def test_the_supervisors_pages_fit_a_phone_in_both_modes(site, phone):
    _login(phone, site, "supervisor")
    paths = ["/desk/", "/desk/?scope=all&status=overdue", "/desk/new/"]
    paths += [f"/desk/{pk}/" for pk in Inquiry.objects.values_list("pk", flat=True)]
    for path in paths:
        phone.goto(site + path)
        assert phone.evaluate(SIDEWAYS) <= 0, path
    phone.context.add_cookies([{"name": COOKIE_NAME, "value": LARGE, "url": site}])
    for path in paths:
        phone.goto(site + path)
        assert phone.evaluate(SIDEWAYS) <= 0, f"{path} in the large mode"
