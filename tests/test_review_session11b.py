"""Review of the performance commits 8ccd983..fd6b6c6 (session 11b).

The test marked FINDING fails at fd6b6c6; the others pass and record what the review tried to break: articles
read without ``Model.__init__`` through every loading path Django has, the front page's campaign strip after a
change and at the turn of the year, the list dates at the turn of the year, the news list's deep and past-the-
end pages read with and without building the queryset, readers' and staff's requests under the audit middleware.
"""

import copy
import pickle
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count
from django.db.models.base import Model
from django.test import override_settings
from django.urls import set_script_prefix
from django.utils import timezone

from articles.models import Article, Credit, Section
from campaigns.models import Campaign, CampaignType
from pingcheng.page_cache import page_product_changed
from tests.factories import ArticleFactory, ContributorFactory, district

pytestmark = pytest.mark.django_db
S = Article.Status
STRIP = re.compile(r'<section aria-labelledby="campaigns-now-title".*?</section>', re.S)


@pytest.fixture
def running():
    kind = CampaignType.objects.create(name="防汛", slug="fangxun")
    today = timezone.localdate()
    return Campaign.objects.create(title="平城区汛期网格巡查", slug="xunqi", campaign_type=kind,
                                   level=Campaign.Level.DISTRICT, lead_unit=district(),
                                   starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=60))  # fmt: skip


def _strip(client) -> str:
    found = STRIP.search(client.get("/").text)
    assert found, "the front page shows no current campaigns"
    return found.group(0)


# --- FINDING: the campaign strip memo (85694c4) ignores the script prefix ------------------------------------


def test_the_campaign_strip_follows_the_script_prefix_like_the_rest_of_the_front_page(client, running, settings):
    """campaign_links._last_strip is keyed by the list of current campaigns and the year only: a strip rendered
    under one script prefix is printed under another, with its links (全部活动, each campaign) missing the
    prefix. Every other memo of printed URLs keys by ``get_script_prefix()`` and ``get_urlconf()``
    (pingcheng.url_memo, pingcheng.templatetags.site_shell); before 85694c4 the strip was rendered per view."""
    settings.PAGE_CACHE_ENABLED = False  # the test client gives both requests the same path: no page cache
    assert 'href="/campaigns/"' in _strip(client)
    set_script_prefix("/pingcheng/")
    try:
        with override_settings(FORCE_SCRIPT_NAME="/pingcheng"):
            strip = _strip(client)
    finally:
        set_script_prefix("/")
    assert 'href="/pingcheng/campaigns/"' in strip and 'href="/pingcheng/campaigns/xunqi/"' in strip, strip


# --- What the review tried and found right -------------------------------------------------------------------


def test_the_campaign_strip_follows_a_new_end_date_and_an_unpublished_campaign(client, running, settings, monkeypatch):
    settings.PAGE_CACHE_ENABLED = False
    assert "平城区汛期网格巡查" in _strip(client)
    # Extended into next year: the end date now carries its year.
    Campaign.objects.filter(pk=running.pk).update(
        ends_on=timezone.localdate().replace(month=12, day=31) + timedelta(days=1)
    )
    page_product_changed("campaigns")
    strip = _strip(client)
    assert f"至{timezone.localdate().year + 1}年1月1日" in strip
    Campaign.objects.filter(pk=running.pk).update(is_public=False)
    page_product_changed("campaigns")
    assert not STRIP.search(client.get("/").text)


def _by_django(make):
    original = Article.__dict__["from_db"]
    Article.from_db = classmethod(Model.from_db.__func__)
    try:
        return make()
    finally:
        Article.from_db = original


def _state(instance) -> tuple:
    values = {key: value for key, value in vars(instance).items() if key not in ("_state", "_prefetched_objects_cache")}
    return values, instance._state.adding, instance._state.db, set(instance._state.fields_cache)


@pytest.mark.parametrize("path", ["raw_reordered", "raw_star", "only", "defer", "select_related", "annotate",
                                  "through_credit", "iterator", "prefetch"])  # fmt: skip
