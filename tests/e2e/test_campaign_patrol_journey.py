"""A flood patrol from a 390 px phone (Chromium): a grid worker logs an overnight patrol with its figures and a
hazard with a photo from the camera; the street orders rectification within working days; the community reports
it done with a photo; the re-inspection (回头看) first fails, then clears it (销号); the public campaign page shows
the patrol's figures and photo. No page scrolls sideways and every button is a 44 px tap target.

Set FIELD_SCREENSHOTS to a folder to keep a picture of each field page at 390 px and 1280 px.
"""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from campaigns.models import Activity, Campaign, CampaignType, Finding
from pingcheng.directory.models import Unit
from tests.e2e.screens import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pingcheng-demo-2026"
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Buttons and file pickers a thumb must hit, smaller than 44 CSS px in either direction.
SMALL_TARGETS = """() => [...document.querySelectorAll('main button, main .button, main input[type=submit]')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.textContent.trim() || e.value, e.getBoundingClientRect()])
  .filter(([, r]) => r.height < 44 || r.width < 44).map(([t]) => t)"""


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PHOTO_MASTER_ROOT = tmp_path / "masters"
    with override_settings(DEBUG=True):  # demo accounts are created in development only; the site runs as deployed
        call_command("load_demo", "--accounts", verbosity=0)
    today = timezone.localdate()
    Campaign.objects.create(
        title="2026年汛期网格员防汛“安全堤”巡查", slug="fangxun-2026", campaign_type=CampaignType.objects.get(slug="fangxun"),
        level=Campaign.Level.DISTRICT, lead_unit=Unit.objects.get(code="pingcheng"),
        starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30),
    )  # fmt: skip
    return live_server.url


