"""A reporter writes in the back office with CKEditor 5 in Chromium, under the admin's CSP."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article
from pingcheng.photos.models import Photo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    with override_settings(DEBUG=True):  # demo accounts are created in development only; the site runs as deployed
        call_command("load_demo", "--accounts", verbosity=0)
    return live_server.url


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
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


def test_a_reporter_writes_a_draft_with_an_uploaded_photo(site, desktop, tmp_path):
    _log_in(desktop, site, "reporter")
    desktop.goto(site + "/admin/articles/article/add/")
    desktop.fill("#id_headline", "平城区网格员开展汛后回头看")
    editor = desktop.locator(".ck-editor__editable")
    editor.click()
    desktop.keyboard.type("网格员对辖区低洼地段逐一复查。")

    image = tmp_path / "patrol.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 130, 170)).save(buffer, "JPEG")
    image.write_bytes(buffer.getvalue())
    desktop.locator(".ck-toolbar input[type=file]").set_input_files(str(image))
    # CKEditor shows a data: preview while the upload runs, then our rendition's URL.
    expect(desktop.locator(".ck-editor__editable img")).to_have_attribute("src", re.compile(r"/media/photos/"))
    # The picture's words are asked for at once (tests/e2e/test_photo_journey.py); this draft leaves them for later.
    desktop.locator("#photo-words-dialog").get_by_role("button", name="稍后填写").click()

    desktop.click("input[name=_continue]")
    desktop.wait_for_url("**/change/")
    article = Article.objects.get(headline="平城区网格员开展汛后回头看")
    assert article.status == Article.Status.DRAFT
    assert "网格员对辖区低洼地段逐一复查" in article.body and "/media/photos/" in article.body
    assert Photo.objects.filter(uploaded_by__username="reporter").count() == 1
    assert not [e for e in desktop.errors if "Content Security Policy" in e], desktop.errors


def test_the_review_queue_as_the_first_reviewer(site, desktop):
    article = Article.objects.filter(status=Article.Status.PUBLISHED).first()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.FIRST_REVIEW, review_round=1)
    _log_in(desktop, site, "editor")
    desktop.goto(site + "/admin/articles/article/")
    desktop.get_by_role("link", name="待初审 1").click()
    desktop.get_by_role("link", name=article.headline).click()
    desktop.get_by_role("button", name="保存修改并通过（送复审）").click()
    desktop.get_by_text("审稿意见已记录").wait_for()
    article.refresh_from_db()
    assert article.status == Article.Status.SECOND_REVIEW
