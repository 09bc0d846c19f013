"""The demo newsroom loaded by ``manage.py load_demo``: the seed page as a published edition page."""

from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.demo import link_demo_accounts
from articles.models import (
    Article,
    ArticleEvent,
    ArticlePhoto,
    Credit,
    Edition,
    Page,
    Section,
    Series,
)
from pingcheng.directory.models import Contributor
from pingcheng.photos.models import Photo
from tests.articles.seed import SEED_HEADLINES

pytestmark = pytest.mark.django_db

HEADLINES = SEED_HEADLINES
MODELS = [Article, Credit, Photo, ArticlePhoto, Contributor, Series, Section, Edition, Page]


def load_demo(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def page(demo_page):
    return Page.objects.get()


def page_articles(page: Page) -> list[Article]:
    return list(page.articles.order_by("page_order"))


def test_loading_the_demo_twice_gives_the_same_rows():
    output = load_demo()
    first = counts()
    load_demo()
    assert counts() == first
    assert first == {
        "Article": 10,
        "Credit": 10,
        "Photo": 2,
        "ArticlePhoto": 2,
        "Contributor": 7,
        "Series": 1,
        "Section": 5,
        "Edition": 1,
        "Page": 1,
    }
    assert "稿件：10 篇（第1268期 第2版 平城新闻）" in output


def test_demo_page_is_page_two_of_edition_1268_with_the_printed_slogan(page):
    assert (page.edition.date, page.edition.number) == (date(2025, 7, 18), 1268)
    assert (page.number, page.name, page.slogan) == (2, "平城新闻", "城市管理精细化 创建全国文明城市")


def test_demo_page_holds_the_ten_headlines_in_printed_order(page):
    articles = page_articles(page)
    assert [article.headline for article in articles] == HEADLINES
    assert [article.page_order for article in articles] == list(range(1, 11))
    series_article = articles[1]
    assert (series_article.series.slug, series_article.series_part) == ("jiwang-kailai", 5)


def test_every_demo_article_is_published_live_and_recorded_as_reviewed(page):
    published_at = datetime(2025, 7, 18, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for article in page_articles(page):
        assert article.status == Article.Status.PUBLISHED
        assert article.publish_at == article.published_at == published_at
        assert article.is_live
        assert article.review_round == 1
        assert article.responsible_editor == "王丽君"
        assert article.tag_list
        event = article.events.get(action=ArticleEvent.Action.PUBLISHED)
        assert event.note == "见报稿件导入（已经三审）"


def test_demo_sections_follow_the_stories(page):
    sections = {article.headline: article.section.slug for article in page_articles(page)}
    assert sections == {
        "守住钱袋子 护好幸福家": "zhuanxiang",
        "固本强基提高执政能力做到“五个必须”": "yaowen",
        "引导到村工作大学生扎根农村挥洒激情": "jiceng",
        "平城区网格员筑牢防汛“安全堤”": "yaowen",
        "疏堵结合整治游商小贩 营造整洁有序古城环境": "chuangcheng",
        "大学生志愿服务社区 擦亮城市文明底色": "jiceng",
        "党建引领迸发创城新活力": "chuangcheng",
        "全方位推动小微企业工会经费返还": "minsheng",
        "立足实际构建创城新常态": "chuangcheng",
        "“三个强化”争取创城新成效": "chuangcheng",
    }
    assert all(slug.isascii() for slug in Section.objects.values_list("slug", flat=True))


def test_caofei_reported_the_volunteer_story_and_took_its_photo(page):
    article = page.articles.get(headline="大学生志愿服务社区 擦亮城市文明底色")
    caofei = Contributor.objects.get(name="曹飞")
    assert list(article.credits.values_list("role", "contributor")) == [("记者", caofei.pk)]
    photo = article.figures.get().photo
    assert photo.credit == caofei
    assert photo.caption == "图为柳园东院社区大学生志愿者为小学生辅导功课。"
    assert photo.credit_line == "曹飞摄"
    assert photo.alt_text


def test_jinxiu_reported_two_stories_and_took_the_wenyinghu_photo(page):
    jinxiu = Contributor.objects.get(name="锦秀")
    reported = Credit.objects.filter(contributor=jinxiu, role=Credit.Role.REPORTER)
    assert sorted(reported.values_list("article__headline", flat=True)) == sorted(
        ["立足实际构建创城新常态", "“三个强化”争取创城新成效"]
    )
    wenyinghu = page.articles.get(headline="党建引领迸发创城新活力")
    assert (wenyinghu.kicker, wenyinghu.credits.count()) == ("文瀛湖街道", 0)
    assert wenyinghu.figures.get().photo.credit == jinxiu


def test_correspondent_belongs_to_xiaonantou(page):
    correspondent = Contributor.objects.get(name="马向英")
    assert correspondent.kind == Contributor.Kind.CORRESPONDENT
    assert correspondent.unit.code == "xiaonantou"


def test_demo_photos_have_their_renditions_and_master_on_disk(page):
    photos = list(Photo.objects.all())
    assert len(photos) == 2
    for photo in photos:
        assert (photo.width, photo.height) == (1600, 1067)
        assert Path(settings.PHOTO_MASTER_ROOT, photo.master.name).is_file()
        assert photo.renditions
        for entry in photo.renditions.values():
            for fmt in ("webp", "jpeg"):
                assert Path(settings.MEDIA_ROOT, entry[fmt]).is_file()


def test_reloading_leaves_edited_articles_alone_and_fills_what_is_missing(page):
    article = page.articles.get(page_order=1)
    article.headline = "编辑改过的标题"
    article.section = None
    article.save(update_fields=["headline", "section"])
    load_demo()
    article.refresh_from_db()
    assert article.headline == "编辑改过的标题"
    assert article.section.slug == "zhuanxiang"
    assert article.events.filter(action=ArticleEvent.Action.PUBLISHED).count() == 1


def test_demo_accounts_are_linked_to_their_bylines(settings):
    settings.DEBUG = True  # demo accounts are created in development only
    load_demo("--accounts")
    load_demo("--accounts")
    users = get_user_model().objects
    assert users.get(username="reporter").contributor.name == "邱东芳"
    assert users.get(username="correspondent").contributor.name == "马向英"
    assert Contributor.objects.filter(user__isnull=False).count() == 2


def test_linking_before_the_accounts_exist_links_nobody(page):
    assert link_demo_accounts() == 0
    assert not Contributor.objects.filter(user__isnull=False).exists()
