"""Reading on a phone: phrase-broken headlines, tap-to-call numbers, cards with thumbnails, teasers and dated
years, the series page and the e-paper's date picker and previous issues."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from articles.cards import list_date
from articles.demo import SEED_PAGE
from articles.models import Article, ArticlePhoto, Edition, Page, Series
from articles.print_import import parse_page
from pingcheng.chinese import dictionary_refresh
from pingcheng.page_cache import page_cache_local_clear
from pingcheng.photos.services import photo_create
from tests.factories import ArticleFactory, UnitFactory, district
from tests.page_text import page_text

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
# Words of the seed page's headlines that must never be split across two lines.
WHOLE = ["小微企业", "工会经费", "钱袋子", "网格员", "平城区", "安全堤", "游商小贩", "大学生", "新活力", "新常态",
         "继往开来", "新征程", "小南头街道", "文瀛湖街道"]  # fmt: skip


def _pages_stale():
    """Every cached page is rendered again (the shared cache and this process's copies)."""
    cache.clear()
    page_cache_local_clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seed(demo_page):
    dictionary_refresh()
    # Rendered again with the directory's words known, as a production process renders them.
    Article.objects.update(rendered_at=None)
    _pages_stale()
    return {a.headline: a for a in Article.objects.all()}


def _live(headline="网格员筑牢防汛安全堤", when=None, **fields):
    when = when or timezone.now() - timedelta(hours=1)
    return ArticleFactory(headline=headline, status=Article.Status.PUBLISHED, publish_at=when, published_at=when,
                          **fields)  # fmt: skip


def _photo(caption="网格员巡查河道", alt_text=""):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buffer, "JPEG")
    buffer.seek(0)
    return photo_create(file=buffer, caption=caption, alt_text=alt_text)


# --- headlines break between phrases ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/news/", "/news/section/minsheng/", "/epaper/2025-07-18/"])
def test_no_seed_headline_is_split_inside_a_word_on_the_public_pages(client, seed, path):
    html = client.get(path).text
    assert "<wbr>" in html
    for word in WHOLE:
        for cut in range(1, len(word)):
            assert f"{word[:cut]}<wbr>{word[cut:]}" not in html, (path, word)


def test_the_article_page_marks_its_headline_and_kicker_phrases(client, seed):
    html = client.get(seed["全方位推动小微企业工会经费返还"].get_absolute_url()).text
    assert (
        '<h1 class="headline" id="article-headline"><span class="phrases">全方位<wbr>推动<wbr>小微企业<wbr>工会经费返还</span></h1>'
        in html
    )
    series = client.get(seed["固本强基提高执政能力做到“五个必须”"].get_absolute_url()).text
    assert "继往开来<wbr>担使命 砥砺奋进<wbr>新征程（五）" in series
    # The <title> and the meta tags keep the plain text.
    assert "<title>全方位推动小微企业工会经费返还 - " in html


def test_every_seed_headline_reads_whole_on_the_front_page_and_lists(client, seed):
    drafts = parse_page(SEED_PAGE.read_text(encoding="utf-8"))
    listed = page_text(client.get("/news/"))
    for draft in drafts:
        assert draft.headline in listed


def test_search_results_break_headlines_between_phrases_and_mark_the_query(client, seed):
    html = client.get("/search/", {"q": "小微企业"}).text
    assert '<span class="phrases">全方位<wbr>推动<wbr><mark>小微企业</mark><wbr>工会经费返还</span>' in html


# --- phone numbers ----------------------------------------------------------------------------------------


def test_phone_numbers_in_an_article_are_tap_to_call_links(client, seed):
    article = seed["全方位推动小微企业工会经费返还"]
    html = client.get(article.get_absolute_url()).text
    assert '<a class="tel" href="tel:03525209130">0352-5209130</a>' in html
    assert '<a class="tel" href="tel:18335204270">18335204270</a>' in html
    assert "tel:" in Article.objects.get(pk=article.pk).main_html  # stored, not worked out per view


def test_a_units_contact_numbers_are_tap_to_call_links(client):
    street = UnitFactory(name="新旺街道", code="xinwang", kind="street", parent=district(),
                         public_phones="0352-1234567、12345")  # fmt: skip
    article = _live()
    article.units.add(street)
    html = client.get("/news/units/xinwang/").text
    assert '<a class="tel" href="tel:03521234567">0352-1234567</a>' in html
    assert '<a class="tel" href="tel:12345">12345</a>' in html


def test_numbers_are_never_spread_or_wrapped_by_the_stylesheet():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/site.css").read_text(encoding="utf-8")
    rule = re.search(r"a\.tel,\s*\.tel-run\s*\{(.*?)\}", css, re.S).group(1)
    assert "white-space: nowrap" in rule and "display: inline-block" in rule and "text-indent: 0" in rule
    phrases = re.search(r"\.phrases\s*\{(.*?)\}", css, re.S).group(1)
    assert "word-break: keep-all" in phrases and "overflow-wrap: anywhere" in phrases


