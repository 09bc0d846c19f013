"""The editor chooses the front page: 头条 and 要闻 slots, pinned or not, expiring or not; the automatic choice
is only the fallback; every story appears once on the page."""

import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from articles import services
from articles.front_page import front_slot_save
from articles.models import Article, ArticlePhoto, FrontSlot
from pingcheng.directory.models import Contributor, Role
from pingcheng.page_cache import page_cache_local_clear
from pingcheng.photos.services import photo_create
from tests.factories import ArticleFactory, ContributorFactory, newsroom, staff

pytestmark = pytest.mark.django_db
ADD = "/admin/articles/frontslot/add/"
LIST = "/admin/articles/frontslot/"
P = FrontSlot.Position


def _pages_stale():
    """Every cached page is rendered again (the shared cache and this process's copies)."""
    cache.clear()
    page_cache_local_clear()


def _live(headline, hours_ago=1, **fields):
    when = timezone.now() - timedelta(hours=hours_ago)
    return ArticleFactory(headline=headline, status=Article.Status.PUBLISHED, publish_at=when, published_at=when,
                          **fields)  # fmt: skip


def _lead(html: str) -> str:
    return re.search(r'<section class="front-lead".*?</section>', html, re.S).group(0)


def _lead_headline(html: str) -> str:
    lead = re.search(r'<section class="front-lead".*?</section>', html, re.S).group(0)
    return re.sub(r"<[^>]+>", "", re.search(r'<h3 class="headline">(.*?)</h3>', lead, re.S).group(1))


def _top_headlines(html: str) -> list[str]:
    block = re.search(r'<section class="front-top".*?</section>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r'<a class="card-link"[^>]*>(.*?)</a>', block, re.S)]


@pytest.fixture
def editor():
    return staff(Role.EDITOR, newsroom(), username="wanglijun", first_name="丽君", last_name="王")


@pytest.fixture
def stories():
    """Eight live stories of today, the newest first: a minute apart, so that they are all of the same day
    (Beijing time) at any hour the suite runs, but the first eight minutes after midnight."""
    return [_live(f"今日新闻{i}", hours_ago=(i + 1) / 60) for i in range(8)]


def _slot(position, article, by, **fields):
    return front_slot_save(slot=FrontSlot(position=position, article=article, **fields), by=by)


def test_the_editors_lead_and_top_stories_replace_the_automatic_choice(client, editor, stories):
    automatic = _lead_headline(client.get("/").text)
    assert automatic == "今日新闻0"
    _slot(P.LEAD, stories[5], editor)
    _slot(P.TOP_2, stories[7], editor)
    _pages_stale()
    html = client.get("/").text
    assert _lead_headline(html) == "今日新闻5"
    top = _top_headlines(html)
    # 要闻二 is the editor's; the others are filled automatically, without the stories already placed.
    assert len(top) == 4 and top[1] == "今日新闻7"
    assert "今日新闻5" not in top


def test_every_story_appears_once_on_the_front_page(client, editor, stories):
    _slot(P.TOP_1, stories[0], editor)
    html = client.get("/").text
    for article in Article.objects.all():
        assert html.count(f'href="{article.get_absolute_url()}"') == 1, article.headline


def test_setting_a_slot_refreshes_the_cached_front_page_at_once(client, editor, stories,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    assert _lead_headline(client.get("/").text) == "今日新闻0"  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        slot = _slot(P.LEAD, stories[3], editor)
    assert _lead_headline(client.get("/").text) == "今日新闻3"
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{LIST}{slot.pk}/delete/", {"post": "yes"})
    client.logout()
    assert _lead_headline(client.get("/").text) == "今日新闻0"


def test_a_revision_or_withdrawal_of_a_slotted_story_reaches_the_front_page_at_once(
    client, editor, stories, django_capture_on_commit_callbacks
):
    chief = staff(Role.CHIEF_EDITOR, newsroom())
    with django_capture_on_commit_callbacks(execute=True):
        _slot(P.LEAD, stories[4], editor)
    assert _lead_headline(client.get("/").text) == "今日新闻4"
    article = Article.objects.get(pk=stories[4].pk)
    article.headline = "今日新闻4（修订）"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(article=article, by=chief, changed_fields={"headline"}, expected_version=article.version)
    assert _lead_headline(client.get("/").text) == "今日新闻4（修订）"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=Article.objects.get(pk=stories[4].pk), by=chief, reason="核实有误")
    assert _lead_headline(client.get("/").text) == "今日新闻0"


def test_an_expired_slot_gives_way_silently(client, editor, stories):
    slot = _slot(P.LEAD, stories[4], editor, expires_at=timezone.now() + timedelta(hours=1))
    assert _lead_headline(client.get("/").text) == "今日新闻4"
    FrontSlot.objects.filter(pk=slot.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    _pages_stale()
    response = client.get("/")
    assert response.status_code == 200 and _lead_headline(response.text) == "今日新闻0"


def test_the_expiry_moves_the_front_pages_last_modified(client, editor, stories):
    slot = _slot(P.LEAD, stories[4], editor, expires_at=timezone.now() + timedelta(hours=1))
    before = client.get("/")["Last-Modified"]
    expired = timezone.now() - timedelta(seconds=5)
    FrontSlot.objects.filter(pk=slot.pk).update(expires_at=expired)
    _pages_stale()
    # A browser holding the page from before the expiry must not be told "not modified".
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=before).status_code == 200


def test_a_slot_whose_article_is_withdrawn_gives_way_silently(client, editor, stories):
    _slot(P.LEAD, stories[2], editor)
    services.article_withdraw(article=stories[2], by=staff(Role.CHIEF_EDITOR, newsroom()), reason="数据有误")
    _pages_stale()
    response = client.get("/")
    assert response.status_code == 200
    assert _lead_headline(response.text) == "今日新闻0" and "今日新闻2" not in response.text


def test_an_unpinned_choice_holds_for_its_day_and_a_pinned_one_stays(client, editor, stories):
    _slot(P.LEAD, stories[6], editor)
    _slot(P.TOP_1, stories[7], editor, pinned=True)
    # Both chosen two days ago: the newest stories are from a later day (today, or yesterday just after midnight).
    FrontSlot.objects.update(set_at=timezone.now() - timedelta(days=2))
    _pages_stale()
    html = client.get("/").text
    assert _lead_headline(html) == "今日新闻0"  # the unpinned lead gave way to today's news
    assert _top_headlines(html)[0] == "今日新闻7"  # the pinned one did not


def test_an_editor_sets_a_slot_in_the_back_office_and_it_is_recorded(client, editor, stories):
    client.force_login(editor)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, {"position": P.LEAD, "article": stories[2].pk, "pinned": "on", "expires_at_0": "",
                                 "expires_at_1": ""})  # fmt: skip
    assert response.status_code == 302
    slot = FrontSlot.objects.get()
    assert slot.article == stories[2] and slot.pinned and slot.set_by == editor
    listing = client.get(LIST).text
    assert "首页显示中" in listing and "今日新闻2" in listing
    assert "王丽君" in listing and "wanglijun" not in listing.split("<tbody", 1)[1]  # a name, not a login


