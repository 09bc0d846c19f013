"""A print import as the newsroom lives with it (``articles.importing``): the importing editor is not the
writer and may still review; a story already in the newsroom is offered as an update, never duplicated or
silently overwritten; what the editor has to check is said in the preview and kept on the article."""

from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

import articles
from articles import services
from articles.errors import ArticleActionRefused
from articles.importing import (
    NEW,
    SKIP,
    UPDATE,
    Placement,
    article_import_warnings,
    page_import,
    page_import_preview,
)
from articles.models import Article, ArticleEvent, Credit, Page
from articles.workflow import ARTICLE_WORKFLOW
from pingcheng.directory.demo import load_units
from pingcheng.directory.models import Contributor, Role
from tests.articles.seed import SEED_HEADLINES
from tests.factories import ArticleFactory, newsroom, staff

pytestmark = pytest.mark.django_db

SEED_TEXT = (Path(articles.__file__).parent / "demo_data" / "seed_page.txt").read_text(encoding="utf-8")
PLACEMENT = Placement(edition_date=date(2030, 1, 2), edition_number=1300, page_number=2, page_name="平城新闻")
WENYINGHU, DAQINGLU = 7, 9  # story numbers on the seed page

FIRE_DRILL = """平城区开展消防演练

本报讯（记者 张华）近日，平城区在新旺街道开展消防演练，居民踊跃参加。

演练中，消防员向居民示范灭火器的使用方法。

责任编辑：刘某
"""


@pytest.fixture
def units():
    return load_units()


@pytest.fixture
def editor(units):
    return staff(Role.EDITOR, newsroom(), username="importer", first_name="丽君", last_name="王")


def imported_event(article: Article) -> ArticleEvent:
    return article.events.filter(action=ArticleEvent.Action.IMPORTED).latest("pk")


# --- The importing editor is not the writer ----------------------------------------------------------


def test_the_byline_is_credited_and_the_import_is_the_editors_action(editor):
    [article] = page_import(text=FIRE_DRILL, by=editor).created
    assert article.created_by is None
    assert [(c.role, c.contributor.name) for c in article.credits.all()] == [("记者", "张华")]
    event = imported_event(article)
    assert event.by == editor and event.get_action_display() == "版面导入"
    assert event.note.startswith("由版面文字导入")


def test_the_editor_who_imported_a_page_may_pass_it_at_first_review(editor):
    article = page_import(text=SEED_TEXT, by=editor).created[0]
    services.article_submit(article=article, by=editor)
    article.refresh_from_db()
    assert {step.name for step in ARTICLE_WORKFLOW.available(user=editor, obj=article)} >= {"pass", "return"}
    services.article_review(article=article, by=editor, outcome="pass")
    article.refresh_from_db()
    assert article.status == Article.Status.SECOND_REVIEW


def test_an_editor_credited_in_the_byline_still_may_not_review_it(editor):
    Contributor.objects.create(name="张华", kind=Contributor.Kind.STAFF, user=editor)
    [article] = page_import(text=FIRE_DRILL, by=editor).created
    services.article_submit(article=article, by=editor)
    with pytest.raises(ArticleActionRefused) as refused:
        services.article_review(article=article, by=editor, outcome="pass")
    assert refused.value.code == "author_reviews_own"


def test_a_credited_reporter_with_a_login_sees_and_edits_the_imported_draft(editor):
    reporter = staff(Role.REPORTER, newsroom(), username="zhanghua")
    Contributor.objects.create(name="张华", kind=Contributor.Kind.STAFF, user=reporter)
    [article] = page_import(text=FIRE_DRILL, by=editor).created
    from articles import access

    assert access.articles_for_user(reporter).filter(pk=article.pk).exists()
    assert access.user_may_edit(reporter, article)


# --- What the page says besides the stories ----------------------------------------------------------


