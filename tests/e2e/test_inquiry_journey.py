"""A resident on a 390 px phone asks the union about the fee refund, confirms the phone with the SMS code, gets a
tracking code and tracks it; the union answers through the core's service; the resident reads it and rates it.
Screenshots of every page at 390 px and 1280 px go to the test's tmp folder (kept for a human to look at)."""

import re

import pytest

from grievances import services
from grievances.models import Inquiry
from pingcheng.directory.models import Role
from pingcheng.notices import sms
from tests.e2e.screens import save_screenshot
from tests.factories import staff
from tests.grievances.public_world import personal_data_key, published_answer, world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(live_server, settings):
    personal_data_key(settings)
    settings.SMS_BACKEND = "pingcheng.notices.sms.LocmemSmsBackend"
    sms.outbox.clear()
    w = world()
    published_answer(w)
    yield live_server.url, w
    sms.outbox.clear()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def _shot(page, tmp_path, name: str) -> None:
    save_screenshot(page, tmp_path / f"{name}-{page.viewport_size['width']}.png")


def test_a_resident_asks_confirms_tracks_reads_the_answer_and_rates_it(desk, phone, tmp_path):
    site, w = desk
    phone.goto(site + "/inquiries/")
    _fits(phone)
    _shot(phone, tmp_path, "landing")
    phone.get_by_role("link", name=re.compile("我要提诉求")).click()
    phone.wait_for_url("**/inquiries/new/")

    phone.get_by_label("咨询").check()
    phone.get_by_label("问题类别").select_option(label="工会会费返还")
    phone.get_by_label("问题所在的街道或社区").select_option(label="御锦源社区")
    phone.get_by_label("标题").fill("工会会费返还要哪些材料")
    phone.get_by_label("具体内容").fill("我们是小微企业，想申请工会经费返还，请问需要准备哪些材料，多久能办好？")
    phone.get_by_label("手机号码").fill("138 1234 5678")
    phone.get_by_label(re.compile("我已阅读上面的说明")).check()
    phone.get_by_label(re.compile("同意公开答复")).check()
    _fits(phone)
    _shot(phone, tmp_path, "new")
    phone.get_by_role("button", name=re.compile("下一步")).click()
    phone.wait_for_url("**/inquiries/new/confirm/")
    _fits(phone)
    assert phone.get_by_role("heading", name="这些答复可能已经回答了您的问题").is_visible()
    assert "138****5678" in phone.locator("main").inner_text()
    _shot(phone, tmp_path, "confirm")

    code = re.search(r"验证码是 (\d{6})", sms.outbox[-1].text).group(1)
    phone.get_by_label("短信验证码").fill(code)
    phone.get_by_role("button", name="提交诉求").click()
    phone.wait_for_url("**/inquiries/new/done/")
    _fits(phone)
    _shot(phone, tmp_path, "done")
    inquiry = Inquiry.objects.get(title="工会会费返还要哪些材料")
    shown = phone.locator(".tracking-code").inner_text().strip()
    assert shown == inquiry.tracking_code_display
    assert "区总工会" in phone.locator("main").inner_text()
    assert phone.locator('a[href^="tel:"]').first.is_visible()

    # Another day, another browser: the resident looks it up with the code and the phone's last four digits.
    context = phone.context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    later = context.new_page()
    later.goto(site + "/inquiries/track/")
    later.get_by_label("查询码").fill(shown.lower())
    later.get_by_label("手机号后 4 位").fill("5678")
    later.get_by_role("button", name="查询").click()
    later.wait_for_url("**/inquiries/track/*/")
    assert inquiry.tracking_code not in later.url
    assert "已分派" in later.locator("main").inner_text()
    _fits(later)
    _shot(later, tmp_path, "track-open")

    handler = staff(Role.DEPARTMENT_HANDLER, w.union)
    services.inquiry_accept(inquiry=inquiry, by=handler)
    services.inquiry_answer(
        inquiry=inquiry, by=handler, text="请携带工会经费返还申请表和营业执照复印件到区总工会办理。"
    )

    later.reload()
    assert "请携带工会经费返还申请表" in later.locator("main").inner_text()
    later.get_by_label("满意", exact=True).check()
    later.get_by_label(re.compile("还想说的话")).fill("答复很清楚")
    _fits(later)
    _shot(later, tmp_path, "track-answered")
    later.get_by_role("button", name="提交评价").click()
    later.wait_for_url("**/inquiries/track/*/")
    assert "谢谢您的评价" in later.locator("main").inner_text()
    inquiry.refresh_from_db()
    assert inquiry.rating == Inquiry.Rating.SATISFIED and inquiry.rating_note == "答复很清楚"
    context.close()