# --- list cards -------------------------------------------------------------------------------------------


def test_a_card_carries_a_thumbnail_of_the_articles_photo_with_its_alt_text(client):
    article = _live(headline="河道巡查")
    ArticlePhoto.objects.create(article=article, photo=_photo(alt_text="网格员沿河道查看水位"))
    html = client.get("/news/").text
    card = re.search(r'<li class="card">.*?</li>', html, re.S).group(0)
    assert '<picture class="card-thumb">' in card and 'alt="网格员沿河道查看水位"' in card
    assert 'type="image/webp"' in card and 'loading="lazy"' in card


def test_an_article_marked_for_rendering_shows_its_whole_card_on_its_first_view(client):
    article = _live(headline="河道巡查", lead="网格员沿河巡查。")
    ArticlePhoto.objects.create(article=article, photo=_photo(alt_text="网格员沿河道查看水位"))
    Article.objects.filter(pk=article.pk).update(rendered_at=None, card_html="")  # as after a street's rename
    html = client.get("/news/").text
    assert 'alt="网格员沿河道查看水位"' in html and '<p class="card-teaser">网格员沿河巡查。</p>' in html


def test_a_card_without_a_lead_has_the_bodys_first_sentences_as_teaser(client):
    _live(headline="没有导语的稿件", lead="",
          body="<figure class=\"image\"><img src=\"/x.jpg\" alt=\"\"><figcaption>图为现场。</figcaption></figure>"
               "<p>7月16日，新旺街道组织网格员开展防汛巡查。共排查隐患12处，当场整改9处。</p>"
               "<p>下一步，街道将持续加强巡查，确保辖区安全度汛，" + "坚持问题导向，" * 20 + "不留死角。</p>")  # fmt: skip
    html = client.get("/news/").text
    teaser = re.search(r'<p class="card-teaser">(.*?)</p>', html, re.S).group(1)
    assert teaser == "7月16日，新旺街道组织网格员开展防汛巡查。共排查隐患12处，当场整改9处。"


def test_a_long_lead_is_cut_at_a_sentence_end(client):
    _live(headline="长导语", lead="第一句说明了事情的起因和经过，内容比较长。" * 3 + "最后一句。")
    teaser = re.search(r'<p class="card-teaser">(.*?)</p>', client.get("/news/").text, re.S).group(1)
    assert teaser.endswith("。") and len(teaser) <= 80


def test_list_dates_show_the_year_only_when_it_is_not_this_year(client):
    now = timezone.localtime()
    old = datetime(now.year - 1, 7, 18, 7, 0, tzinfo=BEIJING)
    _live(headline="去年的稿件", when=old)
    recent = _live(headline="今年的稿件", when=now - timedelta(minutes=5))
    html = client.get("/news/").text
    assert f">{now.year - 1}年7月18日</time>" in html
    assert f">{timezone.localtime(recent.publish_at):%-m月%-d日}</time>" in html
    assert f">{now.year}年" not in html.split('<ol class="card-list"', 1)[1].split("</ol>", 1)[0]
    # The stored card holds the short form: the year is decided per view, so it never goes stale.
    assert ">7月18日</time>" in Article.objects.get(headline="去年的稿件").card_html


@pytest.mark.parametrize(
    "moment, shown",
    [
        (datetime(2026, 1, 1, 0, 30, tzinfo=BEIJING), "1月1日"),  # still 2025 in UTC
        (datetime(2025, 12, 31, 23, 30, tzinfo=BEIJING), "2025年12月31日"),  # already 2025-12-31 15:30 UTC
        (datetime(2026, 12, 31, 23, 59, tzinfo=BEIJING), "12月31日"),
        (datetime(2027, 1, 1, 0, 0, tzinfo=BEIJING), "2027年1月1日"),
    ],
)
def test_a_list_date_is_this_years_by_beijing_time(moment, shown):
    year_2026 = (datetime(2026, 1, 1, tzinfo=BEIJING), datetime(2027, 1, 1, tzinfo=BEIJING))
    assert list_date(moment.astimezone(UTC), year=year_2026) == shown


def test_this_year_turns_at_midnight_beijing_time_though_it_keeps_the_bounds_it_made(monkeypatch):
    from articles import cards

    story = datetime(2026, 7, 18, 7, 0, tzinfo=BEIJING)
    for now, shown in ((datetime(2026, 12, 31, 23, 59, tzinfo=BEIJING), "7月18日"),
                       (datetime(2027, 1, 1, 0, 1, tzinfo=BEIJING), "2026年7月18日"),
                       (datetime(2026, 12, 31, 23, 58, tzinfo=BEIJING), "7月18日")):  # fmt: skip
        monkeypatch.setattr(timezone, "now", lambda now=now: now.astimezone(UTC))
        assert list_date(story) == shown, now
        assert cards.this_year()[0].year == now.year


