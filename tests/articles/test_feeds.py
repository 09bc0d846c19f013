"""RSS/Atom feeds, sitemaps, the Google News sitemap and robots.txt, read the way their consumers read them.

Feeds are parsed with feedparser (what many readers are built on) and ElementTree; sitemaps are validated
against the published sitemaps.org and Google News schemas vendored in ``schemas/``.
"""

import html
import io
import os
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import feedparser
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree
from PIL import Image

from articles.models import Article, ArticlePhoto, Correction, Credit, Section, Series
from pingcheng.directory.models import Unit
from pingcheng.photos.services import photo_create
from tests.articles.seed import SEED_HEADLINES
from tests.factories import ArticleFactory, ContributorFactory, UnitFactory, district

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent / "schemas"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SITEMAP_NS, "news": NEWS_NS}
S = Article.Status

DEMO_HEADLINES = set(SEED_HEADLINES)
PROCURATORATE_HEADLINE = "守住钱袋子 护好幸福家"  # 检察院 with 新旺街道御锦源社区
LIUYUAN_HEADLINE = "大学生志愿服务社区 擦亮城市文明底色"  # 新旺街道柳园东院社区, has a photo
FEED_FORMATS = ("rss", "atom")


@pytest.fixture(autouse=True)
def media_root(request, settings, tmp_path):
    # The demo's photos are in the folder the demo was loaded with, once for the module.
    if "demo_page" not in request.fixturenames:
        settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(demo_page):
    """The demo page, loaded once for this module (tests/module_data.py)."""


