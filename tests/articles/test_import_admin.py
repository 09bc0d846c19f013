"""The back office's print import (导入版面文字): paste, preview, confirm story by story."""

from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

import articles
from articles.models import Article, ArticleEvent, Edition, Page
from pingcheng.directory.demo import load_units
from tests.articles.seed import SEED_HEADLINES

pytestmark = pytest.mark.django_db

IMPORT = "admin:articles_article_import"
SEED = (Path(articles.__file__).parent / "demo_data" / "seed_page.txt").read_text(encoding="utf-8")
PLACED = {"edition_date": "2030-01-02", "edition_number": "1300", "page_number": "2", "page_name": "平城新闻"}
FIRE_DRILL = "平城区开展消防演练\n\n本报讯（记者 张华）近日，平城区在新旺街道开展消防演练，三百余名居民踊跃参加。"


def preview(client, **fields):
    """The preview of a paste: the response, and the form data that confirms it as suggested."""
    data = {"text": SEED, **fields}
    response = client.post(reverse(IMPORT), data)
    decisions = response.context.get("decisions") if response.context else None
    confirm = {**data, "action": "confirm"}
    if decisions is not None:
        confirm["digest"] = decisions["digest"].initial
        confirm |= {bound.html_name: bound.initial for _item, bound in decisions.rows()}
    return response, confirm


def preview_and_confirm(client, **fields):
    """Paste, preview and confirm every story as the preview suggests, like an editor who agrees."""
    response, confirm = preview(client, **fields)
    assert response.status_code == 200, response
    return client.post(reverse(IMPORT), confirm)


@pytest.fixture
def editor(client, desk):
    load_units()
    client.force_login(desk["editor"])
    return desk["editor"]


def test_the_form_asks_for_the_page_and_says_a_preview_comes_first(client, editor):
    response = client.get(reverse(IMPORT))
    assert response.status_code == 200
    assert "下一步先预览" in response.text and 'value="preview"' in response.text


def test_the_preview_lists_every_story_and_writes_nothing(client, editor):
    response, _confirm = preview(client, **PLACED)
    assert response.status_code == 200
    assert "导入预览" in response.text and "本版识别出 10 篇稿件" in response.text
    for headline in SEED_HEADLINES:
        assert headline in response.text
    assert "本报讯（记者 宋芳 通讯员 马向英）" in response.text
    assert "开头不完整" in response.text and "跨栏拼接" in response.text and "（无署名）" in response.text
    assert "新建草稿" in response.text and "确认导入" in response.text
    assert not Article.objects.exists() and not Edition.objects.exists()


def test_confirming_creates_the_drafts_credited_to_the_byline_and_logged_as_the_editors_import(client, editor):
    response = preview_and_confirm(client, **PLACED)
    assert response.status_code == 302
    drafts = list(Article.objects.order_by("page_order"))
    assert [article.headline for article in drafts] == SEED_HEADLINES
    assert {article.created_by for article in drafts} == {None}
    assert all(article.events.get().by == editor for article in drafts)
    # The audit log names the editor as the one who made each row.
    entry = LogEntry.objects.get_for_object(drafts[0]).get(action=LogEntry.Action.CREATE)
    assert entry.actor == editor
    page = client.get(response["Location"])
    assert "导入完成：新建草稿 10 篇" in page.text and "其中 2 篇有待核对的问题" in page.text


def test_the_imported_article_shows_what_is_still_to_check(client, editor):
    preview_and_confirm(client)
    wenyinghu = Article.objects.get(headline="党建引领迸发创城新活力")
    response = client.get(reverse("admin:articles_article_change", args=[wenyinghu.pk]))
    assert "由版面文字导入，尚待核对" in response.text and "正文从句子中间开始" in response.text
    assert "版面导入" in response.text  # the import in the article's log
    finished = Article.objects.get(headline="守住钱袋子 护好幸福家")
    response = client.get(reverse("admin:articles_article_change", args=[finished.pk]))
    assert "尚待核对" not in response.text


