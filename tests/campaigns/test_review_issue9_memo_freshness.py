"""Review of issue 9: what a process keeps of a product (GenerationMemo, Last-Modified) must never outlive the
generation a page is stored under.

A page rendered right after another process announced a change is stored in the shared cache under the new
generation, for PAGE_FRESH seconds: if the process answered it from what it kept of the old generation, every
reader gets the old answer for that minute, not for the fraction of a second the process memos promise.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article
from campaigns import services
from pingcheng import page_cache
from pingcheng.models import PublicChange
from tests.factories import ArticleFactory
from tests.page_text import page_text

pytestmark = pytest.mark.django_db

COVERED = "本文报道的专项活动"


def _live(headline: str, hours_ago: int = 1) -> Article:
    when = timezone.now() - timedelta(hours=hours_ago)
    return ArticleFactory(headline=headline, status=Article.Status.PUBLISHED, publish_at=when, published_at=when)


@pytest.fixture
def slow_memos(monkeypatch):
    # The memos' fraction of a second, made long enough that the test does not race the clock: the page must
    # be right because the process saw the new generation, not because the memo happened to expire.
    monkeypatch.setattr(page_cache, "LOCAL_GENERATIONS_MEMO", 30)


def _announced_by_another_process(product: str) -> None:
    # What page_product_changed does in another process: the record and the shared generation, none of
    # this process's memos.
    PublicChange.objects.update_or_create(product=product, defaults={"changed_at": timezone.now()})
    page_cache.cache.incr(page_cache._generation_key(product))


def test_coverage_linked_by_another_process_is_on_the_article_page_stored_after_it(client, new_activity, people,
                                                                                  slow_memos):  # fmt: skip
    activity = services.activity_save(activity=new_activity(title="汛期巡查"), by=people["grid"],
                                      figures={"patrols": 1})  # fmt: skip
    services.activity_step(activity=activity, by=people["grid"], name="hold")
    story = _live("志愿服务擦亮城市文明底色")
    url = story.get_absolute_url()
    assert COVERED not in client.get(url).text  # this process learns which articles are covered: not this one
    activity.articles.add(story)  # committed by another process, which announces it there
    _announced_by_another_process("campaigns")
    assert COVERED in page_text(client.get(url))
    assert COVERED in page_text(client.get(url))  # and the stored copy readers get next


def test_last_modified_of_a_page_stored_after_another_process_announced_a_change_is_that_change(client, slow_memos):
    _live("网格员筑牢防汛安全堤", hours_ago=3)
    PublicChange.objects.update_or_create(product="news", defaults={"changed_at": timezone.now() - timedelta(hours=2)})
    before = client.get("/news/")["Last-Modified"]
    _announced_by_another_process("news")
    changed = http_date(PublicChange.objects.get(product="news").changed_at.timestamp())
    assert changed != before
    assert client.get("/news/")["Last-Modified"] == changed
    # A reader who has the page from before must not be told it is unchanged.
    assert client.get("/news/", headers={"if-modified-since": before}).status_code == 200
