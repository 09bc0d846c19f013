"""The benchmark corpus generator (bench/corpus.py) builds a coherent newsroom, so the bench cannot rot silently.

A small corpus on the test database: counts, statuses, credits, figures, search tokens identical to what the
search index computes, and the public pages showing what was generated. The corpus is built once for the
module, outside any test's transaction (the generator commits and runs VACUUM ANALYZE, which PostgreSQL refuses
inside one), and the database is emptied again after it, as a transactional test leaves it.
"""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from articles.models import Article, ArticlePhoto, Credit, Edition
from articles.search import article_index, article_search
from bench.corpus import (
    COMMON_WORDS,
    MARKER_NOTE,
    RARE_WORD,
    CorpusRefused,
    corpus_build,
    corpus_census,
    corpus_render,
)
from pingcheng.richtext import clean_article_html, plain_text

pytestmark = pytest.mark.django_db

SIZE = 300


def silent(_line: str) -> None:
    pass


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        cache.clear()
        stats = corpus_build(articles=SIZE, seed=7, batch_size=120, workers=1, log=silent)
        yield stats, list(Article.objects.filter(events__note=MARKER_NOTE, events__action="created").order_by("pk"))
        call_command("flush", interactive=False, verbosity=0)
        cache.clear()


def test_the_corpus_has_the_size_asked_for_beside_the_demo_page(corpus):
    stats, generated = corpus
    assert stats.articles == len(generated) == SIZE
    assert Article.objects.count() == SIZE + 10
    assert corpus_census() == (SIZE, 0)
    assert stats.credits == Credit.objects.filter(article__in=generated).count()
    assert stats.figures == ArticlePhoto.objects.filter(article__in=generated).count()


def test_most_generated_articles_are_published_over_years_and_some_are_still_in_the_works(corpus):
    _stats, generated = corpus
    statuses = {row["status"]: row["n"] for row in Article.objects.filter(pk__in=[a.pk for a in generated])
                .values("status").annotate(n=Count("pk"))}  # fmt: skip
    assert statuses["published"] > SIZE * 0.85
    assert set(statuses) <= {"published", "draft", "first_review", "final_review", "scheduled", "withdrawn"}
    published = [a for a in generated if a.status == "published"]
    assert (max(a.publish_at for a in published) - min(a.publish_at for a in published)).days > 365
    assert all(a.published_at == a.publish_at and a.created_at < a.publish_at for a in published)
    assert all(a.publish_at is None for a in generated if a.status == "draft")


def test_every_generated_article_is_credited_and_about_a_third_show_photos(corpus):
    _stats, generated = corpus
    credited = set(Credit.objects.filter(article__in=generated).values_list("article", flat=True))
    assert credited == {a.pk for a in generated}
    assert Credit.objects.filter(article__in=generated, role="记者").count() >= SIZE
    with_figures = set(ArticlePhoto.objects.filter(article__in=generated).values_list("article", flat=True))
    assert SIZE * 0.2 < len(with_figures) < SIZE * 0.5
    # The one credited 摄影 took the lead photo.
    for credit in Credit.objects.filter(article__in=generated, role="摄影").select_related("article"):
        lead = credit.article.figures.order_by("order").first()
        assert lead is not None and lead.photo.credit_id == credit.contributor_id


