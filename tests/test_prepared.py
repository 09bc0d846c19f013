"""pingcheng.prepared: a queryset compiled once gives the same rows as the queryset itself, with new values."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Edition, Section
from pingcheng.prepared import PreparedQueries, PreparedQuery
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _articles(section, count):
    now = timezone.now()
    return [
        ArticleFactory(section=section, status=Article.Status.PUBLISHED, publish_at=now - timedelta(hours=i))
        for i in range(count)
    ]


def _in_section(*, section: int, before: datetime):
    return (
        Article.objects.filter(section_id=section, publish_at__lte=before)
        .select_related("section")
        .only("pk", "headline", "publish_at", "section__name")
        .order_by("-publish_at", "-pk")
    )


def test_a_prepared_query_returns_the_querysets_rows_with_the_values_given_each_call():
    first, second = Section.objects.create(name="创城", slug="cc"), Section.objects.create(name="基层", slug="jc")
    _articles(first, 3), _articles(second, 2)
    prepared = PreparedQuery(_in_section, section=int, before=datetime)
    now = timezone.now()
    for section in (first, second, first):
        rows = prepared(section=section.pk, before=now)
        expected = list(_in_section(section=section.pk, before=now))
        assert [(a.pk, a.headline, a.publish_at) for a in rows] == [(a.pk, a.headline, a.publish_at) for a in expected]
        # The joined row comes with it, as select_related gives it: no query to read it.
        with CaptureQueriesContext(connection) as captured:
            assert {a.section.name for a in rows} == {section.name}
        assert not captured.captured_queries
    assert prepared(section=first.pk, before=now - timedelta(days=1)) == []


def test_a_list_value_is_compiled_once_per_length_and_a_flat_values_list_gives_values():
    articles = _articles(Section.objects.create(name="创城", slug="cc"), 4)
    prepared = PreparedQuery(
        lambda ids: Article.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True), ids=list
    )
    ids = sorted(a.pk for a in articles)
    assert prepared(ids=ids[:2]) == ids[:2]
    assert prepared(ids=ids[1:4]) == ids[1:4]
    assert prepared(ids=[ids[3], ids[0]]) == [ids[0], ids[3]]


def test_a_value_the_compiled_sql_does_not_carry_as_a_parameter_is_refused():
    # The query carries a value computed from ``n``, not ``n``: each call would run the first call's value.
    prepared = PreparedQuery(lambda n: Article.objects.filter(char_count__gt=n + 1), n=int)
    with pytest.raises(ValueError, match="not parameters"):
        prepared(n=3)


def test_a_date_value_is_prepared_like_a_time():
    for day in (date(2026, 7, 16), date(2026, 7, 17), date(2026, 7, 18)):
        Edition.objects.create(date=day, number=day.day)
    prepared = PreparedQuery(
        lambda day: Edition.objects.filter(date__lt=day).order_by("-date").values_list("date", flat=True), day=date
    )
    assert prepared(day=date(2026, 7, 18)) == [date(2026, 7, 17), date(2026, 7, 16)]
    assert prepared(day=date(2026, 7, 16)) == []


def test_annotations_come_with_the_rows():
    section = Section.objects.create(name="创城", slug="cc")
    articles = _articles(section, 2)
    newest = Article.objects.filter(section_id=OuterRef("section_id")).order_by("-publish_at").values("headline")[:1]
    prepared = PreparedQuery(
        lambda section: (
            Article.objects.filter(section_id=section).annotate(newest_headline=Subquery(newest)).order_by("pk")
        ),
        section=int,
    )
    rows = prepared(section=section.pk)
    assert [a.pk for a in rows] == sorted(a.pk for a in articles)
    assert {a.newest_headline for a in rows} == {articles[0].headline}


def test_prepared_queries_keep_one_query_per_key_and_drop_the_least_recently_used():
    section = Section.objects.create(name="创城", slug="cc")
    _articles(section, 2)
    kept = PreparedQueries(kept=2)
    builds = []

    def build_for(key):
        def build(*, section: int, before: datetime):
            builds.append(key)
            return _in_section(section=section, before=before)

        return build

    now = timezone.now()
    first = kept.get("a", build_for("a"), section=int, before=datetime)
    assert kept.get("a", build_for("a"), section=int, before=datetime) is first
    assert len(first(section=section.pk, before=now)) == 2
    kept.get("b", build_for("b"), section=int, before=datetime)
    assert kept.get("a", build_for("a"), section=int, before=datetime) is first  # "a" is now the most recent
    kept.get("c", build_for("c"), section=int, before=datetime)  # drops "b", the least recently used

    assert kept.get("a", build_for("a"), section=int, before=datetime) is first
    assert kept.get("b", build_for("b"), section=int, before=datetime) is not None
    assert kept.get("c", build_for("c"), section=int, before=datetime) is not None
    assert len(kept._queries) == 2 and "a" not in kept._queries  # "b" came back and dropped "a"
    assert builds == ["a"]  # a query is built when first run, not when kept


def _live_keys(*, now: datetime):
    return Article.objects.filter(publish_at__lte=now).order_by("-publish_at", "-pk").values_list("pk", flat=True)


def test_a_sliced_query_gives_the_querysets_slice_with_limit_and_offset_as_parameters():
    _articles(Section.objects.create(name="创城", slug="cc"), 7)
    prepared = PreparedQuery(_live_keys, sliced=True, now=datetime)
    now = timezone.now()
    for start, stop in [(0, 3), (2, 5), (5, 20), (7, 9), (3, 3)]:
        with CaptureQueriesContext(connection) as queries:
            assert prepared(now=now, start=start, stop=stop) == list(_live_keys(now=now)[start:stop])
        assert "LIMIT 123456789" not in queries[0]["sql"]
    # One compiled statement for every slice: the numbers are parameters, not part of the SQL.
    with CaptureQueriesContext(connection) as queries:
        prepared(now=now, start=0, stop=2), prepared(now=now, start=4, stop=6)
    assert queries[0]["sql"].split("LIMIT")[0] == queries[1]["sql"].split("LIMIT")[0]


def test_a_sliced_query_refuses_a_call_without_a_proper_slice():
    prepared = PreparedQuery(_live_keys, sliced=True, now=datetime)
    for bad in [{"start": 0}, {"start": 5, "stop": 2}, {"start": -1, "stop": 3}]:
        with pytest.raises(ValueError, match="sliced"):
            prepared(now=timezone.now(), **bad)


def test_a_server_prepared_query_gives_the_same_rows_is_logged_and_on_postgresql_is_planned_once():
    first = Section.objects.create(name="创城", slug="cc")
    _articles(first, 3)
    prepared = PreparedQuery(_in_section, section=int, before=datetime, server_prepared=True)
    now = timezone.now()
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            rows = prepared(section=first.pk, before=now)
        assert [(a.pk, a.headline, a.section.name) for a in rows] == [
            (a.pk, a.headline, a.section.name) for a in _in_section(section=first.pk, before=now)
        ]
        assert len(captured.captured_queries) == 1  # counted and logged like any other query, values in place
        assert f"= {first.pk}" in captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                           ['%"articles_section"."name"%'])  # fmt: skip
            statements = [row[0] for row in cursor.fetchall()]
        # One statement for every call, its values bound as $1, $2 (planned once for the connection).
        assert len(statements) == 1 and "$1" in statements[0] and str(first.pk) not in statements[0]