def test_every_desk_page_fits_a_phone_and_a_desktop(desk, chromium, tmp_path):
    site, w = desk
    answer = Inquiry.objects.filter(is_published=True).first()
    paths = ["/inquiries/", "/inquiries/new/", "/inquiries/track/", "/inquiries/answers/", f"/inquiries/answers/{answer.pk}/",
             "/inquiries/faq/", "/inquiries/answers/search/?q=会费"]  # fmt: skip
    for width in (390, 1280):
        context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        for path in paths:
            page.goto(site + path)
            _fits(page)
            # Every control an older resident taps is at least 44 px high.
            small = page.evaluate(
                """() => [...document.querySelectorAll('main button, main input:not([type=hidden]), main select, main .button')]
                     .filter(e => e.offsetParent !== null && !e.closest('.form-row-trap'))
                     .filter(e => e.type !== 'radio' && e.type !== 'checkbox')
                     .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))"""
            )
            assert not small, (path, small)
            _shot(page, tmp_path, re.sub(r"[^a-z0-9]+", "-", path.strip("/")) or "root")
        context.close()
    print(f"screenshots in {tmp_path}")


@pytest.mark.parametrize("mode", ["standard", "large"])
def test_every_desk_page_passes_axe_on_a_phone_including_the_steps_a_crawl_cannot_reach(desk, phone, mode):
    from tests.e2e.test_accessibility import _use_mode, _violations

    site, w = desk
    _use_mode(phone, site, mode)
    answer = Inquiry.objects.filter(is_published=True).first()
    found = {}
    for path in ["/inquiries/", "/inquiries/track/", "/inquiries/answers/", f"/inquiries/answers/{answer.pk}/",
                 "/inquiries/faq/", "/inquiries/answers/search/?q=会费"]:  # fmt: skip
        found[path] = _violations(phone, site, path, mode)
    # Step 1 with its errors shown, step 2, the receipt, and the tracked inquiry: reached by submitting.
    phone.goto(site + "/inquiries/new/")
    phone.get_by_role("button", name=re.compile("下一步")).click()
    found["step 1 with errors"] = _axe_here(phone, mode)
    phone.get_by_label("求助").check()
    phone.get_by_label("问题类别").select_option(label="工会会费返还")
    phone.get_by_label("问题所在的街道或社区").select_option(label="御锦源社区")
    phone.get_by_label("标题").fill("会费返还")
    phone.get_by_label("具体内容").fill("想申请工会经费返还，请问需要准备哪些材料？")
    phone.get_by_label("您的姓名").fill("孙桂兰")
    phone.get_by_label("手机号码").fill("13812345678")
    phone.get_by_label(re.compile("我已阅读上面的说明")).check()
    phone.get_by_role("button", name=re.compile("下一步")).click()
    phone.wait_for_url("**/confirm/")
    found["step 2"] = _axe_here(phone, mode)
    phone.get_by_label("短信验证码").fill(re.search(r"验证码是 (\d{6})", sms.outbox[-1].text).group(1))
    phone.get_by_role("button", name="提交诉求").click()
    phone.wait_for_url("**/done/")
    found["receipt"] = _axe_here(phone, mode)
    phone.get_by_role("link", name="查办理进度").first.click()
    phone.wait_for_url("**/inquiries/track/")
    found = {name: violations for name, violations in found.items() if violations}
    from tests.e2e.test_accessibility import _report

    assert not found, _report(found)


def _axe_here(page, mode):
    """axe-core on the page as it stands (after a form post), loaded the way tests/e2e/test_accessibility does."""
    from tests.e2e.test_accessibility import AXE_PATH, AXE_SOURCE, LARGE_MODE_RULES, RUN_AXE, WCAG_TAGS

    site = re.match(r"https?://[^/]+", page.url).group()
    page.route(site + AXE_PATH, lambda route: route.fulfill(path=AXE_SOURCE, content_type="text/javascript"))
    page.add_script_tag(url=AXE_PATH)
    return page.evaluate(RUN_AXE, [WCAG_TAGS, LARGE_MODE_RULES if mode == "large" else []])