def test_bodies_are_clean_html_of_about_two_kilobytes_built_from_the_seed_page(corpus):
    _stats, generated = corpus
    sizes = [len(a.body.encode()) for a in generated]
    assert 1500 < sum(sizes) / len(sizes) < 3500
    demo_text = " ".join(plain_text(a.body) for a in Article.objects.exclude(pk__in=[g.pk for g in generated]))
    for article in generated[:: len(generated) // 10]:
        assert clean_article_html(article.body) == article.body
        first_sentence = re.match(r"[^。！？]+[。！？]", plain_text(article.body)).group()
        assert first_sentence.strip("”") in demo_text


def test_stored_search_tokens_are_the_search_index_s_own(corpus):
    _stats, generated = corpus
    for article in Article.objects.filter(pk__in=[a.pk for a in generated[::15]]).select_related("series"):
        stored = article.search_text
        article_index(article)
        assert article.search_text == stored, article.pk


def test_search_finds_generated_articles_for_common_and_rare_words(corpus):
    _stats, generated = corpus
    generated_ids = {a.pk for a in generated}
    for word in COMMON_WORDS:
        found = set(article_search(q=word).values_list("pk", flat=True))
        assert found & generated_ids, word
    # The rare word is on the seed page, so at least its demo article is found.
    assert article_search(q=RARE_WORD).exists()
    page = Client().get("/search/", {"q": COMMON_WORDS[0]})
    assert page.status_code == 200
    linked = {int(pk) for pk in re.findall(r'href="/news/(\d+)/"', page.content.decode())}
    assert linked & generated_ids


def test_live_generated_articles_show_on_the_public_pages(corpus):
    _stats, generated = corpus
    client = Client()
    newest = Article.objects.filter(pk__in=[a.pk for a in generated], status="published").order_by("-publish_at").first()
    listing = client.get("/news/")
    assert listing.status_code == 200
    assert f'href="/news/{newest.pk}/"' in listing.content.decode()
    assert client.get("/").status_code == 200

    shown = Article.objects.filter(pk__in=[a.pk for a in generated], status="published", figures__isnull=False).first()
    page = client.get(f"/news/{shown.pk}/")
    assert page.status_code == 200
    reporter = shown.credits.filter(role="记者").first().contributor.name
    assert reporter in page.content.decode()

    draft = next(a for a in generated if a.status == "draft")
    assert client.get(f"/news/{draft.pk}/").status_code == 404


def test_recent_editions_print_generated_articles(corpus):
    edition = Edition.objects.filter(pages__articles__status="published").order_by("-date").first()
    assert edition is not None and edition.number > 1268
    assert Client().get(f"/epaper/{edition.date:%Y-%m-%d}/").status_code == 200


def test_series_parts_run_in_publication_order(corpus):
    _stats, generated = corpus
    parts = [(a.series_id, a.series_part) for a in sorted(generated, key=lambda a: a.publish_at or a.created_at)
             if a.series_id]  # fmt: skip
    assert parts, "no series part at this size"
    by_series: dict[int, list[int]] = {}
    for series_id, part in parts:
        by_series.setdefault(series_id, []).append(part)
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_series.values())


def test_derived_fields_are_stored_for_every_generated_article(corpus):
    rendering = pytest.importorskip("articles.rendering")
    _stats, generated = corpus
    published = Article.objects.filter(pk__in=[a.pk for a in generated], status="published")
    for field in rendering.RENDERED_FIELDS:
        assert not published.filter(**{field: Article._meta.get_field(field).get_default()}).exists(), field


def test_a_second_run_leaves_a_built_corpus_alone_and_refuses_another_size(corpus):
    corpus_build(articles=SIZE, seed=7, workers=1, log=silent)
    assert corpus_census() == (SIZE, 0)
    with pytest.raises(CorpusRefused):
        corpus_build(articles=SIZE + 1, workers=1, log=silent)


@pytest.mark.django_db(transaction=True)
def test_articles_it_did_not_make_are_refused_unless_fresh():
    corpus_build(articles=20, fresh=True, seed=5, workers=1, log=silent)
    Article.objects.create(headline="编辑部自己的稿件")
    with pytest.raises(CorpusRefused):
        corpus_build(articles=SIZE, workers=1, log=silent)
    stats = corpus_build(articles=50, fresh=True, seed=8, workers=1, log=silent)
    assert stats.articles == 50
    assert corpus_census() == (50, 0)
    assert not Article.objects.filter(headline="编辑部自己的稿件").exists()
    assert Article.objects.count() == 50 + 10


@pytest.mark.django_db(transaction=True)
def test_render_stores_the_derived_fields_of_every_article_again():
    rendering = pytest.importorskip("articles.rendering")
    corpus_build(articles=30, fresh=True, seed=9, workers=1, log=silent)
    fields = [f for f in rendering.RENDERED_FIELDS if f != "rendered_at"]
    before = {row["pk"]: row for row in Article.objects.values("pk", *fields)}
    Article.objects.update(**{field: Article._meta.get_field(field).get_default() for field in fields})
    stats = corpus_render(workers=1, log=silent)
    assert stats.articles == len(before)
    assert {row["pk"]: row for row in Article.objects.values("pk", *fields)} == before


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_load_the_same_corpus_shape_on_postgresql(requires_postgresql):
    stats = corpus_build(articles=240, fresh=True, seed=3, batch_size=60, workers=2, log=silent)
    assert stats.articles == 240
    assert corpus_census() == (240, 0)
    from django.db import connection

    with connection.cursor() as cursor:
        # The indexes dropped for the load are all back.
        cursor.execute("SELECT to_regclass('bench_corpus_deferred_index'), to_regclass('article_search_idx')")
        assert cursor.fetchone() == (None, "article_search_idx")
    sample = Article.objects.filter(events__note=MARKER_NOTE).select_related("series").first()
    stored = sample.search_text
    article_index(sample)
    assert sample.search_text == stored
