"""What a reader sees: every public page type, 404s for what is not public, query counts, caching."""

import json
import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles import services
from articles.models import Article, Correction, Section
from pingcheng.directory.models import Role
from tests.factories import ArticleFactory, newsroom, staff
from tests.page_text import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(demo_page):
    return {a.headline: a for a in Article.objects.all()}


def _live(**fields):
    now = timezone.now()
    fields.setdefault("publish_at", now - timedelta(hours=1))
    return ArticleFactory(status=Article.Status.PUBLISHED, published_at=fields["publish_at"], **fields)


@pytest.mark.parametrize(
    "path",
    ["/", "/news/", "/news/section/jiceng/", "/news/series/jiwang-kailai/", "/news/units/xinwang/",
     "/news/tags/防汛/", "/news/archive/", "/news/archive/2025/7/18/", "/news/corrections/",
     "/epaper/2025-07-18/", "/epaper/2025-07-18/2/"],
)  # fmt: skip
def test_every_public_page_type_renders(client, seed, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert 'lang="zh-Hans"' in response.text


@pytest.mark.parametrize(
    "path", ["/news/section/nope/", "/news/series/nope/", "/news/units/nope/", "/news/contributors/99999/",
             "/epaper/2025-07-19/", "/epaper/2025-07-18/9/", "/epaper/not-a-date/", "/news/archive/2025/2/30/",
             "/news/99999/"],
)  # fmt: skip
def test_unknown_things_are_404_in_our_look(client, seed, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_epaper_index_goes_to_the_latest_edition(client, seed):
    response = client.get("/epaper/")
    assert response.status_code == 302 and response["Location"] == "/epaper/2025-07-18/"


def test_the_article_page_shows_everything_the_paper_printed(client, seed):
    article = seed["大学生志愿服务社区 擦亮城市文明底色"]
    response = client.get(article.get_absolute_url())
    text = response.text
    assert "本报讯（记者 曹飞）" in text
    assert "曹飞摄" in text and "图为柳园东院社区大学生志愿者为小学生辅导功课。" in text
    assert "责任编辑" in text
    assert 'srcset="' in text and "<figcaption>" in text


def test_the_series_article_links_its_series_with_the_part_number(client, seed):
    article = seed["固本强基提高执政能力做到“五个必须”"]
    text = page_text(client.get(article.get_absolute_url()))
    assert "继往开来担使命 砥砺奋进新征程（五）" in text
    assert "本报记者 邱东芳" in text
    assert article.series.get_absolute_url() in text


def test_series_pages_link_previous_and_next_parts(client, seed):
    fifth = seed["固本强基提高执政能力做到“五个必须”"]
    sixth = _live(series=fifth.series, series_part=6, headline="第六篇")
    text = page_text(client.get(fifth.get_absolute_url()))
    assert 'rel="next"' in text and sixth.get_absolute_url() in text


def test_json_ld_describes_a_news_article_with_credits_and_print_placement(client, seed):
    article = seed["大学生志愿服务社区 擦亮城市文明底色"]
    text = page_text(client.get(article.get_absolute_url()))
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    data = json.loads(payload)
    assert data["@type"] == "NewsArticle"
    assert data["author"][0]["name"] == "曹飞"
    assert data["image"][0]["creditText"] == "曹飞摄"
    assert data["printPage"] == "2" and data["printEdition"] == "第1268期"
    assert data["dateModified"] and data["datePublished"]
    assert '<meta property="og:title"' in text and '<meta property="og:image"' in text


def test_json_ld_of_a_headline_with_markup_cannot_close_its_script_and_reads_back_as_typed():
    from articles.structured_data import json_ld_script

    typed = '防汛</script><script>alert("x")</script> & 巡查'
    script = json_ld_script({"headline": typed})
    payload = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', script, re.S).group(1)
    assert "<" not in payload and ">" not in payload and "&" not in payload
    assert json.loads(payload) == {"headline": typed}


def test_drafts_future_and_withdrawn_articles_are_not_public(client, seed):
    draft = ArticleFactory(headline="草稿不公开")
    future = ArticleFactory(status=Article.Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1),
                            headline="明天才发布")  # fmt: skip
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    front = page_text(client.get("/")) + page_text(client.get("/news/"))
    assert "草稿不公开" not in front and "明天才发布" not in front


def test_news_about_a_street_includes_its_communities(client, seed):
    text = page_text(client.get("/news/units/xinwang/"))
    assert "守住钱袋子 护好幸福家" in text  # about 御锦源社区, under 新旺街道
    assert "全方位推动小微企业工会经费返还" not in text


def test_a_contributor_page_lists_what_they_wrote_and_photographed(client, seed):
    from pingcheng.directory.models import Contributor

    jinxiu = Contributor.objects.get(name="锦秀")
    text = page_text(client.get(jinxiu.get_absolute_url()))
    assert "立足实际构建创城新常态" in text  # reported
    assert "党建引领迸发创城新活力" in text  # photographed


def test_corrections_show_on_the_article_and_in_the_public_list(client, seed):
    article = seed["疏堵结合整治游商小贩 营造整洁有序古城环境"]
    chief = staff(Role.CHIEF_EDITOR, newsroom())
    services.article_correct(article=article, by=chief, kind=Correction.Kind.CORRECTION, text="“290家”应为“约290家”。")
    assert "“290家”应为“约290家”。" in page_text(client.get(article.get_absolute_url()))
    assert "“290家”应为“约290家”。" in page_text(client.get("/news/corrections/"))


@pytest.mark.parametrize("page", ["front", "article"])
def test_front_and_article_pages_take_a_small_constant_number_of_queries(client, seed, page,
                                                                         django_assert_max_num_queries):  # fmt: skip
    path = "/" if page == "front" else seed["大学生志愿服务社区 擦亮城市文明底色"].get_absolute_url()
    # A cold process: the front page also reads the sections, the streets and the current campaigns it keeps.
    with django_assert_max_num_queries(14):
        assert client.get(path).status_code == 200


def test_list_pages_take_the_same_queries_whatever_their_length(client, seed, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    section = Section.objects.get(slug="chuangcheng")

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/news/").status_code == 200
            assert client.get(section.get_absolute_url()).status_code == 200
        return len(queries)

    before = count()
    for index in range(15):
        _live(headline=f"创城新闻{index}", section=section)
    assert count() == before


def test_anonymous_pages_are_cached_and_publication_invalidates_them(client, seed, django_capture_on_commit_callbacks):
    first = client.get("/news/")
    assert "public" in first["Cache-Control"] and first.has_header("Last-Modified")
    article = ArticleFactory(headline="刚刚通过终审的稿件", status=Article.Status.APPROVED)
    chief = staff(Role.CHIEF_EDITOR, newsroom())
    # Made live behind the cache's back: the cached page does not show it yet …
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, publish_at=timezone.now())
    assert "刚刚通过终审的稿件" not in page_text(client.get("/news/"))
    # … and the publication signal retires the cached pages.
    other = ArticleFactory(headline="正式发布的稿件", status=Article.Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_schedule(article=other, by=chief, publish_at=timezone.now() - timedelta(seconds=1))
    assert "正式发布的稿件" in page_text(client.get("/news/"))


def test_conditional_get_answers_not_modified(client, seed):
    first = client.get("/news/")
    again = client.get("/news/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_logged_in_staff_are_never_served_a_cached_public_page(client, seed):
    client.force_login(staff(Role.EDITOR, newsroom()))
    response = client.get("/news/")
    assert "private" in response["Cache-Control"]


def test_tag_pages_match_whole_tags_and_tags_may_hold_a_slash(client, seed):
    article = seed["平城区网格员筑牢防汛“安全堤”"]
    article.tags = "防汛/抗旱、网格员"
    article.save(update_fields=["tags"])
    cache.clear()
    assert client.get(article.get_absolute_url()).status_code == 200
    assert "平城区网格员筑牢防汛" in page_text(client.get("/news/tags/防汛/抗旱/"))
    assert "平城区网格员筑牢防汛" not in page_text(client.get("/news/tags/防/"))


def test_the_archive_links_each_day_with_news_and_a_day_without_news_is_404(client, seed):
    archive = client.get("/news/archive/")
    assert 'href="/news/archive/2025/7/18/"' in archive.text
    assert 'href="/news/archive/"' in page_text(client.get("/"))  # the footer leads there
    assert client.get("/news/archive/2025/7/18/").status_code == 200
    assert client.get("/news/archive/2025/7/17/").status_code == 404
    assert client.get("/news/archive/1/1/1/").status_code == 404


def test_absurd_archive_dates_are_404(client, seed):
    assert client.get("/news/archive/99999999999999999999/1/1/").status_code == 404


def test_unknown_query_parameters_share_the_cached_page(client, seed):
    cache.clear()
    assert "立足实际构建创城新常态" in page_text(client.get("/news/?utm=1"))
    # Changed behind the cache's back: a second URL differing only in an unknown parameter is the cached page.
    Article.objects.filter(headline="立足实际构建创城新常态").update(headline="改过的标题")
    assert "立足实际构建创城新常态" in page_text(client.get("/news/?utm=2"))


# --- e-paper: only editions readers can open -----------------------------------------------------------


def _unpublished_edition(day: str, number: int):
    """An edition with a page and only a draft on it, as an import leaves it until review."""
    from datetime import date

    from articles.placement import page_get_or_create

    page = page_get_or_create(date=date.fromisoformat(day), number=number, page_number=1, page_name="要闻")
    ArticleFactory(page=page, page_order=1, headline="尚未发布的见报稿")
    return page.edition


def test_epaper_index_skips_a_newer_edition_without_live_articles(client, seed):
    _unpublished_edition("2025-07-19", 1269)
    response = client.get("/epaper/")
    assert response.status_code == 302 and response["Location"] == "/epaper/2025-07-18/"


@pytest.mark.parametrize("path", ["/epaper/2025-07-19/", "/epaper/2025-07-19/1/"])
def test_an_edition_without_live_articles_is_404(client, seed, path):
    _unpublished_edition("2025-07-19", 1269)
    assert client.get(path).status_code == 404
    assert client.get("/epaper/2025-07-18/").status_code == 200


def test_an_edition_page_does_not_link_to_an_edition_without_live_articles(client, seed):
    _unpublished_edition("2025-07-19", 1269)
    text = page_text(client.get("/epaper/2025-07-18/"))
    assert "/epaper/2025-07-19/" not in text and "后一期" not in text


def test_a_page_of_a_public_edition_with_only_unpublished_articles_is_neither_listed_nor_opened(client, seed):
    from articles.placement import page_get_or_create

    page = page_get_or_create(date=date(2025, 7, 18), number=1268, page_number=3, page_name="专题")
    ArticleFactory(page=page, page_order=1, headline="尚未发布的第三版稿件")
    assert client.get("/epaper/2025-07-18/3/").status_code == 404
    edition = client.get("/epaper/2025-07-18/")
    assert edition.status_code == 200
    assert "/epaper/2025-07-18/3/" not in edition.text and "第3版" not in edition.text
    assert client.get("/epaper/2025-07-18/2/").status_code == 200


def test_epaper_index_with_only_unpublished_editions_says_there_is_no_paper_yet(client, db):
    _unpublished_edition("2025-07-19", 1269)
    response = client.get("/epaper/")
    assert response.status_code == 200 and "还没有出版的报纸" in response.text


@pytest.mark.parametrize("path", ["/epaper/20250718/", "/epaper/2025-W29-5/", "/epaper/%002025-07-18/"])
def test_an_edition_is_found_only_under_its_own_date(client, seed, path):
    assert client.get(path).status_code in (400, 404)


# --- tags: a page only for a tag that a live article carries ---------------------------------------------


@pytest.mark.parametrize(
    "tag",
    ["没有这个标签", "防", "防汛%20", "%20防汛", "防汛、网格员", "防汛" + "x" * 30, "\U0001f600", "%E2%80%AE防汛", "a.*",
     "\\d", "%E3%80%80", "%00", "防汛%00"],
)  # fmt: skip
def test_a_tag_no_live_article_carries_is_404_and_not_cached(client, tag):
    _live(tags="防汛、网格员")
    assert client.get("/news/tags/防汛/").status_code == 200
    for _attempt in range(2):
        response = client.get(f"/news/tags/{tag}/")
        assert response.status_code in (400, 404), tag
        assert "public" not in response.get("Cache-Control", "")


def test_a_tag_carried_only_by_a_draft_is_404(client):
    ArticleFactory(tags="草稿专用标签")
    assert client.get("/news/tags/草稿专用标签/").status_code == 404
    _live(tags="草稿专用标签")
    cache.clear()
    assert client.get("/news/tags/草稿专用标签/").status_code == 200


# --- corrections of withdrawn articles -------------------------------------------------------------------


def test_a_withdrawn_articles_retraction_is_listed_where_the_withdrawal_notice_points(client, seed):
    article = seed["疏堵结合整治游商小贩 营造整洁有序古城环境"]
    chief = staff(Role.CHIEF_EDITOR, newsroom())
    services.article_withdraw(article=article, by=chief, reason="数据有误")
    services.article_correct(article=article, by=chief, kind=Correction.Kind.RETRACTION,
                             text="本报7月18日刊发的稿件数据有误，现予撤回。")  # fmt: skip
    notice = client.get(article.get_absolute_url())
    assert notice.status_code == 410
    assert "本报7月18日刊发的稿件数据有误，现予撤回。" in notice.text
    listed_at = re.search(r'href="(/news/corrections/[^"]*)"', notice.text).group(1)
    listing = page_text(client.get(listed_at))
    assert "撤回声明" in listing and "本报7月18日刊发的稿件数据有误，现予撤回。" in listing
    assert article.headline in listing and "已撤稿" in listing
    # The list names the withdrawn article without sending the reader round in a circle to the notice.
    assert f'href="{article.get_absolute_url()}"' not in listing


def test_the_corrections_list_still_links_live_articles(client, seed):
    article = seed["守住钱袋子 护好幸福家"]
    services.article_correct(article=article, by=staff(Role.CHIEF_EDITOR, newsroom()), kind=Correction.Kind.CORRECTION,
                             text="“西京社区”应为“西京街社区”。")  # fmt: skip
    listing = page_text(client.get("/news/corrections/"))
    assert f'href="{article.get_absolute_url()}"' in listing and "已撤稿" not in listing


def test_an_edition_lists_its_pages_marks_the_open_one_escapes_names_and_links_earlier_issues(client, seed):
    from articles.placement import page_get_or_create

    odd = page_get_or_create(date=date(2025, 7, 18), number=1268, page_number=7, page_name="<专题>&调查")
    _live(page=odd, page_order=1, headline="第七版的稿件")
    earlier = page_get_or_create(date=date(2025, 7, 11), number=1267, page_number=1, page_name="要闻")
    _live(page=earlier, page_order=1, headline="上一期的稿件", publish_at=timezone.now() - timedelta(days=7))

    html = client.get("/epaper/2025-07-18/7/").text
    buttons = re.search(r'<nav aria-label="版面">(.*?)</nav>', html, re.S).group(1)
    assert '<a class="button" href="/epaper/2025-07-18/7/" aria-current="page">第7版 &lt;专题&gt;&amp;调查</a>' in buttons
    assert '<a class="button button-secondary" href="/epaper/2025-07-18/2/">' in buttons
    assert buttons.count('aria-current="page"') == 1
    issues = re.search(r'<ul class="epaper-issues" role="list">(.*?)</ul>', html, re.S).group(1)
    assert ('<li><a href="/epaper/2025-07-11/"><time datetime="2025-07-11">2025年7月11日</time> '
            '<span class="meta">第1267期</span></a></li>') in issues  # fmt: skip
    assert "第七版的稿件" in re.sub(r"<[^>]+>", "", html) and "<专题>" not in html