def test_the_responsible_editor_line_fills_the_field_not_the_body(editor):
    [article] = page_import(text=FIRE_DRILL, by=editor).created
    assert article.responsible_editor == "刘某"
    assert "责任编辑" not in article.body


def test_another_outlets_story_is_a_reprint_with_its_source_not_our_byline(editor):
    text = "全国冬季安全生产工作会议召开\n\n新华社北京11月30日电（记者 李四）全国冬季安全生产工作会议30日在北京召开。"
    [article] = page_import(text=text, by=editor).created
    assert (article.source, article.original_author, article.dateline) == ("新华社", "记者 李四", "none")
    assert not article.credits.exists() and not Contributor.objects.filter(name="李四").exists()
    assert "转载稿：电头“新华社北京11月30日电（记者 李四）”" in imported_event(article).note


def test_the_page_editor_line_names_the_pages_editor(editor):
    page_import(text="本版编辑：王某\n\n" + FIRE_DRILL, by=editor, placement=PLACEMENT)
    assert Page.objects.get().editor == "王某"


# --- A story already in the newsroom -------------------------------------------------------------------


def test_the_preview_writes_nothing_and_offers_new_drafts_for_a_new_page(editor):
    preview = page_import_preview(text=SEED_TEXT, by=editor, placement=PLACEMENT)
    assert [item.headline for item in preview.items] == SEED_HEADLINES
    assert {item.choices for item in preview.items} == {(NEW, SKIP)}
    assert not Article.objects.exists() and not Page.objects.exists() and not Contributor.objects.exists()


def test_the_same_text_imported_again_is_offered_as_an_update(editor):
    first = page_import(text=SEED_TEXT, by=editor).created
    preview = page_import_preview(text=SEED_TEXT, by=editor)
    assert [item.existing for item in preview.items] == first
    assert {(item.match, item.choices) for item in preview.items} == {("text", (UPDATE, SKIP))}


def test_the_same_text_is_recognised_despite_spaces_punctuation_and_width(editor):
    first = page_import(text=FIRE_DRILL, by=editor).created[0]
    retyped = FIRE_DRILL.replace("，", ",").replace("近日", "近日 ").replace("演练中", "演练中\u3000")
    [item] = page_import_preview(text=retyped, by=editor).items
    assert (item.existing, item.match) == (first, "text")


def test_the_same_headline_on_the_same_printed_page_is_the_same_story(editor):
    first = page_import(text=FIRE_DRILL, by=editor, placement=PLACEMENT).created[0]
    rewritten = FIRE_DRILL.replace("居民踊跃参加", "三百余名居民参加")
    [item] = page_import_preview(text=rewritten, by=editor, placement=PLACEMENT).items
    assert (item.existing, item.match) == (first, "page")
    # On another page of another day the same headline is another story.
    other = Placement(edition_date=date(2030, 1, 3), edition_number=1301, page_number=2, page_name="平城新闻")
    assert page_import_preview(text=rewritten, by=editor, placement=other).items[0].existing is None


def test_without_the_editors_word_a_story_already_there_is_skipped_not_duplicated(editor):
    page_import(text=SEED_TEXT, by=editor)
    again = page_import(text=SEED_TEXT, by=editor)
    assert (again.created, again.updated, len(again.skipped)) == ([], [], 10)
    assert Article.objects.count() == 10


def test_an_update_rewrites_the_draft_in_place_and_keeps_what_the_desk_added(editor, units):
    [article] = page_import(text=FIRE_DRILL, by=editor, placement=PLACEMENT).created
    Article.objects.filter(pk=article.pk).update(tags="消防、演练")
    article.units.add(units["zhenhua"])
    corrected = FIRE_DRILL.replace("记者 张华", "记者 张华 通讯员 马向英").replace("居民踊跃参加", "三百余名居民参加")
    result = page_import(text=corrected, by=editor, placement=PLACEMENT, decisions={1: UPDATE})
    assert [a.pk for a in result.updated] == [article.pk] and not result.created
    article.refresh_from_db()
    assert "三百余名居民参加" in article.body and article.tags == "消防、演练"
    assert [(c.role, c.contributor.name) for c in article.credits.order_by("order")] == [
        ("记者", "张华"),
        ("通讯员", "马向英"),
    ]
    assert {"新旺街道", "振华街道"} <= set(article.units.values_list("name", flat=True))
    assert article.version == 2 and article.created_by is None
    event = imported_event(article)
    assert (event.by, event.note.splitlines()[0]) == (editor, "按重新导入的版面文字更新")
    # Updated to the new text, the article is recognised by it next time.
    assert page_import_preview(text=corrected, by=editor).items[0].existing == article


