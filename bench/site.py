"""Side by side on this machine: our site as production runs it, against the Python and the machine ceilings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingcheng_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        python -m bench.site --duration 10 --connections 8

Against the bench database (bench/corpus.py builds it), for the front page, an article, a deep list page, the
latest e-paper edition and two searches (a common word and a rare one), each loaded with wrk (-t2 -c8 by default):

* ours uncached — gunicorn -c deploy/gunicorn.conf.py pingcheng.wsgi, production settings, ``PAGE_CACHE=off``;
* ours warm — the same with the page cache on (in Redis when REDIS_URL is set), each page rendered once first;
* ours behind nginx — deploy/nginx.conf on loopback (deploy/local_nginx.py: TLS, micro-cache) in front of a
  third gunicorn set up as production behind it (BEHIND_PROXY, SECURE_SSL_REDIRECT, the recipe's host name);
* bare Django — bench/bare: the same bytes from memory through the same gunicorn recipe (the Python ceiling);
* nginx static — the same bytes as files (the machine's ceiling), on plain HTTP and, beside the nginx column,
  on TLS as well.

Cells run interleaved, page by page, with every server up, so that drift hits all columns alike. Figures only:
nothing about timing is asserted. The exit status is non-zero when a server does not start or a page does not
answer 200 (before or during the load). Every process started here is stopped on the way out, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import math
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bench.corpus import COMMON_WORDS, RARE_WORD, REPO, bench_environment

IN_CI = os.environ.get("CI", "").lower() == "true"
LIST_DEPTH = 200
START_TIMEOUT = 120
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""
# Variables our settings read that must not leak from the caller's shell into a production-like server.
_CALLER_ONLY = ("DEBUG", "PAGE_CACHE", "BEHIND_PROXY", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "SECURE_HSTS_SECONDS",
                "DJANGO_SETTINGS_MODULE", "PORT", "WEB_CONCURRENCY", "STATIC_ROOT")  # fmt: skip


class BenchFailed(Exception):
    """A server did not start or a page did not answer 200."""


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str


@dataclass
class Server:
    key: str
    label: str
    port: int
    scheme: str = "http"
    host: str | None = None  # the Host header, when not 127.0.0.1:<port>
    extra_headers: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log: Path | None = None
    paths: dict[str, str] = field(default_factory=dict)  # page key -> path on this server

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"


@dataclass
class Result:
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: dict[str, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- Processes ------------------------------------------------------------------------------------------


class Processes:
    """Everything started here, each in its own process group, stopped together whatever happens."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, command: list[str], *, env: dict, log: Path, cwd: Path = REPO) -> subprocess.Popen:
        with open(log, "wb") as out:
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=10)
        self.running.clear()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path | None, lines: int = 30) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def fetch(server: Server, path: str, timeout: float = 120) -> tuple[int, bytes]:
    if server.scheme == "https":
        context = ssl._create_unverified_context()  # our own self-signed loopback certificate
        connection = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        headers = {**server.extra_headers, **({"Host": server.host} if server.host else {})}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(server: Server, path: str = "/") -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise BenchFailed(f"{server.label} exited with {server.process.returncode}:\n{_tail(server.log)}")
        try:
            fetch(server, path, timeout=5)
            return
        except OSError:
            time.sleep(0.2)
    raise BenchFailed(f"{server.label} did not answer within {START_TIMEOUT} s:\n{_tail(server.log)}")


def worker_rss_mb(server: Server) -> list[float]:
    """Resident memory of the server's worker processes (the children of its master), in MB."""
    if server.process is None:
        return []
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent != server.process.pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return sorted(sizes)


# --- Load -----------------------------------------------------------------------------------------------


def load(server: Server, path: str, *, duration: float, connections: int, threads: int, workdir: Path) -> Result:
    if shutil.which("wrk"):
        return _wrk(server, path, duration=duration, connections=connections, threads=threads, workdir=workdir)
    return _python_load(server, path, duration=duration, connections=connections)