@pytest.mark.parametrize("role", [Role.DEPUTY_CHIEF, Role.CHIEF_EDITOR])
def test_every_review_level_may_choose(client, role, stories):
    client.force_login(staff(role, newsroom()))
    assert client.get(ADD).status_code == 200


@pytest.mark.parametrize("role", [Role.REPORTER, Role.CORRESPONDENT])
def test_reporters_may_not_choose_the_front_page(client, role):
    client.force_login(staff(role, newsroom()))
    assert client.get(ADD).status_code == 403
    assert client.get(LIST).status_code == 403


def test_a_draft_cannot_be_put_on_the_front_page(client, editor, stories):
    draft = ArticleFactory(headline="还在写的草稿")
    client.force_login(editor)
    response = client.post(ADD, {"position": P.LEAD, "article": draft.pk})
    assert response.status_code == 200 and not FrontSlot.objects.exists()
    assert "选择一个有效的选项" in response.text or "只能把已经发布的稿件放上首页" in response.text


def test_a_past_expiry_is_refused_with_a_message(client, editor, stories):
    client.force_login(editor)
    past = timezone.localtime() - timedelta(hours=2)
    response = client.post(ADD, {"position": P.LEAD, "article": stories[0].pk,
                                 "expires_at_0": past.strftime("%Y-%m-%d"), "expires_at_1": past.strftime("%H:%M")})  # fmt: skip
    assert response.status_code == 200 and not FrontSlot.objects.exists()
    assert "到期时间已经过去" in response.text


def test_one_story_holds_one_slot_only(client, editor, stories):
    _slot(P.LEAD, stories[0], editor)
    client.force_login(editor)
    response = client.post(ADD, {"position": P.TOP_1, "article": stories[0].pk})
    assert response.status_code == 200 and FrontSlot.objects.count() == 1
    assert "这篇稿件已经安排在首页的另一个位置" in response.text