def test_an_article_in_review_is_updated_and_stays_at_its_level(editor, desk):
    [article] = page_import(text=FIRE_DRILL, by=editor, placement=PLACEMENT).created
    services.article_submit(article=article, by=editor)
    services.article_review(article=article, by=editor, outcome="pass")
    page_import(text=FIRE_DRILL.replace("踊跃", "积极"), by=editor, placement=PLACEMENT, decisions={1: UPDATE})
    article.refresh_from_db()
    assert article.status == Article.Status.SECOND_REVIEW and "积极参加" in article.body


def test_skip_leaves_the_existing_article_alone(editor):
    [article] = page_import(text=FIRE_DRILL, by=editor, placement=PLACEMENT).created
    result = page_import(text=FIRE_DRILL.replace("踊跃", "积极"), by=editor, placement=PLACEMENT, decisions={1: SKIP})
    article.refresh_from_db()
    assert [item.existing for item in result.skipped] == [article] and "踊跃参加" in article.body
    assert Article.objects.count() == 1


@pytest.mark.parametrize("status", [Article.Status.PUBLISHED, Article.Status.SCHEDULED, Article.Status.APPROVED])
def test_an_approved_or_published_article_is_never_overwritten_by_an_import(editor, status):
    [article] = page_import(text=FIRE_DRILL, by=editor).created
    published_at = timezone.now() if status != Article.Status.APPROVED else None
    Article.objects.filter(pk=article.pk).update(status=status, publish_at=published_at, published_at=published_at)
    [item] = page_import_preview(text=FIRE_DRILL, by=editor).items
    assert item.existing == article and item.choices == (SKIP,)
    assert ("发布更正" if published_at else "重新终审") in item.blocked_reason
    with pytest.raises(ArticleActionRefused) as refused:
        page_import(text=FIRE_DRILL.replace("踊跃", "积极"), by=editor, decisions={1: UPDATE})
    assert refused.value.code == "import_changed"
    article.refresh_from_db()
    assert "踊跃参加" in article.body and Article.objects.count() == 1


def test_a_choice_made_on_an_older_preview_refuses_the_whole_import(editor):
    preview = page_import_preview(
        text=FIRE_DRILL + "\n社区举办书法展\n\n本报讯（记者 尚丽）近日，社区举办书法展。", by=editor
    )
    assert [item.choices for item in preview.items] == [(NEW, SKIP), (NEW, SKIP)]
    page_import(text=FIRE_DRILL, by=editor)  # a colleague imports the first story meanwhile
    with pytest.raises(ArticleActionRefused) as refused:
        page_import(text=FIRE_DRILL + "\n社区举办书法展\n\n本报讯（记者 尚丽）近日，社区举办书法展。", by=editor,
                    decisions={1: NEW, 2: NEW})  # fmt: skip
    assert refused.value.code == "import_changed" and "第1篇《平城区开展消防演练》" in refused.value.text
    assert Article.objects.count() == 1


def test_a_placed_import_that_only_skips_leaves_no_new_page(editor):
    page_import(text=FIRE_DRILL, by=editor)
    result = page_import(text=FIRE_DRILL, by=editor, placement=PLACEMENT)
    assert len(result.skipped) == 1 and not Page.objects.exists()