@pytest.fixture
def phones(chromium):
    """One phone per person: the grid worker's, the street's and the community's."""
    contexts = []

    def open_phone():
        context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                       has_touch=True, locale="zh-CN")  # fmt: skip
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def _picture(tmp_path, name: str, colour: str) -> str:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _log_in(page, site: str, username: str) -> None:
    page.goto(f"{site}/admin/login/?next=/field/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site + "/field/")


def _check(page, name: str) -> None:
    """What a phone user would trip on: a page wider than the phone, a button too small to tap."""
    assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways"
    assert page.evaluate(SMALL_TARGETS) == [], f"{name} has small tap targets"
    folder = os.environ.get("FIELD_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        save_screenshot(page, f"{folder}/{name}-390.png")
        page.set_viewport_size({"width": 1280, "height": 900})
        save_screenshot(page, f"{folder}/{name}-1280.png")
        page.set_viewport_size({"width": 390, "height": 844})


def _go(page, selector: str) -> None:
    """Tap a link or a submit button and wait for the page it leads to, loaded (an upload takes a moment)."""
    with page.expect_navigation(wait_until="load"):
        page.locator(selector).first.click()


def _step(page, name: str, *, note: str = "", days: str = "", photo: str = "") -> None:
    # 回头看 is one form whose two buttons are its outcomes; every other step is a form of its own.
    reinspect = name in ("pass", "fail")
    form = page.locator("form#step-reinspect" if reinspect else f"form.field-step[action$='/steps/{name}/']")
    if days:
        form.locator("select[name=working_days]").select_option(days)
    if note:
        form.locator("textarea[name=note]").fill(note)
    if photo:
        form.locator("input[type=file]").set_input_files(photo)
    with page.expect_navigation(wait_until="load"):
        form.locator(f"button[formaction$='/steps/{name}/']" if reinspect else "button[type=submit]").click()


def test_a_flood_patrol_from_the_phone_to_the_public_page(site, phones, tmp_path):
    # --- the grid worker logs last night's patrol ---------------------------------------------------------
    grid = phones()
    _log_in(grid, site, "grid")
    _check(grid, "01-home")
    _go(grid, "text=登记一次活动")
    _check(grid, "02-campaign-choice")
    _go(grid, "text=2026年汛期网格员防汛“安全堤”巡查")
    # The phone offers its camera and its gallery: no capture attribute (a patrol's photos are often taken first).
    expect(grid.locator("input[name=photos]")).to_have_attribute("accept", "image/*")
    expect(grid.locator("input[name=photos]")).not_to_have_attribute("capture", re.compile(".*"))
    last_night = timezone.localdate() - timedelta(days=1)
    grid.fill("#id_title", "夜间暴雨防汛巡查")
    grid.fill("#id_day", f"{last_night:%Y-%m-%d}")
    grid.fill("#id_start", "22:00")
    grid.fill("#id_end", "02:30")  # the next morning
    grid.fill("#id_place", "御锦源社区公路涵洞、排水渠")
    grid.fill("#id_summary", "暴雨预警后夜间巡查涵洞和排水渠，劝离涵洞积水处车辆。")
    grid.fill("#id_figure_workers", "2")
    grid.fill("#id_figure_warnings", "-1")  # a slip of the thumb
    grid.fill("#id_figure_checkpoints", "6")
    grid.fill("#id_figure_hazards_found", "1")
    grid.locator("input[name=photos]").set_input_files([_picture(tmp_path, "patrol.jpg", "steelblue")])
    _go(grid, "button[name=submit][value=held]")
    # The wrong figure is named beside its field; what was typed is all there; only the photo is chosen again.
    expect(grid.locator(".has-error")).to_contain_text("推送预警信息不能是负数")
    expect(grid.locator("#id_summary")).to_have_value("暴雨预警后夜间巡查涵洞和排水渠，劝离涵洞积水处车辆。")
    expect(grid.locator("p[role=alert]")).to_contain_text("照片需要重新拍摄或选择")
    _check(grid, "03-activity-form-error")
    grid.fill("#id_figure_warnings", "12")
    grid.locator("input[name=photos]").set_input_files([_picture(tmp_path, "patrol.jpg", "steelblue")])
    _go(grid, "button[name=submit][value=held]")
    expect(grid.locator("h1")).to_have_text("夜间暴雨防汛巡查")
    expect(grid.locator(".field-status")).to_have_text("已开展")
    expect(grid.locator(".field-facts")).to_contain_text("次日")
    expect(grid.locator(".field-photos img")).to_have_count(1)
    _check(grid, "04-activity")
    activity = Activity.objects.get(title="夜间暴雨防汛巡查")
    assert activity.ends_at - activity.starts_at == timedelta(hours=4, minutes=30)

    # --- and the hazard it found, with a photo from the camera ------------------------------------------------
    _go(grid, "text=登记问题隐患")
    grid.fill("#id_location", "公路涵洞")
    grid.fill("#id_description", "涵洞积水约40厘米，排水口被树枝堵塞。")
    grid.check("input[name=severity][value=serious]")
    grid.select_option("#id_responsible_unit", label="御锦源社区")
    grid.locator("input[name=photos]").set_input_files(_picture(tmp_path, "hazard.jpg", "saddlebrown"))
    _check(grid, "05-finding-form")
    _go(grid, ".field-submit button")
    expect(grid.locator(".field-status")).to_contain_text("已发现")
    expect(grid.locator(".field-photos img")).to_have_count(1)
    expect(grid.locator(".field-next")).to_contain_text("由问题所在街道或社区下达限期整改")
    _check(grid, "06-finding-found")
    finding = Finding.objects.get(description="涵洞积水约40厘米，排水口被树枝堵塞。")
    finding_url = f"{site}/field/findings/{finding.pk}/"

    # --- the street orders rectification within working days -----------------------------------------------
    street = phones()
    _log_in(street, site, "xinwang")
    _go(street, f"a[href='/field/findings/{finding.pk}/']")  # on the street's home, among what waits for it
    _step(street, "order", days="5", note="疏通排水口，设置警示标志。")
    expect(street.locator(".field-status")).to_contain_text("限期整改")
    expect(street.locator(".field-facts")).to_contain_text("5个工作日")
    _check(street, "07-finding-ordered")

    # --- the community reports it done, with a photo of the cleared outlet ---------------------------------
    community = phones()
    _log_in(community, site, "yujinyuan")
    community.goto(finding_url)
    _step(community, "report", note="已清理排水口树枝。", photo=_picture(tmp_path, "done.jpg", "seagreen"))
    expect(community.locator(".field-status")).to_contain_text("已报整改")
    expect(community.locator(".field-photos img")).to_have_count(2)

    # --- 回头看: the re-inspection fails first, without a reason it is refused ------------------------------
    street.goto(finding_url)
    _check(street, "08-finding-reported")
    _step(street, "fail")
    expect(street.locator(".messages, [role=alert]").first).to_contain_text("请写明复查发现的问题")
    expect(street.locator(".field-status")).to_contain_text("已报整改")
    _step(street, "fail", note="涵洞内仍有淤泥，积水未排净。", photo=_picture(tmp_path, "again.jpg", "dimgray"))
    expect(street.locator(".field-status")).to_contain_text("复查未通过")
    _step(street, "order", days="3", note="清淤后再报。")
    community.goto(finding_url)
    _step(community, "report", note="已清淤，积水排净。")
    street.goto(finding_url)
    _step(street, "pass", note="复查通过。", photo=_picture(tmp_path, "clear.jpg", "olivedrab"))
    expect(street.locator(".field-status")).to_contain_text("已销号")
    expect(street.locator(".field-history")).to_contain_text("复查未通过")
    images = street.locator(".field-photos img")
    expect(images).to_have_count(4)
    for index in range(4):  # each rendition decodes (they load lazily, as the reader scrolls to them)
        images.nth(index).scroll_into_view_if_needed()
        street.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.nth(index).element_handle())
    _check(street, "09-finding-cleared")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLEARED and finding.photos.count() == 4
    assert list(finding.events.values_list("action", flat=True)) == [
        "found", "ordered", "reported", "failed", "ordered", "reported", "passed"
    ]  # fmt: skip

    # --- the public page: the patrol's figures and its photo, never the finding's ---------------------------
    public = phones()
    public.goto(f"{site}/campaigns/fangxun-2026/")
    totals = public.locator("#totals-heading + ul")
    expect(totals).to_contain_text("6处排查重点点位")
    expect(totals).to_contain_text("12条推送预警信息")
    expect(public.locator(".timeline")).to_contain_text("夜间暴雨防汛巡查")
    expect(public.locator(".timeline img")).to_have_count(1)
    assert public.evaluate(SIDEWAYS) <= 0
    assert "排水口被树枝堵塞" not in public.content()
    src = public.locator(".timeline img").get_attribute("src")
    assert re.search(r"/media/photos/.+\.\d+\.jpg$", src)
