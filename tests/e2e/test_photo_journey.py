"""A reporter puts two pictures into a story in the back office (CKEditor, Chromium): the first is described in
the dialog that opens after its upload, the second is left for later, which stops the story at 送审 until the
article form's list has its words too. Published, the story is read on a 390 px phone: each picture comes as
WebP with its alt text, the first one loaded at once."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from articles import services
from articles.models import Article, ReviewDecision
from pingcheng.directory.models import Contributor
from pingcheng.photos.models import Photo
from tests.e2e.screens import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
HEADLINE = "平城区网格员汛期巡河不停歇"


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(DEBUG=True):  # demo accounts are created in development only; the site runs as deployed
        call_command("load_demo", "--accounts", verbosity=0)
    return live_server.url


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("dialog", lambda dialog: dialog.accept())  # a "leave this page?" prompt, if the form asks one
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.errors = errors
    yield page
    context.close()


def _log_in(page, site, username):
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pingcheng-demo-2026")
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/")


def _picture(tmp_path, name, colour) -> str:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1067), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _upload(page, path):
    before = page.locator(".ck-editor__editable img").count()
    page.locator(".ck-toolbar input[type=file]").set_input_files(path)
    expect(page.locator(".ck-editor__editable img")).to_have_count(before + 1)
    expect(page.locator("#photo-words-dialog")).to_be_visible()


def test_a_reporter_describes_body_pictures_and_readers_get_them_with_alt_text(site, desktop, phone, tmp_path):
    photographer = Contributor.objects.get(name="曹飞")
    _log_in(desktop, site, "reporter")
    desktop.goto(site + "/admin/articles/article/add/")
    desktop.fill("#id_headline", HEADLINE)
    desktop.locator(".ck-editor__editable").click()
    desktop.keyboard.type("入汛以来，网格员每天沿河巡查。")
    desktop.keyboard.press("Enter")
    desktop.keyboard.type("社区同时组织居民观看防汛演练。")
    desktop.locator(".ck-editor__editable p").first.click()

    # A file that is no photo is refused with the upload view's Chinese sentence, and nothing is asked about it.
    fake = tmp_path / "notice.jpg"
    fake.write_text("<html><script>alert(1)</script></html>")
    with desktop.expect_event("dialog") as alert:
        desktop.locator(".ck-toolbar input[type=file]").set_input_files(str(fake))
    assert "不是照片" in alert.value.message
    expect(desktop.locator("#photo-words-dialog")).to_be_hidden()

    _upload(desktop, _picture(tmp_path, "river.jpg", (70, 120, 160)))
    dialog = desktop.locator("#photo-words-dialog")
    dialog.get_by_label("图片说明").fill("网格员在御河东岸巡查。")
    dialog.get_by_label("摄影").select_option(str(photographer.pk))
    dialog.get_by_label("替代文字").fill("两名网格员沿河堤查看水位标尺")
    dialog.get_by_role("button", name="保存", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(desktop.locator('.ck-editor__editable img[alt="两名网格员沿河堤查看水位标尺"]')).to_have_count(1)

    desktop.locator(".ck-editor__editable p").last.click()
    desktop.keyboard.press("End")
    _upload(desktop, _picture(tmp_path, "drill.jpg", (160, 120, 70)))
    dialog.get_by_role("button", name="稍后填写").click()
    expect(dialog).to_be_hidden()

    desktop.click("input[name=_continue]")
    desktop.wait_for_url("**/change/")
    article = Article.objects.get(headline=HEADLINE)
    assert article.figures.filter(in_body=True).count() == 2
    panel = desktop.locator("#photo-words")
    expect(panel).to_contain_text("第2张图")

    desktop.get_by_role("button", name=re.compile("送审")).first.click()
    expect(desktop.get_by_text(re.compile("稿件中的图片还缺少说明"))).to_be_visible()
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT

    panel = desktop.locator("#photo-words")
    panel.get_by_label("图片说明").fill("居民在社区广场观看防汛演练。")
    panel.get_by_label("摄影").select_option(str(photographer.pk))
    panel.get_by_label("替代文字").fill("广场上居民围观消防员演示抽水泵")
    panel.get_by_role("button", name="保存这张图片的说明").click()
    expect(panel.get_by_text("已保存")).to_be_visible()
    desktop.goto(site + f"/admin/articles/article/{article.pk}/change/")
    expect(desktop.locator("#photo-words")).to_have_count(0)
    desktop.get_by_role("button", name=re.compile("送审")).first.click()
    desktop.get_by_text("已送审").wait_for()
    assert Article.objects.get(pk=article.pk).status == Article.Status.FIRST_REVIEW
    assert not [e for e in desktop.errors if "Content Security Policy" in e], desktop.errors

    desk = {name: get_user_model().objects.get(username=name) for name in ("editor", "deputy", "chief")}
    for who in ("editor", "deputy", "chief"):
        services.article_review(article=Article.objects.get(pk=article.pk), by=desk[who],
                                outcome=ReviewDecision.Outcome.PASS)  # fmt: skip
    services.article_schedule(article=Article.objects.get(pk=article.pk), by=desk["chief"],
                              publish_at=timezone.now() - timedelta(seconds=1))  # fmt: skip

    phone.goto(site + Article.objects.get(pk=article.pk).get_absolute_url())
    pictures = phone.locator(".article-body picture img")
    expect(pictures).to_have_count(2)
    first, second = pictures.nth(0), pictures.nth(1)
    expect(first).to_have_attribute("alt", "两名网格员沿河堤查看水位标尺")
    expect(first).to_have_attribute("loading", "eager")
    expect(first).to_have_attribute("fetchpriority", "high")
    expect(second).to_have_attribute("alt", "广场上居民围观消防员演示抽水泵")
    expect(second).to_have_attribute("loading", "lazy")
    phone.wait_for_function("document.querySelector('.article-body picture img').complete")
    assert first.evaluate("img => img.currentSrc").endswith(".webp"), "Chromium takes the WebP source"
    assert first.evaluate("img => img.getBoundingClientRect().width") <= 390
    expect(phone.locator(".article-body figcaption").first).to_contain_text("网格员在御河东岸巡查。 曹飞摄")
    save_screenshot(phone, tmp_path / "article-390.png")
    assert Photo.objects.filter(uploaded_by__username="reporter").count() == 2
