"""Importing the pasted text of a printed page as draft articles (``articles.importing``)."""

import io
from pathlib import Path

import pytest
from PIL import Image

import articles
from articles.importing import UPDATE, contributor_for_name, draft_article_create, page_import, units_mentioned
from articles.models import Article, ArticleEvent, ArticlePhoto, Credit, Series
from articles.print_import import Byline, format_byline, parse_page
from articles.print_import import Credit as PrintedCredit
from pingcheng import richtext
from pingcheng.directory.demo import load_units
from pingcheng.directory.models import Contributor, Role, Unit
from pingcheng.photos.models import Photo
from pingcheng.photos.services import photo_create
from tests.articles.seed import SEED_HEADLINES
from tests.factories import UnitFactory, newsroom, staff

pytestmark = pytest.mark.django_db

SEED_TEXT = (Path(articles.__file__).parent / "demo_data" / "seed_page.txt").read_text(encoding="utf-8")

HEADLINES = SEED_HEADLINES
BYLINES = [
    "本报讯（记者 郝雨）",
    "本报记者 邱东芳",
    "本报讯（记者 宋芳 通讯员 马向英）",
    "本报讯（记者 邱东芳）",
    "本报讯（记者 尚丽）",
    "本报讯（记者 曹飞）",
    "",  # the 文瀛湖 story's byline is not on the page
    "本报讯（记者 邱东芳）",
    "本报讯（记者 锦秀）",
    "本报讯（记者 锦秀）",
]
DATELINES = {
    Article.Dateline.BENBAO_XUN: "本报讯",
    Article.Dateline.BENBAO_JIZHE: "本报记者",
    Article.Dateline.NONE: "",
}


@pytest.fixture
def units():
    return load_units()


@pytest.fixture
def importer(units):
    return staff(Role.EDITOR, newsroom(), username="importer")


@pytest.fixture
def imported(importer):
    return page_import(text=SEED_TEXT, by=importer).created


def printed_byline(article: Article) -> str:
    """The byline as the paper would print it, rebuilt from the stored dateline and Credit rows."""
    credits = [
        PrintedCredit(role=credit.role, name=credit.contributor.name, order=credit.order)
        for credit in article.credits.order_by("order", "pk")
    ]
    return format_byline(Byline(dateline=DATELINES[Article.Dateline(article.dateline)], credits=credits))


def unit_names(article: Article) -> set[str]:
    return set(article.units.values_list("name", flat=True))


def created_note(article: Article) -> str:
    return article.events.get(action=ArticleEvent.Action.IMPORTED).note


def small_jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 200)).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


# --- The seed page -------------------------------------------------------------------------------------


def test_seed_page_becomes_ten_drafts_in_page_order(imported, importer):
    assert [article.headline for article in imported] == HEADLINES
    assert [article.page_order for article in imported] == list(range(1, 11))
    for article in imported:
        assert article.status == Article.Status.DRAFT
        # The importing editor did not write the stories: the import is their action, the byline the writers'.
        assert article.created_by is None
        event = article.events.get()
        assert (event.action, event.by) == (ArticleEvent.Action.IMPORTED, importer)
        assert created_note(article).startswith("由版面文字导入")


def test_seed_page_bylines_are_stored_as_printed(imported):
    assert [printed_byline(article) for article in imported] == BYLINES


def test_reporter_and_correspondent_keep_their_roles_and_printed_order(imported, units):
    credits = list(imported[2].credits.order_by("order"))
    assert [(c.role, c.contributor.name, c.order) for c in credits] == [("记者", "宋芳", 0), ("通讯员", "马向英", 1)]
    assert imported[2].dateline == Article.Dateline.BENBAO_XUN
    reporter, correspondent = (credit.contributor for credit in credits)
    assert (reporter.kind, reporter.unit) == (Contributor.Kind.STAFF, None)
    # A new correspondent is placed in the unit the story is about.
    assert (correspondent.kind, correspondent.unit) == (Contributor.Kind.CORRESPONDENT, units["xiaonantou"])


def test_kickers_and_column_labels_stay_kickers_when_a_headline_is_printed(imported):
    assert imported[0].kicker == "平城区人民检察院开展宣传活动"
    assert imported[2].kicker == "小南头街道"
    assert imported[3].kicker == "发挥优势 冲锋在前"


def test_series_article_gets_its_series_and_part_five(imported):
    article = imported[1]
    assert article.series.title == "继往开来担使命 砥砺奋进新征程"
    assert article.series_part == 5
    assert article.series_heading == "继往开来担使命 砥砺奋进新征程（五）"
    assert article.series.slug.isascii() and article.series.slug
    assert article.dateline == Article.Dateline.BENBAO_JIZHE
    assert [article.series_id for article in imported].count(article.series_id) == 1


