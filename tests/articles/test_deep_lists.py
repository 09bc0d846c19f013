"""Deep news list pages (past DEEP_OFFSET_ROWS): the keys first, then the rows by a query compiled once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from pingcheng.pagination import DEEP_OFFSET_ROWS, PAGE_SIZE
from tests.page_text import page_text

pytestmark = pytest.mark.django_db

COUNT = DEEP_OFFSET_ROWS + 3 * PAGE_SIZE


@pytest.fixture
def articles():
    now = timezone.now()
    return Article.objects.bulk_create(
        Article(headline=f"深页稿件{i:04d}号", status=Article.Status.PUBLISHED, publish_at=now - timedelta(hours=i),
                published_at=now)
        for i in range(COUNT)
    )  # fmt: skip


def test_a_deep_page_of_the_news_list_shows_its_rows_in_list_order(client, articles, django_assert_max_num_queries):
    deep = DEEP_OFFSET_ROWS // PAGE_SIZE + 2
    client.get(f"/news/?page={deep}")  # renders the cards once
    with django_assert_max_num_queries(8):
        page = page_text(client.get(f"/news/?page={deep}"))
    shown = [f"深页稿件{i:04d}号" for i in range((deep - 1) * PAGE_SIZE, deep * PAGE_SIZE)]
    positions = [page.index(headline) for headline in shown]
    assert positions == sorted(positions)
    assert f"深页稿件{deep * PAGE_SIZE:04d}号" not in page and f"深页稿件{(deep - 1) * PAGE_SIZE - 1:04d}号" not in page


def test_a_deep_page_leaves_out_an_article_no_longer_live(client, articles):
    deep = DEEP_OFFSET_ROWS // PAGE_SIZE + 1
    first = (deep - 1) * PAGE_SIZE
    Article.objects.filter(headline=f"深页稿件{first:04d}号").update(status=Article.Status.WITHDRAWN)
    page = page_text(client.get(f"/news/?page={deep}"))
    assert f"深页稿件{first:04d}号" not in page and f"深页稿件{first + 1:04d}号" in page