# --- the series page --------------------------------------------------------------------------------------


def test_the_series_page_introduces_the_series_and_lists_its_parts_in_order_with_numbers(client, seed):
    fifth = seed["固本强基提高执政能力做到“五个必须”"]
    series = fifth.series
    _live(headline="第六篇的标题", series=series, series_part=6)
    _live(headline="第三篇的标题", series=series, series_part=3, when=timezone.now() - timedelta(minutes=1))
    _pages_stale()
    html = client.get(series.get_absolute_url()).text
    assert series.description and series.description in html
    labels = re.findall(r'<p class="kicker kicker-series">(.*?)</p>', html)
    assert labels == ["第三篇", "第五篇", "第六篇"]
    text = page_text(html)
    assert text.index("第三篇的标题") < text.index("固本强基提高执政能力") < text.index("第六篇的标题")
    assert "已刊发3篇" in html


def test_a_series_without_a_description_still_says_what_it_is(client):
    series = Series.objects.create(title="走进新时代", slug="zoujin")
    _live(series=series, series_part=1)
    html = client.get(series.get_absolute_url()).text
    assert "是本报的系列报道" in page_text(html) and "第一篇" in html


# --- the e-paper ------------------------------------------------------------------------------------------


def _edition(day: date, number: int, headline: str) -> Edition:
    edition = Edition.objects.create(date=day, number=number)
    page = Page.objects.create(edition=edition, number=1, name="要闻")
    _live(headline=headline, page=page, page_order=1,
          when=datetime(day.year, day.month, day.day, 7, tzinfo=BEIJING))  # fmt: skip
    return edition


def test_an_edition_has_a_date_picker_that_works_without_script(client, seed):
    html = client.get("/epaper/2025-07-18/").text
    form = re.search(r'<form class="epaper-date-form" action="/epaper/date/" method="get".*?</form>', html, re.S).group(
        0
    )
    assert '<input type="date" name="date" id="epaper-date" value="2025-07-18"' in form
    assert 'min="2025-07-18"' in form and 'max="2025-07-18"' in form
    assert '<button class="button" type="submit">' in form


def test_choosing_a_date_with_an_edition_opens_it(client, seed):
    response = client.get("/epaper/date/", {"date": "2025-07-18"})
    assert response.status_code == 302 and response["Location"] == "/epaper/2025-07-18/"


def test_choosing_a_date_without_an_edition_says_so_and_offers_the_nearest(client, seed):
    _edition(date(2025, 7, 21), 1269, "周一的报纸")
    response = client.get("/epaper/date/", {"date": "2025-07-19"})
    assert response.status_code == 200
    assert "2025年7月19日没有出版的报纸" in response.text
    assert 'href="/epaper/2025-07-18/"' in response.text and 'href="/epaper/2025-07-21/"' in response.text
    assert "noindex" in response.text
    # Not a cached page: another date is looked up afresh.
    assert "2025年7月20日没有出版的报纸" in client.get("/epaper/date/", {"date": "2025-07-20"}).text


@pytest.mark.parametrize("value", ["2025-13-40", "yesterday", "2025/07/18", "20250718", "0001-01-01", "9999-12-31",
                                   "9" * 5000])  # fmt: skip
def test_a_bad_date_gets_a_clear_message_not_an_error(client, seed, value):
    response = client.get("/epaper/date/", {"date": value})
    assert response.status_code == 200
    assert "有效的日期" in response.text or "这个日期没有电子版" in response.text


def test_a_nul_in_the_date_is_refused_like_anywhere_on_the_site(client, seed):
    assert client.get("/epaper/date/", {"date": "2025-07-18\x00"}).status_code == 400


def test_the_date_picker_without_a_date_goes_to_the_newest_edition(client, seed):
    assert client.get("/epaper/date/")["Location"] == "/epaper/"


def test_an_edition_lists_the_previous_issues(client, seed):
    _edition(date(2025, 7, 17), 1267, "前一天的报纸")
    _edition(date(2025, 7, 16), 1266, "前两天的报纸")
    _edition(date(2025, 7, 21), 1269, "后一期的报纸")
    _pages_stale()
    html = client.get("/epaper/2025-07-18/").text
    earlier = re.search(r'<section class="epaper-earlier".*?</section>', html, re.S).group(0)
    assert re.findall(r'href="/epaper/([\d-]+)/"', earlier) == ["2025-07-17", "2025-07-16"]
    assert "第1267期" in earlier
    assert 'rel="next" href="/epaper/2025-07-21/"' in html
