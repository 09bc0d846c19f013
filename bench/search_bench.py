"""Chinese search: jieba start-up, segmentation speed, and the search page at the size of the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingcheng_bench python -m bench.search_bench

reads the articles already in DATABASE_URL (bench/corpus.py builds 100,000 of them; it writes nothing);
``make bench`` runs it in the throwaway database of ``bench/__main__.py`` (the demo page, ten articles).

For each query — common words, a rare one, two words, a long headline, a single Hanzi, one that matches
nothing — it prints what the page reports (matches, "200+" when more matched than a search ranks), the SQL
queries the page takes, the CPU one page costs the server (this process, where Django and SQLite run, plus its
PostgreSQL backend when that runs on this machine: a figure other load on the machine hardly moves), and its
server-side time: the whole request through Django's test Client (middleware, the search selector, fetching
the shown rows, rendering), p50/p95 for one client, then for ``CLIENTS`` concurrent clients — separate
processes, each with its own database connection, all running the query list in their own order at once, as
that many readers would keep a two-core server busy. Other work on the machine slows the concurrent figures
(the load average before that run is printed with them).
"""

import io
import os
import random
import statistics
import tempfile
import time

CLIENTS = 8
QUERIES = [
    ("common", "网格员"),
    ("common", "防汛"),
    ("common", "工会经费"),
    ("common", "志愿服务"),
    ("less common", "京津冀"),
    ("rare", "勠力同心"),  # bench.corpus.RARE_WORD: one article in 2,000
    ("two words", "网格员 防汛"),
    ("two words", "工会经费 小微企业"),
    ("headline", "平城区网格员筑牢防汛安全堤"),
    ("one Hanzi", "堤"),
    ("no match", "航天飞机"),
]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


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


def _page(client, q: str):
    response = client.get("/search/", {"q": q})
    if response.status_code != 200:
        raise RuntimeError(f"/search/?q={q} answered {response.status_code}")
    return response


def _page_facts(client, q: str) -> tuple[str, int]:
    """What the page says it found, and how many SQL queries it took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = _page(client, q)
    context = response.context
    page = context.get("page_obj") if context else None
    if page is None:
        found = "0"
    else:
        found = f"{page.paginator.count}+" if context.get("more") else str(page.paginator.count)
    return found, len(queries)


def _backend_cpu_reader():
    """A function returning the CPU seconds the connection's PostgreSQL backend has used so far, when that
    process runs on this machine (its /proc entry is readable); None for SQLite, which runs in this process."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    stat = f"/proc/{pid}/stat"
    if not os.path.exists(stat):
        return None
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        with open(stat) as file:
            fields = file.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime and stime, after the command name

    return read


def _cpu_per_page(client, q: str, repeat: int) -> float:
    """Milliseconds of CPU one page costs the server: this process (Django; SQLite too) plus its backend."""
    backend = _backend_cpu_reader()
    _page(client, q)  # the connection the reader looked at is the one the pages use
    started, backend_started = time.process_time(), backend() if backend else 0.0
    for _ in range(repeat):
        _page(client, q)
    used = time.process_time() - started + ((backend() - backend_started) if backend else 0.0)
    return used / repeat * 1000


def _client_process(queries: list[str], rounds: int, seed: int, start_at: float, pipe) -> None:
    """One concurrent reader: its own connection (opened on first use), the queries in its own order."""
    from django.test import Client

    client = Client()
    rng = random.Random(seed)
    samples: list[tuple[str, float]] = []
    try:
        time.sleep(max(0.0, start_at - time.time()))
        for _ in range(rounds):
            order = list(queries)
            rng.shuffle(order)
            for q in order:
                started = time.perf_counter()
                _page(client, q)
                samples.append((q, (time.perf_counter() - started) * 1000))
        pipe.send(samples)
    except Exception as error:  # noqa: BLE001 — any failure is sent to the parent, which reports it
        pipe.send(error)
    finally:
        pipe.close()


