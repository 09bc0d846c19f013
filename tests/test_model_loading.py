"""``pingcheng.model_loading.from_db_direct``: articles read without ``Model.__init__`` behave as Django's own."""

import pickle

import pytest
from django.db.models.base import Model
from django.db.models.signals import post_init

from articles.models import Article, Section, Series
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    section = Section.objects.create(name="要闻", slug="yaowen")
    series = Series.objects.create(title="继往开来担使命", slug="jiwang")
    return ArticleFactory(section=section, series=series, series_part=5, lead="闻“汛”而动", tags="防汛")


def _by_django(queryset) -> Article:
    """The same row built the usual way (Model.from_db → Model.__init__)."""
    original = Article.__dict__["from_db"]
    Article.from_db = classmethod(Model.from_db.__func__)
    try:
        return queryset.get()
    finally:
        Article.from_db = original


def _state(instance) -> dict:
    return {key: value for key, value in vars(instance).items() if key != "_state"}


def test_a_whole_row_is_loaded_as_django_loads_it(article):
    rows = Article.objects.filter(pk=article.pk)
    ours, theirs = rows.get(), _by_django(rows)
    assert _state(ours) == _state(theirs) and ours.get_deferred_fields() == set()
    assert (ours._state.adding, ours._state.db) == (False, "default")
    assert ours == theirs and ours.pk == article.pk


def test_columns_not_read_are_deferred_and_load_on_access(article, django_assert_num_queries):
    ours = Article.objects.only("headline", "section").get(pk=article.pk)
    theirs = _by_django(Article.objects.only("headline", "section").filter(pk=article.pk))
    assert ours.get_deferred_fields() == theirs.get_deferred_fields()
    assert "lead" in ours.get_deferred_fields() and "headline" not in ours.get_deferred_fields()
    with django_assert_num_queries(1):
        assert ours.lead == "闻“汛”而动"
    with django_assert_num_queries(1):
        assert ours.section.name == "要闻"


def test_related_rows_read_with_it_are_cached(article, django_assert_num_queries):
    with django_assert_num_queries(1):
        ours = Article.objects.select_related("series").only("headline", "series__title").get(pk=article.pk)
        assert ours.series.title == "继往开来担使命"
        assert ours.series_id == article.series_id


def test_saving_a_partly_read_article_writes_only_what_was_read(article):
    ours = Article.objects.only("headline").get(pk=article.pk)
    ours.headline = "平城区网格员筑牢防汛安全堤"
    ours.save()
    stored = Article.objects.get(pk=article.pk)
    assert stored.headline == "平城区网格员筑牢防汛安全堤"
    assert (stored.lead, stored.tags, stored.series_part) == ("闻“汛”而动", "防汛", 5)


def test_an_article_read_that_way_survives_pickling(article):
    ours = Article.objects.only("headline").get(pk=article.pk)
    again = pickle.loads(pickle.dumps(ours))
    assert again.headline == ours.headline and again.get_deferred_fields() == ours.get_deferred_fields()


def test_with_an_init_receiver_the_usual_way_runs_it(article):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Article)
    try:
        Article.objects.filter(pk=article.pk).get()
    finally:
        post_init.disconnect(receiver, sender=Article)
    assert seen == [article.pk]
