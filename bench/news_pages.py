"""Public news pages: time to render (cache bypassed) and queries per page, with the seed page plus 200 articles."""

from datetime import timedelta

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.timing import measure

PAGES = ["/", "/news/", "/news/6/", "/news/section/chuangcheng/", "/news/units/xinwang/", "/epaper/2025-07-18/"]


def _add_articles(count: int) -> None:
    from articles.models import Article, Section

    section = Section.objects.get(slug="chuangcheng")
    now = timezone.now()
    Article.objects.bulk_create(
        Article(headline=f"平城区创城工作第{i}篇", body="<p>" + "文明城市创建" * 50 + "</p>", char_count=300,
                status=Article.Status.PUBLISHED, publish_at=now - timedelta(minutes=i), published_at=now,
                section=section)  # fmt: skip
        for i in range(count)
    )


def run() -> None:
    call_command("load_demo", verbosity=0)
    _add_articles(200)
    client = Client()
    print(f"{'page':<32}{'queries':>8}{'median ms':>12}{'p90 ms':>10}")
    for path in PAGES:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        query_count = len(queries)  # read now: the next request resets Django's query log

        def render(path=path):
            cache.clear()
            client.get(path)

        timing = measure(render, repeat=20)
        print(f"{path:<32}{query_count:>8}{timing['median_ms']:>12}{timing['p90_ms']:>10}")
    cached = measure(lambda: client.get("/news/"), repeat=50)
    print(f"{'/news/ (from the page cache)':<32}{'':>8}{cached['median_ms']:>12}{cached['p90_ms']:>10}")