def test_importing_the_same_page_again_offers_updates_and_makes_no_duplicates(client, editor):
    preview_and_confirm(client, **PLACED)
    response, confirm = preview(client, **PLACED)
    assert response.text.count("更新已有稿件") == 10 and "此前已导入过相同的正文" in response.text
    assert 'value="new"' not in response.text
    done = client.post(reverse(IMPORT), confirm)
    assert done.status_code == 302 and Article.objects.count() == 10
    assert ArticleEvent.objects.filter(action=ArticleEvent.Action.IMPORTED, note__startswith="按重新导入").count() == 10


def test_a_published_story_is_offered_nothing_but_a_skip_with_the_reason(client, editor):
    preview_and_confirm(client, text=FIRE_DRILL)
    Article.objects.update(status=Article.Status.PUBLISHED, publish_at=timezone.now(), published_at=timezone.now())
    response, confirm = preview(client, text=FIRE_DRILL)
    assert "这篇稿件已经发布，导入不会覆盖它" in response.text and "发布更正" in response.text
    assert 'value="update"' not in response.text
    # A hand-made request to update it anyway is an error on the page, not a write.
    response = client.post(reverse(IMPORT), {**confirm, "story_1": "update"})
    assert response.status_code == 200 and "原来的选择已不适用" in response.text
    assert Article.objects.count() == 1 and Article.objects.get().version == 1


def test_skipping_every_story_writes_nothing(client, editor):
    _response, confirm = preview(client, text=FIRE_DRILL, **PLACED)
    response = client.post(reverse(IMPORT), {**confirm, "story_1": "skip"})
    assert response.status_code == 302
    assert not Article.objects.exists() and not Page.objects.exists()
    assert "跳过 1 篇" in client.get(response["Location"]).text


def test_text_changed_after_the_preview_is_previewed_again_not_imported(client, editor):
    _response, confirm = preview(client, text=FIRE_DRILL)
    response = client.post(reverse(IMPORT), {**confirm, "text": FIRE_DRILL.replace("踊跃", "积极")})
    assert response.status_code == 200 and "预览之后改动过" in response.text and "积极参加" in response.text
    assert not Article.objects.exists()


def test_a_story_imported_by_someone_else_since_the_preview_is_caught(client, editor, desk):
    _response, confirm = preview(client, text=FIRE_DRILL)
    client.force_login(desk["deputy"])
    preview_and_confirm(client, text=FIRE_DRILL)
    client.force_login(editor)
    response = client.post(reverse(IMPORT), confirm)
    assert response.status_code == 200 and "原来的选择已不适用" in response.text
    assert Article.objects.count() == 1


@pytest.mark.parametrize("missing", ["digest", "story_1"])
def test_a_confirm_without_its_parts_is_a_form_error(client, editor, missing):
    _response, confirm = preview(client, text=FIRE_DRILL)
    del confirm[missing]
    response = client.post(reverse(IMPORT), confirm)
    assert response.status_code == 200 and not Article.objects.exists()
    assert "errornote" in response.text


def test_another_outlets_story_and_the_responsible_editor_show_in_the_preview(client, editor):
    text = (
        "全国冬季安全生产工作会议召开\n\n新华社北京11月30日电（记者 李四）全国冬季安全生产工作会议30日召开。"
        "\n\n责任编辑：刘某"
    )
    response, _confirm = preview(client, text=text)
    assert "转载稿：电头“新华社北京11月30日电（记者 李四）”，来源记为“新华社”" in response.text
    assert "责任编辑：刘某" in response.text


def test_the_preview_reads_the_newsroom_in_a_few_queries_however_long_the_page(
    client, editor, django_assert_max_num_queries
):
    preview_and_confirm(client, **PLACED)
    with django_assert_max_num_queries(12):
        response, _confirm = preview(client, **PLACED)
    assert response.text.count("更新已有稿件") == 10