def test_units_the_seed_stories_are_about(imported):
    assert {"平城区人民检察院", "新旺街道", "御锦源社区"} <= unit_names(imported[0])
    assert unit_names(imported[2]) == {"小南头街道"}
    assert {"平城区城市管理局", "古城街道"} <= unit_names(imported[4])
    assert {"新旺街道", "柳园东院社区"} <= unit_names(imported[5])
    assert "平城区总工会" in unit_names(imported[7])
    assert "平城区创建全国文明城市工作办公室" in unit_names(imported[8])  # printed 平城区创城办
    assert unit_names(imported[1]) == set()  # it names only the district
    assert not Article.units.through.objects.filter(unit__kind=Unit.Kind.DISTRICT).exists()


def test_body_is_escaped_paragraph_html_with_its_character_count(imported):
    article = imported[0]
    assert article.body.startswith("<p>为进一步推动防非宣传落地见效")
    assert article.body.count("<p>") == 2
    assert article.char_count == richtext.char_count(article.body) > 300


def test_lead_is_cut_at_a_sentence_end_when_the_first_paragraph_is_long(imported):
    for article in imported:
        assert 0 < len(article.lead) <= 120
    assert imported[0].lead.endswith("切实提升群众互动性和参与性。")
    # The first paragraph of the 小南头 story has no sentence end within 120 characters.
    assert imported[2].lead.endswith("…") and len(imported[2].lead) == 120


def test_printed_captions_are_kept_in_the_created_event_when_there_is_no_photo_factory(imported):
    assert "版面图片说明：图为柳园东院社区大学生志愿者为小学生辅导功课。（曹飞摄）— 请上传对应图片" in created_note(
        imported[5]
    )
    assert "西京社区联合社工站开展“邻里和睦、幸福社区”邻里节活动。（锦秀摄）" in created_note(imported[6])
    assert not ArticlePhoto.objects.exists()
    assert "版面图片说明" not in created_note(imported[0])


def test_importing_the_page_twice_does_not_duplicate_contributors(imported, importer):
    contributors = Contributor.objects.count()
    again = page_import(text=SEED_TEXT, by=importer, decisions=dict.fromkeys(range(1, 11), UPDATE))
    assert [article.pk for article in again.updated] == [article.pk for article in imported]
    assert Contributor.objects.count() == contributors == 7
    qiu = Contributor.objects.get(name="邱东芳")
    assert Credit.objects.filter(contributor=qiu).count() == 3  # three stories, each credited once


def test_a_series_part_already_taken_leaves_the_story_outside_the_series_with_a_note(imported):
    again = draft_article_create(draft=parse_page(SEED_TEXT)[1])
    assert Series.objects.count() == 1
    assert again.series is None and again.series_part is None
    assert "第5篇已有稿件《固本强基提高执政能力做到“五个必须”》" in created_note(again)


# --- Photos -------------------------------------------------------------------------------------------


def test_photo_factory_photos_are_attached_in_printed_order(units):
    made = []

    def factory(caption, article):
        credit = contributor_for_name(name=caption.credit, role="摄影")
        photo = photo_create(file=small_jpeg(), caption=caption.caption, credit=credit)
        made.append((caption.caption, article.headline))
        return photo

    drafts = parse_page(SEED_TEXT)
    volunteers = draft_article_create(draft=drafts[5], photo_factory=factory)
    assert made == [("图为柳园东院社区大学生志愿者为小学生辅导功课。", "大学生志愿服务社区 擦亮城市文明底色")]
    figure = volunteers.figures.get()
    assert (figure.order, figure.photo.credit_line) == (0, "曹飞摄")
    assert "版面图片说明" not in created_note(volunteers)
    # 曹飞 reported the story and took the photo: one contributor.
    assert Contributor.objects.filter(name="曹飞").count() == 1


def test_caption_without_a_photo_from_the_factory_is_kept_in_the_note(units):
    article = draft_article_create(draft=parse_page(SEED_TEXT)[6], photo_factory=lambda caption, article: None)
    assert not article.figures.exists()
    assert "邻里节活动。（锦秀摄）— 请上传对应图片" in created_note(article)


def test_failing_photo_factory_leaves_no_half_imported_article(units):
    def broken(caption, article):
        raise RuntimeError("storage is full")

    with pytest.raises(RuntimeError):
        draft_article_create(draft=parse_page(SEED_TEXT)[5], photo_factory=broken)
    assert not Article.objects.exists()
    assert not Contributor.objects.exists()
    assert not Photo.objects.exists()


# --- Odd input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  \n\n\t", "asdf qwer 1234", "***\n12345\nhttp://x.y", "!!!", "第2版"])
def test_empty_or_garbage_text_gives_no_articles_and_creates_nothing(units, text):
    assert page_import(text=text).articles == []
    assert not Article.objects.exists()
    assert not Contributor.objects.exists()


def test_a_lone_column_label_becomes_the_headline(units):
    [article] = page_import(text="文瀛湖街道\n\n本报讯（记者 锦秀）近日，文瀛湖街道开展邻里节活动。").created
    assert (article.kicker, article.headline) == ("", "文瀛湖街道")
    assert unit_names(article) == {"文瀛湖街道"}


def test_a_story_without_any_heading_gets_a_visible_placeholder_headline(units):
    [article] = page_import(text="本报讯（记者 郝雨）近日，御锦源社区开展防非宣传。").created
    assert article.headline == "（标题待补）"
    assert printed_byline(article) == "本报讯（记者 郝雨）"


