"""PostgreSQL timestamps are read through psycopg's C loader, and read the same as through Django's own."""

import datetime

import pytest
from django.db import connection

from articles.models import Article
from pingcheng.db_timestamps import _fast_loader_class
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def test_connections_read_timestamps_through_the_c_loader(requires_postgresql):
    connection.ensure_connection()
    assert _fast_loader_class() is not None, "psycopg[binary] is pinned: its C loader must be there"
    assert connection.connection.adapters.get_loader(1184, 0) is _fast_loader_class()
    with connection.cursor() as cursor:
        # Django's cursor factory keeps the connection's loader only when its time zone matches Django's.
        assert cursor.cursor.adapters.get_loader(1184, 0) is _fast_loader_class()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01 12:00:00.123456+08", datetime.datetime(2026, 1, 1, 4, 0, 0, 123456, tzinfo=UTC)),
        ("1900-01-01 00:00+08", datetime.datetime(1899, 12, 31, 16, 0, tzinfo=UTC)),
        ("2026-07-01 00:00:00.5+05:30", datetime.datetime(2026, 6, 30, 18, 30, 0, 500000, tzinfo=UTC)),
        ("9999-12-31 23:59:59.999999+00", datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_timestamps_come_back_aware_in_utc_as_django_reads_them(requires_postgresql, text, expected):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [text])
        value = cursor.fetchone()[0]
    assert value == expected and value.tzinfo is UTC


def test_a_saved_time_reads_back_unchanged(requires_postgresql):
    moment = datetime.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
    article = ArticleFactory(publish_at=moment, status=Article.Status.PUBLISHED)
    assert Article.objects.values_list("publish_at", flat=True).get(pk=article.pk) == moment