def test_updating_is_an_editors_action(units):
    page_import(text=FIRE_DRILL)
    with pytest.raises(ArticleActionRefused) as refused:
        page_import(text=FIRE_DRILL, decisions={1: UPDATE})
    assert refused.value.code == "import_update_anonymous"


def test_a_reporter_may_not_preview_an_import(units):
    with pytest.raises(ArticleActionRefused):
        page_import_preview(text=FIRE_DRILL, by=staff(Role.REPORTER, newsroom()))


# --- Fragments that start or end mid-sentence -------------------------------------------------------


def test_the_preview_flags_what_the_editor_has_to_check_on_the_seed_page(editor):
    items = page_import_preview(text=SEED_TEXT, by=editor).items
    flagged = {item.number: item.warnings for item in items if item.warnings}
    assert set(flagged) == {WENYINGHU, DAQINGLU}
    assert flagged[WENYINGHU] == [
        "没有识别出署名，请核对作者后在“署名”中补填。",
        "开头不完整：正文从句子中间开始（“作用，妥善协调“党建大联盟”各方…”），开头可能印在其他版面或没有粘贴进来，请补齐后再送审。",
        "跨栏拼接：“作用，妥善协调“党建大联盟”各方…”印在本版其他位置，已按语句接到本稿，请核对接得是否正确。",
    ]
    assert flagged[DAQINGLU] == [
        "跨栏拼接：“序、环境卫生、文明素质等内容进行…”印在本版其他位置，已按语句接到本稿，请核对接得是否正确。"
    ]


def test_a_story_continued_on_another_page_is_flagged_in_the_preview_and_on_the_article(editor):
    text = "社区举办书法展\n\n本报讯（记者 尚丽）近日，社区举办书法展，吸引居民前来观看，大家纷纷表示"
    [item] = page_import_preview(text=text, by=editor).items
    assert item.warnings == [
        "结尾不完整：正文停在句子中间（“…，吸引居民前来观看，大家纷纷表示”），可能转至其他版面，请补齐后再送审。"
    ]
    [article] = page_import(text=text, by=editor).created
    assert item.warnings[0] in imported_event(article).note
    assert article_import_warnings(article) == [
        "正文停在句子中间（“…，吸引居民前来观看，大家纷纷表示”）：可能转至其他版面，请补齐。"
    ]
    # Once the editor has finished the text, the warning is gone.
    article.body = article.body.replace("大家纷纷表示", "大家纷纷表示受益匪浅。")
    services.article_save(article=article, by=editor, changed_fields={"body"}, expected_version=article.version)
    assert article_import_warnings(article) == []


def test_only_imported_articles_in_the_newsroom_carry_import_warnings(editor):
    written = ArticleFactory(body="<p>作用，没有开头的正文，大家纷纷表示</p>")
    assert article_import_warnings(written) == []
    text = "社区举办书法展\n\n作用，社区举办书法展，吸引居民前来观看。"
    [article] = page_import(text=text, by=editor).created
    assert len(article_import_warnings(article)) == 1
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, published_at=timezone.now())
    article.refresh_from_db()
    assert article_import_warnings(article) == []


def test_the_seed_page_still_imports_as_before(editor):
    created = page_import(text=SEED_TEXT, by=editor).created
    assert [article.headline for article in created] == SEED_HEADLINES
    assert not Credit.objects.filter(role=Credit.Role.PHOTOGRAPHER).exists()
    assert all(article.responsible_editor == "" and article.source == "" for article in created)


def test_a_heading_with_nothing_under_it_is_suggested_to_be_skipped(editor):
    text = "城市管理精细化 创建全国文明城市\n\n本版编辑：王某\n\n" + FIRE_DRILL
    slogan, drill = page_import_preview(text=text, by=editor).items
    assert (slogan.headline, slogan.choices, drill.choices) == (
        "城市管理精细化 创建全国文明城市",
        (SKIP, NEW),
        (NEW, SKIP),
    )
    assert "没有识别出正文" in slogan.warnings[-1]
