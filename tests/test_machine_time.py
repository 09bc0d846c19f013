"""Every <time datetime> holds a time the HTML standard accepts: to the second, in Beijing time."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def test_a_time_saved_with_microseconds_prints_to_the_second_in_beijing_time():
    moment = datetime.datetime(2026, 7, 18, 1, 2, 3, 450407, tzinfo=UTC)
    assert Template("{{ moment|machine_time }}").render(Context({"moment": moment})) == "2026-07-18T09:02:03+08:00"


def test_a_day_and_nothing_print_as_a_day_and_as_nothing():
    rendered = Template("{{ day|machine_time }}|{{ nothing|machine_time }}")
    assert rendered.render(Context({"day": datetime.date(2026, 10, 1), "nothing": None})) == "2026-10-01|"


def test_an_article_published_now_has_valid_machine_times_on_its_pages(client):
    now = timezone.now().replace(microsecond=123456)
    article = ArticleFactory(status=Article.Status.PUBLISHED, publish_at=now, published_at=now)
    for path in (article.get_absolute_url(), "/news/", "/"):
        times = re.findall(r'datetime="([^"]*)"', client.get(path).text)
        assert times, path
        assert not [value for value in times if re.search(r"\.\d{4,}", value)], (path, times)
