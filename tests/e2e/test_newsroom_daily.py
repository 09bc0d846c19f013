"""The newsroom's day in Chromium at 1280 px: a reporter files, three reviewers pass it (one editing it on the
way), the chief publishes; a past time cannot backdate; each role's home shows its own queue; unsaved edits
warn before the page is left."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from articles.models import Article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pingcheng-demo-2026"
HEADLINE = "御锦源社区开展汛后隐患回头看"


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
    yield page
    context.close()


def _log_in(page, site, username):
    page.context.clear_cookies()
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site + "/admin/")


def _pass(page, site, username, change_url):
    _log_in(page, site, username)
    page.goto(change_url)
    page.get_by_role("button", name=re.compile("^保存修改并(终审)?通过")).click()
    page.get_by_text("审稿意见已记录").wait_for()


def test_a_reviewers_edit_reaches_readers_and_the_publication_time_is_the_real_one(site, desktop):
    _log_in(desktop, site, "reporter")
    desktop.goto(site + "/admin/articles/article/add/")
    desktop.fill("#id_headline", HEADLINE)
    desktop.locator(".ck-editor__editable").click()
    desktop.keyboard.type("网格员对辖区低洼地段逐一复查，共排查隐患12处。")
    desktop.get_by_role("button", name="保存并送审").click()
    desktop.get_by_text("已送审，等待初审").wait_for()
    change_url = desktop.url

    # The editor's home shows the piece waiting; the editor corrects the headline and passes it.
    _log_in(desktop, site, "editor")
    desktop.get_by_role("link", name=HEADLINE).first.click()
    desktop.fill("#id_headline", "御锦源社区开展汛后隐患“回头看”")
    desktop.fill("#id_review_opinion", "标题加引号")
    desktop.get_by_role("button", name="保存修改并通过（送复审）").click()
    desktop.get_by_text("您的修改（主题）已一并保存").wait_for()

    # 复审 sees what the first level changed … nothing since it passed, and the record names the edit.
    _log_in(desktop, site, "deputy")
    desktop.goto(change_url)
    assert desktop.get_by_text("自初审通过（王丽君").is_visible()
    assert desktop.locator("#workflow-summary td.words", has_text="主题").is_visible()
    desktop.get_by_role("button", name="保存修改并通过（送终审）").click()
    desktop.get_by_text("审稿意见已记录").wait_for()
    _pass(desktop, site, "chief", change_url)

    before = timezone.now()
    desktop.get_by_role("button", name="立即发布").click()
    desktop.get_by_text("读者看到的发布时间为").wait_for()
    article = Article.objects.get(headline="御锦源社区开展汛后隐患“回头看”")
    assert article.status == Article.Status.PUBLISHED
    assert article.publish_at >= before - timedelta(seconds=1)

    desktop.context.clear_cookies()
    desktop.goto(site + article.get_absolute_url())
    assert "御锦源社区开展汛后隐患“回头看”" in desktop.locator("h1").inner_text()
    shown = desktop.locator("article time").first.get_attribute("datetime")
    assert shown.startswith(timezone.localtime(article.publish_at).strftime("%Y-%m-%dT%H:%M"))


def test_a_past_time_cannot_backdate_and_a_future_one_is_scheduled_in_24_hour_time(site, desktop):
    article = Article.objects.filter(status=Article.Status.PUBLISHED).first()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.APPROVED, publish_at=None, published_at=None)
    _log_in(desktop, site, "chief")
    desktop.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    past = timezone.localtime() - timedelta(days=3)
    desktop.fill("[name=schedule_at_date]", past.strftime("%Y-%m-%d"))
    desktop.fill("[name=schedule_at_time]", "08:00")
    desktop.get_by_role("button", name="定时发布", exact=True).click()
    desktop.locator("#workflow .errorlist", has_text="已经过去").wait_for()
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED and article.publish_at is None

    tomorrow = timezone.localdate() + timedelta(days=1)
    desktop.fill("[name=schedule_at_date]", tomorrow.isoformat())
    desktop.fill("[name=schedule_at_time]", "20:30")
    desktop.get_by_role("button", name="定时发布", exact=True).click()
    desktop.get_by_text(f"已定时发布：{tomorrow.year}年{tomorrow.month}月{tomorrow.day}日 20:30").wait_for()
    desktop.goto(site + "/admin/articles/article/schedule/")
    row = desktop.locator(".schedule-day tr", has_text=article.headline)
    assert row.locator("time").inner_text() == "20:30"


def test_each_role_sees_its_own_queue_first(site, desktop):
    article = Article.objects.filter(status=Article.Status.PUBLISHED).first()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.FIRST_REVIEW, review_round=1)
    _log_in(desktop, site, "editor")
    panel = desktop.locator(".role-home .module", has_text="轮到我审的稿件")
    assert panel.locator("li", has_text="待初审").locator(".count").inner_text() == "1"
    panel.get_by_role("link", name=article.headline).click()
    desktop.fill("#id_review_opinion", "请补充采访对象")
    desktop.get_by_role("button", name="保存修改并退回作者").click()
    desktop.get_by_text("已通知作者").wait_for()

    # The piece has no author account (an imported page): give it to the demo reporter to see her side.
    from django.contrib.auth import get_user_model

    Article.objects.filter(pk=article.pk).update(created_by=get_user_model().objects.get(username="reporter"))
    _log_in(desktop, site, "reporter")
    mine = desktop.locator(".role-home .module", has_text="我的稿件")
    assert mine.get_by_text(f"已退回：{article.headline}").is_visible()
    assert mine.get_by_text("初审退回（王丽君）：请补充采访对象").is_visible()
    _log_in(desktop, site, "chief")
    assert desktop.locator(".role-home .module", has_text="待发布").is_visible()
    assert not desktop.locator(".role-home .module", has_text="轮到我审的稿件").locator("li.urgent").count()


def test_leaving_the_article_with_unsaved_edits_asks_first(site, desktop):
    article = Article.objects.filter(status=Article.Status.PUBLISHED).first()
    _log_in(desktop, site, "chief")
    desktop.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    desktop.wait_for_load_state("load")
    desktop.fill("#id_subtitle", "未保存的副题")
    asked = []
    desktop.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    desktop.get_by_role("link", name="发布日程").first.click()
    desktop.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert desktop.locator("#id_subtitle").input_value() == "未保存的副题"


def test_leaving_a_page_sent_back_after_a_refused_step_asks_first(site, desktop):
    # The page comes back with the edits typed and the step's refusal: they are not saved, so leaving asks.
    article = Article.objects.filter(status=Article.Status.PUBLISHED).first()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.APPROVED, publish_at=None, published_at=None)
    _log_in(desktop, site, "chief")
    desktop.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    desktop.fill("#id_subtitle", "发布前加的副题")
    desktop.get_by_role("button", name="立即发布").click()
    desktop.locator("#workflow .errorlist", has_text="须重新终审").wait_for()
    desktop.wait_for_load_state("load")
    asked = []
    desktop.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    desktop.locator("#id_subtitle").click()
    desktop.get_by_role("link", name="发布日程").first.click()
    desktop.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert desktop.locator("#id_subtitle").input_value() == "发布前加的副题"
