"""An editor imports a printed page in Chromium: preview at a desktop's width, confirm, and then pass one of
the imported pieces at 初审 on a phone — the editor who imported the page is not its author."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

import articles
from articles.models import Article, ArticleEvent
from tests.e2e.screens import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEED = (Path(articles.__file__).parent / "demo_data" / "seed_page.txt").read_text(encoding="utf-8")
# A story of the next day, pasted with the seed page: the demo already holds the seed page's stories, so they
# come back as "already there".
NEXT_PAGE = """社区举办书法展

本报讯 记者宋芳 通讯员马向英 近日，新旺街道柳园东院社区举办书法展，吸引居民前来观看，大家纷纷表示

居民在社区活动室观看书法作品。 本报记者 曹飞 摄

责任编辑：刘某
"""
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder to keep the pages in, to look at them


@pytest.fixture
def site(live_server):
    with override_settings(DEBUG=True):  # demo accounts are created in development only
        call_command("load_demo", "--accounts", verbosity=0)
    return live_server.url


def _context(chromium, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _log_in(page, site, username):
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pingcheng-demo-2026")
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/")


def _shot(page, name):
    if SCREENSHOTS:
        save_screenshot(page, Path(SCREENSHOTS) / f"{name}.png")


def test_an_editor_imports_a_page_through_the_preview_and_passes_a_piece_at_first_review(site, chromium):
    context, desktop = _context(chromium, 1280, 900)
    _log_in(desktop, site, "editor")
    desktop.goto(site + "/admin/articles/article/")
    desktop.get_by_role("link", name="导入版面文字").click()
    desktop.fill("#id_text", NEXT_PAGE + "\n\n" + SEED)
    desktop.fill("#id_edition_date", "2025-07-19")
    desktop.fill("#id_edition_number", "1269")
    desktop.fill("#id_page_number", "2")
    desktop.fill("#id_page_name", "平城新闻")
    desktop.get_by_role("button", name="预览").click()

    preview = desktop.locator("table.import-preview")
    preview.wait_for()
    _shot(desktop, "import_preview_1280")
    rows = preview.locator("tbody tr")
    assert rows.count() == 11
    # The seed page's stories are published in the demo: offered nothing but a skip, with the reason.
    assert desktop.locator("text=这篇稿件已经发布，导入不会覆盖它").count() == 10
    assert desktop.locator("input[type=radio][value=update]").count() == 0
    new_story = desktop.locator("#story-1")
    assert "本报讯（记者 宋芳 通讯员 马向英）" in new_story.inner_text() and "城市管理" not in new_story.inner_text()
    assert "结尾不完整" in new_story.inner_text() and "责任编辑：刘某" in new_story.inner_text()
    assert new_story.locator("input[value=new]").is_checked()
    # The preview fits the desktop: nothing runs off to the right.
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1280

    desktop.get_by_role("button", name="确认导入").click()
    desktop.get_by_text("导入完成：新建草稿 1 篇，跳过 10 篇").wait_for()
    article = Article.objects.get(headline="社区举办书法展")
    assert article.status == Article.Status.DRAFT and article.created_by is None
    assert article.responsible_editor == "刘某"
    assert article.events.get().action == ArticleEvent.Action.IMPORTED
    assert Article.objects.filter(headline="守住钱袋子 护好幸福家").count() == 1
    desktop.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    desktop.get_by_text("由版面文字导入，尚待核对").wait_for()
    _shot(desktop, "import_article_1280")
    context.close()

    # The same editor finishes the text, sends the piece to 初审 and passes it, on a phone.
    context, phone = _context(chromium, 390, 844)
    _log_in(phone, site, "editor")
    Article.objects.filter(pk=article.pk).update(body=article.body.replace("大家纷纷表示", "大家纷纷表示受益匪浅。"))
    phone.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    assert phone.get_by_text("由版面文字导入，尚待核对").count() == 0
    phone.locator("button[name=_workflow][value=submit]").click()
    phone.locator("button[name=_workflow][value=pass]").wait_for()
    phone.locator("button[name=_workflow][value=pass]").click()
    phone.get_by_text("审稿意见已记录").wait_for()
    _shot(phone, "import_passed_390")
    article.refresh_from_db()
    assert article.status == Article.Status.SECOND_REVIEW
    assert article.decisions.get().reviewer.username == "editor"
    context.close()