def test_markup_in_pasted_text_is_escaped_not_rendered(units):
    [article] = page_import(text="标题一则\n\n本报讯（记者 郝雨）近日<script>alert(1)</script>开展活动。").created
    assert "<script>" not in article.body
    assert "&lt;script&gt;" in article.body


# --- contributor_for_name -----------------------------------------------------------------------------


def test_new_contributor_kind_follows_the_printed_role(units):
    reporter = contributor_for_name(name="宋芳", role="记者", unit=units["xinwang"])
    correspondent = contributor_for_name(name="马向英", role="通讯员", unit=units["xiaonantou"])
    photographer = contributor_for_name(name="曹飞", role="摄影")
    assert (reporter.kind, reporter.unit) == (Contributor.Kind.STAFF, None)
    assert (correspondent.kind, correspondent.unit) == (Contributor.Kind.CORRESPONDENT, units["xiaonantou"])
    assert photographer.kind == Contributor.Kind.PHOTOGRAPHER


def test_an_existing_person_is_found_whatever_the_role(units):
    reporter = contributor_for_name(name="锦秀", role="记者")
    assert contributor_for_name(name="锦秀", role="摄影") == reporter
    assert contributor_for_name(name=" 锦秀 ", role="通讯员", unit=units["zhenhua"]) == reporter
    assert Contributor.objects.count() == 1


def test_the_namesake_in_the_given_unit_is_preferred(units):
    in_xinwang = Contributor.objects.create(name="李明", kind=Contributor.Kind.CORRESPONDENT, unit=units["xinwang"])
    in_zhenhua = Contributor.objects.create(name="李明", kind=Contributor.Kind.CORRESPONDENT, unit=units["zhenhua"])
    assert contributor_for_name(name="李明", role="通讯员", unit=units["zhenhua"]) == in_zhenhua
    assert contributor_for_name(name="李明", role="通讯员") == in_xinwang  # the oldest


def test_a_contributor_needs_a_name(units):
    with pytest.raises(ValueError):
        contributor_for_name(name="  ", role="记者")
    assert not Contributor.objects.exists()


# --- units_mentioned ----------------------------------------------------------------------------------


def codes(found: list[Unit]) -> list[str]:
    return [unit.code for unit in found]


def test_units_come_in_order_of_first_mention_each_once(units):
    text = "振华街道联合新旺街道御锦源社区，振华街道再次开展活动。"
    assert codes(units_mentioned(text)) == ["zhenhua", "xinwang", "yujinyuan"]


def test_the_district_itself_is_never_a_mentioned_unit(units):
    assert units_mentioned("平城区强化党建引领，平城区四套班子挂帅出征。") == []


def test_the_longest_name_wins_where_names_overlap(units):
    found = units_mentioned("平城区城市管理局环境治理监督大队在鼓楼东西街值守。")
    assert codes(found) == ["urban-environment-brigade"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("城市管理局加强市容秩序管理。", "urban-management"),  # the name without 平城区
        ("近日，人民检察院开展宣传。", "procuratorate"),
        ("区总工会开展全方位宣传。", "trade-union"),  # 区 + a remainder too short on its own
        ("根据平城区创城办工作要求，", "civilization-office"),  # district + short name
        ("区城管局抽调执法队伍。", "urban-management"),  # the 区 short name
    ],
)
def test_shortened_names_of_district_departments_are_recognised(units, text, code):
    assert codes(units_mentioned(text)) == [code]


@pytest.mark.parametrize(
    "text",
    [
        "大同市人民检察院开展宣传。",  # another body's name ending in our shortened form
        "云冈区总工会开展宣传。",
        "大同市总工会推送名单。",
        "总工会开展宣传。",  # shortened forms under four characters are too generic
        "税务局张贴海报。",
        "",
    ],
)
def test_names_of_other_bodies_and_too_short_forms_are_not_units(units, text):
    assert units_mentioned(text) == []


def test_a_name_shared_by_two_units_is_ambiguous_and_ignored(units):
    UnitFactory(code="xijing-2", name="西京社区", kind=Unit.Kind.COMMUNITY, parent=units["zhenhua"])
    assert codes(units_mentioned("西京社区和振华街道开展活动。")) == ["zhenhua"]


def test_candidate_units_can_be_limited(units):
    text = "新旺街道和振华街道开展活动。"
    assert codes(units_mentioned(text, units=[units["zhenhua"], units["pingcheng"]])) == ["zhenhua"]


@pytest.mark.parametrize("role", [Role.REPORTER, Role.CORRESPONDENT, Role.PHOTOGRAPHER])
def test_only_reviewers_may_import_a_page(units, role):
    from articles.errors import ArticleActionRefused

    with pytest.raises(ArticleActionRefused) as refused:
        page_import(text=SEED_TEXT, by=staff(role, newsroom()))
    assert refused.value.code == "import_forbidden"
    assert not Article.objects.exists() and not Contributor.objects.exists()
