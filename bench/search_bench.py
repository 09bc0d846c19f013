"""Chinese search: jieba start-up, segmentation speed and, when there are live articles, search latency.

``DEBUG=true .venv/bin/python -m bench.search_bench`` reads the current database (load the demo first with
``DEBUG=true .venv/bin/python manage.py load_demo`` to get search timings); ``make bench`` runs it in the
throwaway database of ``bench/__main__.py``. It writes nothing that it keeps: with ``SEARCH_BENCH_SCALE=5000``
it also times searches over that many copies of the indexed articles, inside a transaction it rolls back.
"""

import os
import statistics
import tempfile
import time

from bench.timing import measure

QUERIES = [
    "网格员", "防汛", "工会经费", "文明周", "创城", "志愿服务", "小微企业", "平城区网格员筑牢防汛安全堤", "游商小贩",
    "非法集资", "回头看", "御锦源社区", "大学生", "党建引领", "邱东芳", "古城", "隐患排查", "返还 条件", "华严广场",
    "没有这个词",
]  # fmt: skip


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _jieba_start_up() -> None:
    import logging

    import jieba

    from pingcheng.chinese import CIVIC_DICT

    jieba.setLogLevel(logging.WARNING)

    # A fresh tokenizer does what the first search of a process does; a private cache folder makes it cold.
    with tempfile.TemporaryDirectory() as folder:
        cold = jieba.Tokenizer()
        cold.tmp_dir = folder
        started = time.perf_counter()
        cold.initialize()
        cold.load_userdict(str(CIVIC_DICT))
        cold_ms = _ms(started)
        warm = jieba.Tokenizer()
        warm.tmp_dir = folder
        started = time.perf_counter()
        warm.initialize()
        warm.load_userdict(str(CIVIC_DICT))
        warm_ms = _ms(started)
    print(f"jieba init + civic dictionary: {cold_ms} ms without jieba's cache file, {warm_ms} ms with it")


def _segmentation_speed() -> None:
    from articles.demo import SEED_PAGE
    from pingcheng.chinese import index_tokens, warm_up

    warm_up()
    text = SEED_PAGE.read_text(encoding="utf-8")
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        words, bigrams = index_tokens(text)
    seconds = time.perf_counter() - started
    tokens = len(words) + len(bigrams)
    print(
        f"segmenting the seed page ({len(text)} characters → {len(words)} words + {len(bigrams)} bigrams): "
        f"{round(tokens * rounds / seconds):,} tokens/s, {round(len(text) * rounds / seconds):,} characters/s"
    )


def _search_latency() -> None:
    from django.db import connection
    from django.test import Client

    from articles.models import Article
    from articles.search import article_search
    from articles.services import article_live_q

    live = Article.objects.filter(article_live_q())
    indexed = live.exclude(search_text="").count()
    if not indexed:
        from django.core.management import call_command

        call_command("load_demo", verbosity=0)  # idempotent; the bench database is a throwaway one
        indexed = live.exclude(search_text="").count()
    for q in QUERIES:  # warm-up: first query plans, caches
        list(article_search(q=q)[:20])
    samples = []
    for q in QUERIES:
        started = time.perf_counter()
        list(article_search(q=q)[:20])
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    print(
        f"{len(QUERIES)} searches over {indexed} indexed of {live.count()} live articles ({connection.vendor}): "
        f"median {statistics.median(samples):.2f} ms, max {samples[-1]:.2f} ms (first 20 results, ranked)"
    )
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.get("/search/", {"q": "网格员"})
    if response.status_code != 200:
        print(f"/search/?q=网格员 answered {response.status_code}; page timing skipped")
        return
    timing = measure(lambda: client.get("/search/", {"q": "网格员"}), repeat=20)
    print(f"/search/?q=网格员 page: median {timing['median_ms']} ms, p90 {timing['p90_ms']} ms")


def _search_latency_at_scale(copies: int) -> None:
    """Searches over ``copies`` clones of the indexed articles (rolled back): how the cost grows with matches."""
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.models import Article
    from articles.search import article_search

    texts = list(Article.objects.exclude(search_text="").values_list("search_text", flat=True))
    if not texts:
        return
    with transaction.atomic():
        now = timezone.now()
        Article.objects.bulk_create(
            (Article(headline=f"bench {n}", status=Article.Status.PUBLISHED, publish_at=now,
                     search_text=texts[n % len(texts)]) for n in range(copies)),
            batch_size=1000,
        )  # fmt: skip
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE articles_article")
        print(f"with {copies} more copies of the {len(texts)} indexed articles ({connection.vendor}):")
        for q in ("口泉河", "工会经费", "网格员", "平城区"):
            matches = article_search(q=q).count()
            started = time.perf_counter()
            list(article_search(q=q)[:20])
            print(f"  {q:<6} {matches:>6} matches: {_ms(started)} ms")
        transaction.set_rollback(True)


def run() -> None:
    from django.db import DatabaseError

    _jieba_start_up()
    try:
        _segmentation_speed()  # reads the directory's unit names, as the first search does
        _search_latency()
        if os.environ.get("SEARCH_BENCH_SCALE"):
            _search_latency_at_scale(int(os.environ["SEARCH_BENCH_SCALE"]))
    except DatabaseError as error:
        print(f"database not ready ({error}): run `manage.py migrate` and `manage.py load_demo` first")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")
    import django

    django.setup()
    run()
