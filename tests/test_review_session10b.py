"""Review of 382485f (the front page's slot choices kept per news generation) and 48cdb5f (the public pages'
reads prepared by PostgreSQL, ``PreparedQuery(server_prepared=True)``).

A statement PostgreSQL prepared keeps the type of each result column it was planned with: when another
connection changes the type of a column the statement selects (a migration widening ``headline``'s
``max_length``, run while the running web and Celery processes keep serving), the next execution fails with
"cached plan must not change result type" — and so does every later one on that connection, because psycopg
keeps the statement and Django keeps a connection that is still usable (up to ``CONN_MAX_AGE``, 60 s by
default, per gunicorn thread and Celery process). The same read bound on the client (Django's own cursors,
the code before 48cdb5f) is simply planned again and answers. psycopg drops its statements after DDL only when
the DDL runs on the same connection. Fixed in pingcheng/prepared.py: outside a transaction the statements are
dropped and the read prepared again; inside one the error fails that transaction, whose rollback drops them.
"""

from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from articles import selectors
from articles.front_page import front_page_build
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("requires_postgresql")]


def _live(headline: str, hours_ago: int = 1) -> Article:
    when = timezone.now() - timedelta(hours=hours_ago)
    return ArticleFactory(headline=headline, status=Article.Status.PUBLISHED, publish_at=when, published_at=when)


def _other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(dbname=settings["NAME"], host=settings["HOST"] or None, port=settings["PORT"] or None,
                           user=settings["USER"] or None, password=settings["PASSWORD"] or None,
                           autocommit=True)  # fmt: skip


@contextmanager
def _headline_widened_elsewhere():
    """``Article.headline`` made 50 characters longer by another connection (a deploy's ``migrate``), then put
    back, with this process's connection replaced (its statements are broken)."""
    length = Article._meta.get_field("headline").max_length
    with _other_connection() as other:
        other.execute(f"ALTER TABLE articles_article ALTER COLUMN headline TYPE varchar({length + 50})")
    try:
        yield
    finally:
        connection.close()
        with _other_connection() as other:
            other.execute(f"ALTER TABLE articles_article ALTER COLUMN headline TYPE varchar({length})")


def _answer(read) -> str:
    try:
        return read()
    except Exception as error:  # noqa: BLE001 — the error is the answer compared
        return f"{type(error).__name__}: {error}"


def test_the_article_row_is_read_after_another_connection_widened_a_column_it_selects():
    first, second = _live("第一篇"), _live("第二篇")
    assert selectors.article_detail(first.pk).headline == "第一篇"  # prepared on this connection
    with _headline_widened_elsewhere():
        answers = []
        for _request in range(2):
            answers.append(_answer(lambda: selectors.article_detail(second.pk).headline))
            # What Django does at the end of each request: the connection is usable and young, so it is kept.
            connection.close_if_unusable_or_obsolete()
        # The ORM's own read of the same row, bound on the client, is planned again and answers.
        assert Article.objects.get(pk=second.pk).headline == "第二篇"
        assert answers == ["第二篇", "第二篇"], answers


def test_the_front_page_is_built_after_another_connection_widened_a_column_its_pool_selects():
    for hours in range(3):
        _live(f"要闻{hours}", hours_ago=hours + 1)
    assert front_page_build().lead is not None  # the pool and the 头条 prepared on this connection
    with _headline_widened_elsewhere():
        answer = _answer(lambda: front_page_build().lead.headline)
        assert answer == "要闻0"


def test_the_article_page_answers_after_another_connection_widened_a_column_it_selects(client):
    first, second = _live("第一篇"), _live("第二篇")
    assert client.get(f"/news/{first.pk}/").status_code == 200
    client.raise_request_exception = False
    with _headline_widened_elsewhere():
        response = client.get(f"/news/{second.pk}/")
        assert response.status_code == 200, "the public article page fails (500) until the connection is replaced"


def test_inside_a_transaction_the_changed_column_fails_that_transaction_only_and_the_next_read_answers():
    from django.db import transaction

    first, second = _live("第一篇"), _live("第二篇")
    assert selectors.article_detail(first.pk).headline == "第一篇"  # prepared on this connection
    with _headline_widened_elsewhere():
        with pytest.raises(Exception, match="cached plan must not change result type"), transaction.atomic():
            selectors.article_detail(second.pk)
        # The rollback dropped the connection's statements: the next read prepares again and answers.
        assert selectors.article_detail(second.pk).headline == "第二篇"