def _wrk(server: Server, path: str, *, duration: float, connections: int, threads: int, workdir: Path) -> Result:
    script = workdir / "done.lua"
    if not script.exists():
        script.write_text(WRK_SCRIPT)
    headers = []
    for name, value in {**server.extra_headers, **({"Host": server.host} if server.host else {})}.items():
        headers += ["-H", f"{name}: {value}"]
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(duration))}s",
               "--latency", "--timeout", "30s", "-s", str(script), *headers, server.url(path)]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    line = next((line for line in run.stdout.splitlines() if line.startswith("BENCH ")), None)
    if run.returncode != 0 or line is None:
        raise BenchFailed(f"wrk failed on {server.label} {path}: {run.stdout}\n{run.stderr}")
    requests, micros, p50, p95, p99, _max, *errors = (int(x) for x in line.split()[1:])
    names = ("connect", "read", "write", "status", "timeout")
    return Result(requests=requests, seconds=micros / 1e6, p50=p50 / 1000, p95=p95 / 1000, p99=p99 / 1000,
                  errors={name: n for name, n in zip(names, errors, strict=True) if n})  # fmt: skip


def _python_load(server: Server, path: str, *, duration: float, connections: int) -> Result:
    """A small closed-loop load (one persistent connection per thread) for machines without wrk."""
    latencies: list[float] = []
    errors = {"status": 0, "read": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + duration
    headers = {**server.extra_headers, **({"Host": server.host} if server.host else {})}

    def connect():
        if server.scheme == "https":
            return http.client.HTTPSConnection("127.0.0.1", server.port, timeout=30,
                                               context=ssl._create_unverified_context())  # fmt: skip
        return http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    def loop():
        connection = connect()
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = connect()
            except (OSError, http.client.HTTPException):
                with lock:
                    errors["read"] += 1
                connection.close()
                connection = connect()
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if not 200 <= status < 400:
                    errors["status"] += 1
        connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=loop) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    latencies.sort()

    def percentile(q: float) -> float:
        return latencies[min(len(latencies) - 1, math.ceil(q * len(latencies)) - 1)] if latencies else 0.0

    return Result(requests=len(latencies), seconds=seconds, p50=percentile(0.5), p95=percentile(0.95),
                  p99=percentile(0.99), errors={k: v for k, v in errors.items() if v})  # fmt: skip


# --- Our site -------------------------------------------------------------------------------------------


def pick_pages() -> tuple[list[Page], dict]:
    """The measured pages, read from the bench database: a live article with photos and credits, the deepest
    list page up to 200, the latest public edition, the searches."""
    from django.db.models import Exists, OuterRef

    from articles.models import Article, ArticlePhoto, Credit
    from articles.selectors import article_list_live, edition_list_public
    from pingcheng import pagination

    live = article_list_live()
    article = (
        live.filter(Exists(ArticlePhoto.objects.filter(article=OuterRef("pk"))),
                    Exists(Credit.objects.filter(article=OuterRef("pk"))))  # fmt: skip
        .values_list("pk", flat=True)
        .first()
    )
    if article is None:
        raise BenchFailed("no live article with photos and credits: build the corpus first (python -m bench.corpus)")
    edition = edition_list_public().values_list("date", flat=True).first()
    if edition is None:
        raise BenchFailed("no public e-paper edition: build the corpus first (python -m bench.corpus)")
    live_count = Article.objects.filter(pk__in=live.values("pk")).count()
    deepest = max(1, min(LIST_DEPTH, math.ceil(live_count / pagination.PAGE_SIZE),
                         getattr(pagination, "MAX_PAGES", LIST_DEPTH)))  # fmt: skip
    pages = [
        Page("front", "front page", "/"),
        Page("article", "article", f"/news/{article}/"),
        Page("list", f"list, page {deepest}", f"/news/?page={deepest}"),
        Page("epaper", "e-paper", f"/epaper/{edition:%Y-%m-%d}/"),
        Page("search", f"search {COMMON_WORDS[0]}", f"/search/?q={quote(COMMON_WORDS[0])}"),
        Page("search_rare", f"search {RARE_WORD}", f"/search/?q={quote(RARE_WORD)}"),
    ]
    corpus = {"articles": Article.objects.count(), "live": live_count}
    return pages, corpus