def test_the_front_page_costs_a_handful_of_queries_with_slots(client, editor, stories, django_assert_max_num_queries):
    _slot(P.LEAD, stories[5], editor)
    _slot(P.TOP_3, stories[6], editor)
    _pages_stale()
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


def test_the_automatic_lead_is_read_in_full_only_while_it_is_live(stories):
    from articles.selectors import article_front_lead

    lead, photo = article_front_lead(stories[0].pk)
    assert lead.headline == "今日新闻0" and lead.lead == stories[0].lead  # the columns the pool leaves out
    assert photo is None
    services.article_withdraw(article=stories[0], by=staff(Role.CHIEF_EDITOR, newsroom()), reason="核实有误")
    assert article_front_lead(stories[0].pk) == (None, None)


def _with_photos(article, *captions):
    figures, credit = [], Contributor.objects.filter(name="曹飞").first() or ContributorFactory(name="曹飞")
    for order, caption in enumerate(captions):
        buffer = io.BytesIO()
        Image.new("RGB", (800, 600), (90, 130, 170)).save(buffer, "JPEG")
        buffer.seek(0)
        photo = photo_create(file=buffer, caption=caption, alt_text=caption, credit=credit)
        figures.append(ArticlePhoto.objects.create(article=article, photo=photo, order=order))
    return figures


def test_the_automatic_lead_is_the_days_highest_printed_story_with_a_photo_and_leads_with_its_first_photo(
    client, stories, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for order, story in enumerate(stories):
        Article.objects.filter(pk=story.pk).update(page_order=order + 1)
    _with_photos(stories[5], "第二张配图", "第三张配图")[0].delete()  # its first photo is now the 第三张
    _with_photos(stories[3], "御河巡查", "河堤水位")
    _pages_stale()

    html = client.get("/").text
    assert _lead_headline(html) == "今日新闻3"  # printed higher on its page than the other story with photos
    lead = re.search(r'<section class="front-lead".*?</section>', html, re.S).group(0)
    assert 'alt="御河巡查"' in lead and "河堤水位" not in lead and "曹飞摄" in lead


def test_the_lead_and_its_photo_are_read_together_and_a_photo_gone_since_leaves_the_lead_without_one(
    stories, settings, tmp_path
):
    from articles.selectors import article_front_lead

    settings.MEDIA_ROOT = tmp_path / "media"
    figure, second = _with_photos(stories[2], "御河巡查", "河堤水位")
    lead, photo = article_front_lead(stories[2].pk, figure_id=figure.pk)
    assert (lead.headline, lead.lead, photo.caption, photo.credit.name) == (
        "今日新闻2",
        stories[2].lead,
        "御河巡查",
        "曹飞",
    )
    assert article_front_lead(stories[1].pk, figure_id=figure.pk)[1] is None  # another story's photo is not its own
    figure.delete()
    assert article_front_lead(stories[2].pk, figure_id=figure.pk) == (Article.objects.get(pk=stories[2].pk), None)
    services.article_withdraw(article=stories[2], by=staff(Role.CHIEF_EDITOR, newsroom()), reason="核实有误")
    assert article_front_lead(stories[2].pk, figure_id=second.pk) == (None, None)


def test_a_slotted_story_older_than_the_pool_is_read_live_in_one_more_query(
    client, editor, stories, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("articles.front_page.FRONT_POOL", 3)  # stories 3 to 7 are older than the pool
    _with_photos(stories[6], "御河巡查")
    with django_capture_on_commit_callbacks(execute=True):
        _slot(P.LEAD, stories[6], editor)
        _slot(P.TOP_2, stories[7], editor)
    settings.PAGE_CACHE_ENABLED = False
    client.get("/")  # the process keeps the slots
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").text
    assert _lead_headline(html) == "今日新闻6" and 'alt="御河巡查"' in _lead(html)
    assert _top_headlines(html)[1] == "今日新闻7"
    article_reads = [q for q in captured.captured_queries if q["sql"].startswith('SELECT "articles_article')]
    assert len(article_reads) == 3 + (connection.vendor != "postgresql")  # pool, the older slotted, the lead
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=stories[7], by=staff(Role.CHIEF_EDITOR, newsroom()), reason="核实有误")
    assert "今日新闻7" not in client.get("/").text
