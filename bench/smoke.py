"""`make bench-smoke`: the whole bench at a tiny size, so that it never rots (CI runs it).

A throwaway database — ``pingcheng_bench_smoke`` beside DATABASE_URL's on PostgreSQL, dropped before and after;
a temporary SQLite file otherwise — gets a small corpus (BENCH_SMOKE_ARTICLES, default 300) from bench/corpus.py,
then bench/site.py measures every page on every server for one second a cell. It fails loudly when anything
breaks (the corpus, a server that does not start, a page that does not answer 200), never on timing.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

from bench.corpus import REPO

SMOKE_DATABASE = "pingcheng_bench_smoke"


def _postgresql_drop(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {"host": config.get("HOST"), "port": config.get("PORT"), "user": config.get("USER"),
              "password": config.get("PASSWORD"), "dbname": "postgres", "autocommit": True}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(config["NAME"])))


def main() -> int:
    started = time.monotonic()
    url = os.environ.get("DATABASE_URL", "")
    workdir = tempfile.mkdtemp(prefix="pingcheng-bench-smoke-")
    postgresql = url.startswith(("postgres://", "postgresql://"))
    if postgresql:
        parts = urlsplit(url)
        smoke_url = urlunsplit(parts._replace(path=f"/{SMOKE_DATABASE}"))
        _postgresql_drop(smoke_url)
    else:
        smoke_url = f"sqlite:///{workdir}/bench-smoke.sqlite3"
    env = {**os.environ, "DATABASE_URL": smoke_url, "VAR_DIR": workdir, "MEDIA_ROOT": f"{workdir}/media"}
    articles = os.environ.get("BENCH_SMOKE_ARTICLES", "300")
    steps = [
        [sys.executable, "-m", "bench.corpus", "--articles", articles],
        [sys.executable, "-m", "bench.site", "--duration", "1", "--connections", "4"],
        [sys.executable, "-m", "bench.alerts_fanout", "--recipients", os.environ.get("BENCH_SMOKE_RECIPIENTS", "300")],
    ]
    try:
        for command in steps:
            print(f"$ {' '.join(command[1:])}", flush=True)
            if subprocess.run(command, cwd=REPO, env=env).returncode != 0:
                print(f"bench smoke FAILED at: {' '.join(command[1:])}", file=sys.stderr)
                return 1
    finally:
        if postgresql:
            _postgresql_drop(smoke_url)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"bench smoke passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