def _require_migrated(connection) -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BenchFailed(
            "the bench database lacks migrations of this tree: run `python -m bench.corpus --render` (it migrates, "
            "then stores every article's derived fields again)"
        )


def pages_changed() -> None:
    """Mark every cached news page stale, so the next request renders it for the server asking (each server
    renders its own absolute URLs, and they share one cache)."""
    from articles.cache import NEWS
    from pingcheng import page_cache

    page_cache.page_product_changed(NEWS)


def our_environment(*, port: int, static_root: Path, **overrides: str) -> dict:
    env = {name: value for name, value in os.environ.items() if name not in _CALLER_ONLY}
    env.update({
        "DJANGO_SETTINGS_MODULE": "pingcheng.settings", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root), "WEB_CONCURRENCY": "2", "PORT": str(port), "PYTHONPATH": str(REPO),
    })  # fmt: skip
    env.update(overrides)
    return env


def collectstatic(static_root: Path, log: Path) -> None:
    env = our_environment(port=0, static_root=static_root)
    run = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    log.write_text(run.stdout + run.stderr)
    if run.returncode != 0:
        raise BenchFailed(f"collectstatic failed:\n{_tail(log)}")


def gunicorn_command(config: str, app: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", config, app]


def _nginx_static_config(workdir: Path, pages_dir: Path, port: int, tls_port: int | None) -> Path:
    user = "user root;" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {name}_temp_path {workdir / 'tmp' / name};" for name in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    tls = ""
    if tls_port is not None:
        tls = f"""
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        ssl_certificate {workdir / 'cert.pem'};
        ssl_certificate_key {workdir / 'key.pem'};
        root {pages_dir};
        location / {{ try_files $uri.html =404; }}
    }}"""
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)
    config = workdir / "nginx.conf"
    config.write_text(f"""{user}
daemon off;
worker_processes auto;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
{temp}
    access_log off;
    sendfile on;
    tcp_nopush on;
    default_type "text/html; charset=utf-8";
    server {{
        listen 127.0.0.1:{port};
        root {pages_dir};
        location / {{ try_files $uri.html =404; }}
    }}{tls}
}}
""")
    return config


def _self_signed(workdir: Path) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-keyout", str(workdir / "key.pem"),
                    "-out", str(workdir / "cert.pem")], check=True, capture_output=True, timeout=60)  # fmt: skip


# --- The run --------------------------------------------------------------------------------------------


def _row(result: Result | None) -> str:
    if result is None:
        return f"{'—':>9} {'':>9} {'':>9} {'':>9}"
    if not result.requests:
        return f"{0:>9.1f} {'none done':>29}"
    return f"{result.rate:>9.1f} {result.p50:>9.1f} {result.p95:>9.1f} {result.p99:>9.1f}"


def _ratio(a: Result | None, b: Result | None) -> str:
    if a is None or b is None or not b.rate:
        return f"{'—':>8}"
    return f"{100 * a.rate / b.rate:>7.1f}%"