def live(**fields) -> Article:
    """An article the public may see: published an hour ago unless told otherwise."""
    fields.setdefault("status", S.PUBLISHED)
    fields.setdefault("publish_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("published_at", fields["publish_at"])
    return ArticleFactory(**fields)


def hidden_articles() -> list[Article]:
    """One article in each state the public must never see, all about 新旺街道 and in a demo section."""
    now = timezone.now()
    section = Section.objects.get(slug="jiceng")
    xinwang = Unit.objects.get(code="xinwang")
    articles = [
        ArticleFactory(headline="草稿不应出现", status=S.DRAFT, section=section),
        ArticleFactory(headline="待终审不应出现", status=S.FINAL_REVIEW, section=section),
        ArticleFactory(
            headline="定时未到不应出现", status=S.SCHEDULED, publish_at=now + timedelta(hours=1), section=section
        ),
        ArticleFactory(
            headline="已撤稿不应出现",
            status=S.WITHDRAWN,
            publish_at=now - timedelta(hours=2),
            published_at=now - timedelta(hours=2),
            section=section,
        ),
        ArticleFactory(
            headline="已到期不应出现",
            status=S.PUBLISHED,
            publish_at=now - timedelta(hours=3),
            published_at=now - timedelta(hours=3),
            unpublish_at=now - timedelta(minutes=1),
            section=section,
        ),
    ]
    for article in articles:
        article.units.add(xinwang)
    return articles


def feed_url(kind: str, fmt: str, key: str = "") -> str:
    names = {"site": "feeds-{fmt}", "section": "feeds-section-{fmt}", "unit": "feeds-unit-{fmt}"}
    kwargs = {"section": {"slug": key}, "unit": {"code": key}}.get(kind, {})
    return reverse(names[kind].format(fmt=fmt), kwargs=kwargs)


def parse_feed(client, url: str, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, response.content[:300]
    ET.fromstring(response.content)  # well-formed XML, or this raises
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


def entry_titled(parsed, headline: str):
    return next(entry for entry in parsed.entries if entry.title == headline)


def first_summary(client, fmt: str) -> str:
    """The first item's summary as XML text, i.e. the HTML a feed reader will render."""
    root = ET.fromstring(client.get(feed_url("site", fmt)).content)
    path = "channel/item/description" if fmt == "rss" else "atom:entry/atom:summary"
    return root.find(path, {"atom": "http://www.w3.org/2005/Atom"}).text


def a_photo():
    image = Image.linear_gradient("L").convert("RGB").resize((1200, 800))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return photo_create(file=SimpleUploadedFile("x.jpg", buffer.getvalue(), content_type="image/jpeg"), caption="配图")


# --- feeds ---------------------------------------------------------------------------------------------


def test_rss_feed_parses_cleanly_and_lists_the_demo_articles(client, demo):
    parsed = parse_feed(client, feed_url("site", "rss"))
    assert parsed.version == "rss20"
    assert parsed.feed.title == "平城新闻"
    assert parsed.feed.language == "zh-cn"
    assert set(titles(parsed)) == DEMO_HEADLINES


def test_atom_feed_parses_cleanly_and_lists_the_demo_articles(client, demo):
    parsed = parse_feed(client, feed_url("site", "atom"))
    assert parsed.version == "atom10"
    assert parsed.feed.title == "平城新闻"
    assert set(titles(parsed)) == DEMO_HEADLINES
    # Atom needs an author on every entry: the feed's own author covers entries printed without a byline.
    assert parsed.feed.author == "平城新闻"


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_feed_item_carries_byline_dates_categories_and_summary(client, demo, fmt):
    article = Article.objects.get(headline=PROCURATORATE_HEADLINE)
    entry = entry_titled(parse_feed(client, feed_url("site", fmt)), PROCURATORATE_HEADLINE)
    assert entry.author == "本报讯（记者 郝雨）"
    assert entry.link == f"http://testserver/news/{article.pk}/"
    assert entry.published_parsed[:6] == article.publish_at.utctimetuple()[:6]
    assert [tag.term for tag in entry.tags] == ["专项工作", "防非", "金融知识"]
    assert article.lead[:30] in entry.summary
    if fmt == "atom":
        assert entry.updated_parsed[:6] == article.publish_at.utctimetuple()[:6]


def test_updated_date_is_the_substantive_edit_time_when_there_is_one(client, db):
    article = live(headline="发布后修改过的稿件", updated_at=timezone.now() - timedelta(minutes=5))
    entry = entry_titled(parse_feed(client, feed_url("site", "atom")), article.headline)
    assert entry.updated_parsed[:6] == article.updated_at.utctimetuple()[:6]
    assert entry.published_parsed[:6] == article.publish_at.utctimetuple()[:6]


def test_feed_links_use_the_host_that_was_asked(client, demo):
    parsed = parse_feed(client, feed_url("site", "rss"), HTTP_HOST="news.pingcheng.example", secure=True)
    assert parsed.feed.link == "https://news.pingcheng.example/news/"
    assert all(entry.link.startswith("https://news.pingcheng.example/news/") for entry in parsed.entries)


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_feeds_never_show_drafts_scheduled_withdrawn_or_expired_articles(client, demo, fmt):
    hidden = {article.headline for article in hidden_articles()}
    control = live(headline="正常发布应出现", section=Section.objects.get(slug="jiceng"))
    control.units.add(Unit.objects.get(code="xinwang"))
    for url in (feed_url("site", fmt), feed_url("section", fmt, "jiceng"), feed_url("unit", fmt, "xinwang")):
        shown = set(titles(parse_feed(client, url)))
        assert control.headline in shown, url
        assert not shown & hidden, url


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_kicker_series_and_subtitle_go_to_the_summary_and_the_title_stays_the_headline(client, db, fmt):
    series = Series.objects.create(title="继往开来担使命 砥砺奋进新征程", slug="jiwang")
    live(
        headline="固本强基",
        kicker="平城区强化党建引领",
        subtitle="提高执政能力",
        series=series,
        series_part=5,
        lead="平城区提出要做到“五个必须”。",
    )
    entry = entry_titled(parse_feed(client, feed_url("site", fmt)), "固本强基")
    assert "继往开来担使命 砥砺奋进新征程（五）" in entry.summary
    assert "平城区强化党建引领" in entry.summary
    assert "——提高执政能力" in entry.summary
    assert "五个必须" in entry.summary


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_markup_in_headline_and_lead_reaches_readers_as_text(client, db, fmt):
    live(headline="A & B <i>斜体</i>", lead='<script>alert("x")</script> 与 <b>粗体</b> & 更多')
    # The summary is HTML for the reader, so the lead's markup must arrive escaped inside that HTML.
    summary = first_summary(client, fmt)
    assert "<script" not in summary and "<b>" not in summary
    assert "&lt;script&gt;" in summary and "&amp; 更多" in summary
    entry = parse_feed(client, feed_url("site", fmt)).entries[0]
    assert "<script" not in entry.summary
    if fmt == "rss":
        # Readers take an RSS title with markup for HTML, so it is escaped once more: rendered, it reads as typed.
        assert entry.title_detail.type == "text/html"
        assert html.unescape(entry.title) == "A & B <i>斜体</i>"
    else:
        assert entry.title_detail.type == "text/plain"
        assert entry.title == "A & B <i>斜体</i>"


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_summary_falls_back_to_the_body_text_when_there_is_no_lead(client, db, fmt):
    body = "<p>" + "防汛" * 150 + "</p><p>第二段<strong>不应出现</strong></p>"
    live(headline="没有导语的稿件", kicker="", lead="", body=body)
    summary = first_summary(client, fmt)
    assert summary == "<p>" + "防汛" * 99 + "防…</p>"


def test_each_atom_feed_has_its_own_id(client, demo):
    urls = [feed_url("site", "atom"), feed_url("section", "atom", "jiceng"), feed_url("unit", "atom", "xinwang"),
            feed_url("unit", "atom", "yujinyuan")]  # fmt: skip
    ids = [parse_feed(client, url).feed.id for url in urls]
    assert ids == [f"http://testserver{url}" for url in urls]


def test_section_feed_lists_only_its_section(client, demo):
    parsed = parse_feed(client, feed_url("section", "rss", "jiceng"))
    assert parsed.feed.title == "平城新闻 · 基层动态"
    assert set(titles(parsed)) == {"引导到村工作大学生扎根农村挥洒激情", LIUYUAN_HEADLINE}
    atom = parse_feed(client, feed_url("section", "atom", "jiceng"))
    assert atom.feed.title == "平城新闻 · 基层动态"
    assert set(titles(atom)) == set(titles(parsed))


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_street_feed_includes_articles_about_its_communities_once(client, demo, fmt):
    procuratorate = Article.objects.get(headline=PROCURATORATE_HEADLINE)
    # The demo import recognised the community the 检察院 worked with; the street feed must follow it down.
    assert {"xinwang", "yujinyuan"} <= set(procuratorate.units.values_list("code", flat=True))
    parsed = parse_feed(client, feed_url("unit", fmt, "xinwang"))
    assert parsed.feed.title == "平城新闻 · 新旺街道"
    assert titles(parsed).count(PROCURATORATE_HEADLINE) == 1  # tagged with the street and the community
    assert set(titles(parsed)) == {PROCURATORATE_HEADLINE, LIUYUAN_HEADLINE}


def test_an_article_about_a_community_alone_is_in_its_streets_feed_and_no_other(client, demo):
    article = live(headline="御锦源社区开展邻里节")
    article.units.set([Unit.objects.get(code="yujinyuan")])
    assert article.headline in titles(parse_feed(client, feed_url("unit", "rss", "xinwang")))
    assert article.headline in titles(parse_feed(client, feed_url("unit", "rss", "yujinyuan")))
    assert article.headline not in titles(parse_feed(client, feed_url("unit", "rss", "zhenhua")))


def test_a_community_feed_leaves_out_its_sister_communities(client, demo):
    shown = set(titles(parse_feed(client, feed_url("unit", "atom", "yujinyuan"))))
    assert shown == {PROCURATORATE_HEADLINE}


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/section/no-such-section/rss/",
        "/feeds/section/no-such-section/atom/",
        "/feeds/unit/no-such-unit/rss/",
        "/feeds/unit/no-such-unit/atom/",
        # A department is not a place people live in: no unit feed for it.
        "/feeds/unit/procuratorate/rss/",
    ],
)
def test_unknown_section_or_unit_feed_is_404(client, demo, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_enclosure_is_the_lead_photos_jpeg_with_its_real_length(client, demo, fmt):
    article = Article.objects.get(headline=LIUYUAN_HEADLINE)
    photo = article.figures.first().photo
    entry = entry_titled(parse_feed(client, feed_url("site", fmt)), LIUYUAN_HEADLINE)
    (enclosure,) = entry.enclosures
    name = photo.renditions["960"]["jpeg"]
    assert enclosure.href == "http://testserver" + default_storage.url(name)
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == os.path.getsize(default_storage.path(name))


def test_an_article_without_photos_has_no_enclosure(client, demo):
    entry = entry_titled(parse_feed(client, feed_url("site", "rss")), PROCURATORATE_HEADLINE)
    assert entry.enclosures == []


@pytest.fixture
def query_scene():
    """A section, a street and the people and photo that every article in the query-count test carries."""
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())
    section = Section.objects.create(name="基层动态", slug="jiceng")
    reporter = ContributorFactory()
    correspondent = ContributorFactory()
    photo = a_photo()

    def add(count: int) -> None:
        for _ in range(count):
            article = live(section=section, tags="防汛、网格员")
            article.units.add(street)
            Credit.objects.create(article=article, contributor=reporter, role=Credit.Role.REPORTER, order=0)
            Credit.objects.create(article=article, contributor=correspondent, role=Credit.Role.CORRESPONDENT, order=1)
            ArticlePhoto.objects.create(article=article, photo=photo)

    return add