def test_an_article_read_by_any_path_is_the_instance_django_builds(path):
    section = Section.objects.create(name="要闻", slug="yaowen")
    article = ArticleFactory(section=section, lead="闻“汛”而动", tags="防汛")
    Credit.objects.create(article=article, contributor=ContributorFactory(), role=Credit.Role.REPORTER)
    pk = article.pk
    make = {
        "raw_reordered": lambda: list(
            Article.objects.raw(
                "SELECT headline, section_id, id, 7 AS extra, lead FROM articles_article WHERE id = %s", [pk]
            )
        )[0],
        "raw_star": lambda: list(Article.objects.raw("SELECT * FROM articles_article WHERE id = %s", [pk]))[0],
        "only": lambda: Article.objects.only("headline", "section").get(pk=pk),
        "defer": lambda: Article.objects.defer("body", "main_html").get(pk=pk),
        "select_related": lambda: Article.objects.select_related("section", "series", "page__edition").get(pk=pk),
        "annotate": lambda: Article.objects.annotate(n=Count("units")).get(pk=pk),
        "through_credit": lambda: (
            Credit.objects.select_related("article").only("pk", "article__headline").get(article_id=pk).article
        ),
        "iterator": lambda: next(Article.objects.filter(pk=pk).iterator(chunk_size=2)),
        "prefetch": lambda: Article.objects.prefetch_related("units", "credits").get(pk=pk),
    }[path]
    ours, theirs = make(), _by_django(make)
    assert _state(ours) == _state(theirs)
    assert ours.get_deferred_fields() == theirs.get_deferred_fields()
    for again in (pickle.loads(pickle.dumps(ours)), copy.copy(ours), copy.deepcopy(ours)):
        assert again == ours and hash(again) == hash(ours) and again.get_deferred_fields() == ours.get_deferred_fields()


def test_a_partly_read_article_saved_through_the_audit_log_records_only_the_change():
    from auditlog.models import LogEntry

    article = ArticleFactory(lead="旧导语", tags="防汛")
    partial = Article.objects.only("headline", "lead").get(pk=article.pk)
    partial.lead = "新导语"
    partial.save(update_fields=["lead"])
    entry = LogEntry.objects.get_for_object(article).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict == {"lead": ["旧导语", "新导语"]}
    assert Article.objects.get(pk=article.pk).tags == "防汛"


def test_list_dates_turn_with_the_year_in_beijing_time_whatever_was_asked_before(monkeypatch):
    from articles.cards import list_date, this_year

    story = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # 2027-01-01 04:00 in Beijing
    for now, shown in ((datetime(2026, 12, 31, 15, 59, tzinfo=UTC), "2027年1月1日"),
                       (datetime(2026, 12, 31, 16, 1, tzinfo=UTC), "1月1日"),
                       (datetime(2026, 6, 1, tzinfo=UTC), "2027年1月1日")):  # fmt: skip
        monkeypatch.setattr(timezone, "now", lambda now=now: now)
        assert list_date(story) == shown, now
        assert list_date(story, year=this_year()) == shown, now
    with timezone.override("UTC"):
        monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 31, 21, 0, tzinfo=UTC))
        assert list_date(story) == "12月31日"  # the zone in force, as timezone.localtime gave it


def test_the_news_lists_deep_and_past_the_end_pages_match_the_queryset_read(client):
    """The news list (callable object_list with its own key and row reads) against the same list read by
    slicing its queryset: every page from 9 to past the end, page by page."""
    from articles import selectors
    from pingcheng.pagination import CappedPaginator

    now = timezone.now()
    Article.objects.bulk_create([
        Article(headline=f"稿件{i}", status=S.PUBLISHED, publish_at=now - timedelta(minutes=i), published_at=now,
                rendered_at=now, crumbs_html="x", card_html=f"<p>{i}</p>")
        for i in range(230)
    ])  # fmt: skip
    for number in (9, 10, 11, 12, 13, 20):
        lazy = CappedPaginator(lambda: selectors.list_cards(selectors.article_list_live()), 20, max_pages=250,
                               rows_by_keys=selectors.article_cards_by_keys,
                               keys_between=selectors.article_live_keys).get_page(number)  # fmt: skip
        sliced = CappedPaginator(selectors.list_cards(selectors.article_list_live()), 20, max_pages=250).get_page(
            number
        )
        assert [a.pk for a in lazy] == [a.pk for a in sliced], number
        assert (lazy.number, lazy.paginator.count) == (sliced.number, sliced.paginator.count) == (min(number, 12), 230)


def test_a_readers_page_view_writes_no_audit_entry_and_a_staff_edit_still_names_its_address(client, admin_client):
    from auditlog.models import LogEntry

    article = ArticleFactory(status=S.PUBLISHED, publish_at=timezone.now() - timedelta(hours=1),
                             published_at=timezone.now())  # fmt: skip
    Article.objects.filter(pk=article.pk).update(rendered_at=None)  # rendered (and written) on this view
    before = LogEntry.objects.count()
    assert client.get(article.get_absolute_url(), REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.head("/", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert LogEntry.objects.count() == before
    section = Section.objects.create(name="要闻", slug="yaowen")
    response = admin_client.post(f"/admin/articles/section/{section.pk}/change/",
                                 {"name": "平城要闻", "slug": "yaowen", "description": "", "sort_order": 100},
                                 REMOTE_ADDR="198.51.100.7")  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    entry = LogEntry.objects.get_for_object(section).get(action=LogEntry.Action.UPDATE)
    assert entry.remote_addr == "198.51.100.7" and entry.actor is not None