def report(pages: list[Page], servers: list[Server], results: dict, *, header: str, rss_servers: list[Server]) -> str:
    lines = [header, "", f"{'page':<22}{'server':<24}{'req/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}  errors"]
    for page in pages:
        for server in servers:
            result = results.get((page.key, server.key))
            errors = ", ".join(f"{k} {v}" for k, v in result.errors.items()) if result and result.errors else ""
            lines.append(f"{page.label:<22}{server.label:<24}{_row(result)}  {errors}")
        lines.append("")
    keys = {s.key for s in servers}
    columns = [("uncached", "bare", "uncached/bare"), ("warm", "bare", "warm/bare"),
               ("nginx", "static_tls", "nginx/static TLS"), ("nginx", "static", "nginx/static")]  # fmt: skip
    columns = [c for c in columns if c[0] in keys and c[1] in keys]
    lines.append(f"{'ratios':<22}" + "".join(f"{title:>18}" for _a, _b, title in columns))
    for page in pages:
        cells = "".join(f"{_ratio(results.get((page.key, a)), results.get((page.key, b))):>18}" for a, b, _t in columns)
        lines.append(f"{page.label:<22}{cells}")
    lines.append("")
    seen = set()
    for server in rss_servers:
        if server.process is None or server.process.pid in seen:
            continue
        seen.add(server.process.pid)
        rss = worker_rss_mb(server)
        if rss:
            lines.append(f"worker RSS, {server.label}: " + ", ".join(f"{mb:.0f} MB" for mb in rss))
    return "\n".join(lines)