@pytest.mark.parametrize(
    "url", ["/feeds/rss/", "/feeds/atom/", "/feeds/section/jiceng/rss/", "/feeds/unit/xinwang/atom/"]
)
def test_feed_queries_do_not_grow_with_the_number_of_items(client, django_assert_max_num_queries, query_scene, url):
    query_scene(3)
    with CaptureQueriesContext(connection) as few:
        assert len(parse_feed(client, url).entries) == 3
    query_scene(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        parsed = parse_feed(client, url)
    assert len(parsed.entries) == 30
    assert all(entry.author and entry.enclosures and entry.tags for entry in parsed.entries)


def test_the_feed_is_capped_at_thirty_newest_items(client, db):
    for hours in range(1, 33):
        live(headline=f"第{hours}小时前", publish_at=timezone.now() - timedelta(hours=hours))
    shown = titles(parse_feed(client, feed_url("site", "rss")))
    assert shown == [f"第{hours}小时前" for hours in range(1, 31)]


# --- sitemaps ------------------------------------------------------------------------------------------


def sitemap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))


def combined_schema() -> etree.XMLSchema:
    """sitemap.xsd and sitemap-news.xsd together: the core schema processes extension elements strictly."""
    driver = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="{SITEMAP_NS}" schemaLocation="{(SCHEMAS / "sitemap.xsd").as_uri()}"/>
      <xs:import namespace="{NEWS_NS}" schemaLocation="{(SCHEMAS / "sitemap-news.xsd").as_uri()}"/>
    </xs:schema>"""
    return etree.XMLSchema(etree.fromstring(driver.encode()))


def assert_valid(schema: etree.XMLSchema, content: bytes) -> etree._Element:
    document = etree.fromstring(content)
    assert schema.validate(document), schema.error_log
    return document


def locations(document) -> list[str]:
    return document.xpath("//sm:url/sm:loc/text()", namespaces=NS)


def test_sitemap_validates_against_the_schema_and_lists_public_pages(client, demo):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    document = assert_valid(sitemap_schema(), response.content)
    urls = set(locations(document))
    assert {"http://testserver/", "http://testserver/news/", "http://testserver/news/corrections/"} <= urls
    assert {f"http://testserver/news/{pk}/" for pk in Article.objects.values_list("pk", flat=True)} <= urls
    assert {f"http://testserver{section.get_absolute_url()}" for section in Section.objects.all()} <= urls
    assert "http://testserver/news/series/jiwang-kailai/" in urls


def test_every_article_in_the_sitemap_has_lastmod(client, demo):
    document = etree.fromstring(client.get("/sitemap.xml").content)
    for pk in Article.objects.values_list("pk", flat=True):
        (url,) = document.xpath(f"//sm:url[sm:loc='http://testserver/news/{pk}/']", namespaces=NS)
        # Published 2025-07-18 07:00 in Beijing: the date is the local one, not 2025-07-17 in UTC.
        assert url.findtext("sm:lastmod", namespaces=NS) == "2025-07-18"


def test_sitemap_lastmod_is_the_substantive_edit_date_when_there_is_one(client, db):
    now = timezone.now()
    article = live(publish_at=now - timedelta(days=10), updated_at=now - timedelta(days=2))
    document = etree.fromstring(client.get("/sitemap.xml").content)
    (url,) = document.xpath(f"//sm:url[sm:loc='http://testserver/news/{article.pk}/']", namespaces=NS)
    assert url.findtext("sm:lastmod", namespaces=NS) == f"{timezone.localtime(article.updated_at):%Y-%m-%d}"


def test_sitemap_never_lists_articles_the_public_cannot_see(client, demo):
    hidden = hidden_articles()
    urls = set(locations(etree.fromstring(client.get("/sitemap.xml").content)))
    assert not {f"http://testserver/news/{article.pk}/" for article in hidden} & urls


def test_corrections_page_lastmod_is_the_latest_public_correction(client, demo):
    article = Article.objects.get(headline=PROCURATORATE_HEADLINE)
    Correction.objects.create(
        article=article, text="更正：活动地点为御锦源社区。", published_at=timezone.now() - timedelta(days=3)
    )
    document = assert_valid(sitemap_schema(), client.get("/sitemap.xml").content)
    (url,) = document.xpath("//sm:url[sm:loc='http://testserver/news/corrections/']", namespaces=NS)
    expected = timezone.localtime(timezone.now() - timedelta(days=3))
    assert url.findtext("sm:lastmod", namespaces=NS) == f"{expected:%Y-%m-%d}"


def test_news_sitemap_lists_articles_of_the_last_two_days_only(client, demo):
    recent = live(headline="一小时前发布的稿件 & 更多")
    live(headline="三天前发布的稿件", publish_at=timezone.now() - timedelta(days=3))
    hidden_articles()
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    document = assert_valid(combined_schema(), response.content)
    assert locations(document) == [f"http://testserver/news/{recent.pk}/"]
    (news,) = document.xpath("//news:news", namespaces=NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "平城新闻"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "zh-cn"
    assert news.findtext("news:title", namespaces=NS) == "一小时前发布的稿件 & 更多"
    expected = timezone.localtime(recent.publish_at).isoformat(timespec="seconds")
    assert news.findtext("news:publication_date", namespaces=NS) == expected
    assert expected.endswith("+08:00")


def test_news_sitemap_leaves_out_the_2025_demo_articles(client, demo):
    live(headline="今天的稿件")
    document = etree.fromstring(client.get("/sitemap-news.xml").content)
    titles_listed = document.xpath("//news:title/text()", namespaces=NS)
    assert titles_listed == ["今天的稿件"]
    assert not set(titles_listed) & DEMO_HEADLINES


def test_news_sitemap_extension_is_checked_by_its_schema(client, db):
    live()
    content = client.get("/sitemap-news.xml").content.replace(b"zh-cn", b"chinese")
    document = etree.fromstring(content)
    assert not combined_schema().validate(document)


def test_news_sitemap_without_recent_articles_is_an_empty_urlset(client, demo):
    response = client.get("/sitemap-news.xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    assert list(root) == []


# --- robots.txt ----------------------------------------------------------------------------------------


def test_robots_txt_allows_the_site_keeps_out_the_back_office_and_names_the_sitemaps(client, db):
    response = client.get("/robots.txt", HTTP_HOST="news.pingcheng.example", secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /news/preview/" in lines
    assert "Sitemap: https://news.pingcheng.example/sitemap.xml" in lines
    assert "Sitemap: https://news.pingcheng.example/sitemap-news.xml" in lines


def test_robots_txt_refuses_a_post(client, db):
    assert client.post("/robots.txt").status_code == 405