def _concurrent(queries: list[str], *, clients: int, rounds: int) -> tuple[dict[str, list[float]], float]:
    """Per query, the times every client saw; and the pages served per second over the whole run."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each process opens its own connection; none shares the parent's socket
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 0.5
    pipes, processes = [], []
    for number in range(clients):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_client_process, args=(queries, rounds, number, start_at, sender))
        process.start()
        sender.close()
        pipes.append(receiver)
        processes.append(process)
    by_query: dict[str, list[float]] = {q: [] for q in queries}
    errors = []
    for receiver in pipes:
        result = receiver.recv()
        if isinstance(result, Exception):
            errors.append(result)
            continue
        for q, ms in result:
            by_query[q].append(ms)
    for process in processes:
        process.join()
    elapsed = time.time() - start_at
    if errors:
        raise RuntimeError(f"{len(errors)} of {clients} clients failed: {errors[0]!r}")
    return by_query, clients * rounds * len(queries) / elapsed


def _search_pages(*, repeat: int, rounds: int) -> None:
    from django.db import connection
    from django.test import Client

    from articles.models import Article
    from articles.search import MAX_RESULTS
    from articles.services import article_live_q

    live = Article.objects.filter(article_live_q()).count()
    if not live:
        from django.core.management import call_command

        call_command("load_demo", stdout=io.StringIO())  # idempotent; the bench database is a throwaway one
        live = Article.objects.filter(article_live_q()).count()
    client = Client()
    queries = [q for _, q in QUERIES]
    for q in queries:  # warm-up: plans, caches, the dictionary and the window bounds of this process
        _page(client, q)
    print(
        f"search page over {live:,} live articles ({connection.vendor}); at most {MAX_RESULTS} ranked, 20 a page; "
        f"server-side ms (Django test Client, whole request); {CLIENTS} clients = {CLIENTS} processes at once"
    )
    single = {}
    facts = {}
    cpu = {}
    for q in queries:
        facts[q] = _page_facts(client, q)
        cpu[q] = _cpu_per_page(client, q, repeat)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            _page(client, q)
            samples.append((time.perf_counter() - started) * 1000)
        single[q] = samples
    load_before = os.getloadavg()[0]
    together, rate = _concurrent(queries, clients=CLIENTS, rounds=rounds)
    header = (
        f"{'kind':<12}{'query':<16}{'found':>7}{'SQL':>5}{'CPU ms':>8}{'1 client p50':>14}{'p95':>7}"
        f"{f'{CLIENTS} clients p50':>16}{'p95':>7}"
    )
    print(header)
    for kind, q in QUERIES:
        found, query_count = facts[q]
        print(
            f"{kind:<12}{q:<16}{found:>7}{query_count:>5}{cpu[q]:>8.1f}"
            f"{statistics.median(single[q]):>14.1f}{_percentile(single[q], 0.95):>7.1f}"
            f"{statistics.median(together[q]):>16.1f}{_percentile(together[q], 0.95):>7.1f}"
        )
    everything = [ms for samples in together.values() for ms in samples]
    mean_cpu = statistics.mean(cpu.values())
    print(
        f"all queries, {CLIENTS} clients: p50 {statistics.median(everything):.1f} ms, "
        f"p95 {_percentile(everything, 0.95):.1f} ms, {rate:.1f} pages/s; one page costs {mean_cpu:.1f} ms of CPU "
        f"on average (Django{' + PostgreSQL' if connection.vendor == 'postgresql' else ''}): at most "
        f"{1000 * (os.cpu_count() or 1) / mean_cpu:.0f} pages/s on {os.cpu_count()} cores; load average "
        f"{load_before:.1f} before the concurrent run"
    )


def run(*, repeat: int = 20, rounds: int = 3) -> None:
    from django.db import DatabaseError

    _jieba_start_up()
    try:
        _segmentation_speed()  # reads the directory's unit names, as the first search does
        _search_pages(repeat=repeat, rounds=rounds)
    except DatabaseError as error:
        print(f"database not ready ({error}): run `manage.py migrate` and `manage.py load_demo` first")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # responses carry their template context (what the page found)
    run(repeat=int(os.environ.get("SEARCH_BENCH_REPEAT", 30)), rounds=int(os.environ.get("SEARCH_BENCH_ROUNDS", 10)))