def run(*, duration: float, connections: int, threads: int, only: set[str] | None = None) -> int:
    bench_environment()
    if not shutil.which("wrk"):
        if IN_CI:
            raise BenchFailed("wrk is missing (apt-get install -y wrk); CI measures with it")
        print("note: wrk is missing; a small Python load generator stands in (apt-get install -y wrk)")
    if not shutil.which("nginx"):
        raise BenchFailed("nginx is missing (apt-get install -y nginx)")
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "pingcheng.settings"
    django.setup()
    from django.conf import settings
    from django.db import connection

    _require_migrated(connection)
    pages, corpus = pick_pages()
    if only:
        pages = [page for page in pages if page.key in only]
    cache_off = hasattr(settings, "PAGE_CACHE_ENABLED")
    behind = importlib.util.find_spec("deploy.local_nginx") is not None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    header = (
        f"Pingcheng bench: {corpus['articles']} articles ({corpus['live']} live) on {connection.vendor} "
        f"{connection.settings_dict['NAME']}, commit {commit.strip() or '?'}, cache "
        f"{'Redis' if os.environ.get('REDIS_URL') else 'per-process memory (no REDIS_URL)'}; "
        f"{'wrk' if shutil.which('wrk') else 'python load'} -t{min(threads, connections)} -c{connections} "
        f"-d{max(1, round(duration))}s per cell; gunicorn -c deploy/gunicorn.conf.py, WEB_CONCURRENCY=2"
    )
    connection.close()
    if not cache_off:
        print("note: this tree has no PAGE_CACHE setting, so the cache cannot be bypassed: no uncached column")
    if not behind:
        print("note: deploy/local_nginx.py is missing: no column behind nginx")

    processes = Processes()
    workdir = Path(tempfile.mkdtemp(prefix="pingcheng-bench-"))
    previous_term = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        static_root = workdir / "static"
        collectstatic(static_root, workdir / "collectstatic.log")
        servers: list[Server] = []
        rss_servers: list[Server] = []

        def start_ours(key: str, label: str, **overrides: str) -> Server:
            server = Server(key, label, free_port(), log=workdir / f"{key}.log")
            env = our_environment(port=server.port, static_root=static_root, **overrides)
            server.process = processes.start(gunicorn_command("deploy/gunicorn.conf.py", "pingcheng.wsgi"),
                                             env=env, log=server.log)  # fmt: skip
            server.paths = {page.key: page.path for page in pages}
            return server

        if cache_off:
            servers.append(start_ours("uncached", "ours uncached", PAGE_CACHE="off"))
        warm = start_ours("warm", "ours warm")
        servers.append(warm)
        if behind:
            from deploy.local_nginx import SERVER_NAME, nginx_command, nginx_local_config

            backend = start_ours("nginx-backend", "ours behind nginx (gunicorn)", ALLOWED_HOSTS=SERVER_NAME,
                                 BEHIND_PROXY="true", SECURE_SSL_REDIRECT="true")  # fmt: skip
            rss_servers.append(backend)
            front = Server("nginx", "ours behind nginx", free_port(), scheme="https", host=SERVER_NAME,
                           log=workdir / "nginx-site.log")  # fmt: skip
            config = nginx_local_config(workdir=workdir / "nginx-site", listen_port=front.port,
                                        upstream_port=backend.port, static_root=static_root,
                                        media_root=Path(settings.MEDIA_ROOT))  # fmt: skip
            front.paths = backend.paths
            wait_ready(backend, "/healthz")
            front.process = processes.start(nginx_command(config), env=dict(os.environ), log=front.log)
            servers.append(front)
        for server in servers:
            wait_ready(server, "/" if server.key == "nginx" else "/healthz")

        # Our bytes for the ceilings: each page as the warm server renders it.
        pages_dir = workdir / "pages"
        pages_dir.mkdir()
        for page in pages:
            status, body = fetch(warm, page.path)
            if status != 200:
                raise BenchFailed(f"{page.path} answered {status} on {warm.label}:\n{_tail(warm.log)}")
            (pages_dir / f"{page.key}.html").write_bytes(body)

        bare = Server("bare", "bare Django", free_port(), log=workdir / "bare.log")
        bare.process = processes.start(
            gunicorn_command("bench/bare/gunicorn.conf.py", "bench.bare.wsgi"),
            env={**our_environment(port=bare.port, static_root=static_root), "DJANGO_SETTINGS_MODULE":
                 "bench.bare.settings", "BENCH_BARE_PAGES": str(pages_dir)},
            log=bare.log,
        )  # fmt: skip
        bare.paths = {page.key: f"/{page.key}" for page in pages}
        static_dir = workdir / "nginx-static"
        static_dir.mkdir()
        tls_port = free_port() if behind and shutil.which("openssl") else None
        if tls_port is not None:
            _self_signed(static_dir)
        static = Server("static", "nginx static", free_port(), log=workdir / "nginx-static.log")
        static.process = processes.start(
            ["nginx", "-e", str(static_dir / "error.log"), "-c",
             str(_nginx_static_config(static_dir, pages_dir, static.port, tls_port))],
            env=dict(os.environ), log=static.log,
        )  # fmt: skip
        static.paths = bare.paths
        ceilings = [bare, static]
        if tls_port is not None:
            static_tls = Server("static_tls", "nginx static TLS", tls_port, scheme="https", process=static.process,
                                log=static.log, paths=bare.paths)  # fmt: skip
            ceilings.append(static_tls)
        for server in ceilings:
            wait_ready(server, "/")
        servers += ceilings

        print(header, flush=True)
        results: dict[tuple[str, str], Result] = {}
        failures: list[str] = []
        for page in pages:
            for server in servers:
                path = server.paths[page.key]
                if server.key in ("warm", "nginx"):
                    pages_changed()
                for _ in range(2):  # renders (and stores) the page before the clock starts
                    status, _body = fetch(server, path)
                    if status != 200:
                        raise BenchFailed(f"{path} answered {status} on {server.label}:\n{_tail(server.log)}")
                result = load(server, path, duration=duration, connections=connections, threads=threads,
                              workdir=workdir)  # fmt: skip
                results[(page.key, server.key)] = result
                if result.errors.get("status"):
                    failures.append(f"{path} on {server.label}: {result.errors['status']} answers other than 2xx/3xx")
                print(f"  {page.label:<22}{server.label:<24}{_row(result)}", flush=True)
        print()
        rss_servers = [s for s in servers if s.key != "nginx"] + rss_servers
        print(report(pages, servers, results, header=header, rss_servers=rss_servers))
        if failures:
            raise BenchFailed("\n".join(failures))
        return 0
    finally:
        processes.stop_all()
        signal.signal(signal.SIGTERM, previous_term)
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per cell (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--pages", help="comma-separated subset: front,article,list,epaper,search,search_rare")
    args = parser.parse_args(argv)
    try:
        return run(duration=args.duration, connections=args.connections, threads=args.threads,
                   only=set(args.pages.split(",")) if args.pages else None)  # fmt: skip
    except BenchFailed as failure:
        print(f"bench failed: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; every server stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
