"""A warning to N grid workers (default 10,000), fanned out and delivered to the file SMS backend by 2 worker
processes on real Redis, beside the bare cost of writing N lines with the same backend in one process.

    DATABASE_URL=postgres://… python -m bench.alerts_fanout --recipients 10000

The database is a throwaway one (``pingcheng_bench_alerts`` beside DATABASE_URL's on PostgreSQL, dropped before
and after; a temporary SQLite file otherwise), so real data is never touched; Redis is a redis-server of the
bench's own on a free port when the binary is installed, else REDIS_URL's. Prints figures; never fails on
timing (it fails if a message is lost or sent twice).
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


BENCH_DATABASE = "pingcheng_bench_alerts"


def _database(workdir: str) -> tuple[str, bool]:
    """A throwaway database URL, and whether it is PostgreSQL (to be dropped afterwards)."""
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir}/bench-alerts.sqlite3", False
    from bench.smoke import _postgresql_drop

    bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DATABASE}"))
    _postgresql_drop(bench_url)
    return bench_url, True


def _setup(workdir: str, redis_url: str) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingcheng.settings")
    os.environ["REDIS_URL"] = redis_url
    os.environ["SMS_BACKEND"] = "pingcheng.notices.sms.FileSmsBackend"
    os.environ["SMS_FILE_PATH"] = f"{workdir}/sms"
    os.environ.setdefault("VAR_DIR", workdir)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _redis(workdir: str):
    binary = shutil.which("redis-server")
    if binary is None:
        url = os.environ.get("REDIS_URL")
        if not url:
            sys.exit("bench.alerts_fanout needs redis-server installed or REDIS_URL set")
        return url, None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=open(f"{workdir}/redis.log", "w"), stderr=subprocess.STDOUT)  # fmt: skip
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0", process


def _crowd(count: int):
    from django.contrib.auth import get_user_model

    from pingcheng.directory.models import Membership, Role, Unit
    from pingcheng.directory.services import unit_get_or_create
    from pingcheng.notices.models import StaffNoticePreference

    User = get_user_model()

    def unit(code, name, kind, parent):
        return unit_get_or_create(code=code, defaults={"name": name, "kind": kind, "parent": parent})[0]

    root = Unit.objects.filter(kind=Unit.Kind.DISTRICT).first() or unit("pingcheng", "平城区", Unit.Kind.DISTRICT, None)
    street = unit("bench-alerts-street", "压测街道", Unit.Kind.STREET, root)
    community = unit("bench-alerts-community", "压测社区", Unit.Kind.COMMUNITY, street)
    grids = [unit(f"bench-alerts-grid-{g}", f"压测社区第{g}网格", Unit.Kind.GRID, community) for g in range(1, 21)]
    users = User.objects.bulk_create(
        [
            User(username=f"bench-alerts-{i:06d}", is_staff=True, last_name="网", first_name=f"格员{i}")
            for i in range(count)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create([Membership(user=u, unit=grids[i % len(grids)], role=Role.GRID_WORKER)
                                    for i, u in enumerate(users)], batch_size=2000)  # fmt: skip
    StaffNoticePreference.objects.bulk_create(
        [StaffNoticePreference(user=u, phone=f"139{i:08d}") for i, u in enumerate(users)], batch_size=2000
    )
    issuer = User.objects.create(username="bench-alerts-issuer", is_staff=True)
    Membership.objects.create(user=issuer, unit=root, role=Role.DISTRICT_ADMIN)
    return community, issuer


def _bare(count: int, folder: str) -> float:
    """N messages through FileSmsBackend in this process, nothing else: the floor of any delivery."""
    from django.test import override_settings

    from pingcheng.notices.sms import FileSmsBackend

    with override_settings(SMS_FILE_PATH=folder):
        backend = FileSmsBackend()
        started = time.perf_counter()
        for i in range(count):
            backend.send(
                f"139{i:08d}",
                "【平城区】橙色预警 暴雨橙色预警。今夜有大到暴雨。确认收到请回复123456",
                idempotency_key=f"k{i}",
            )
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (prefork concurrency)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="pingcheng-bench-alerts-")
    database_url, postgresql = _database(workdir)
    os.environ["DATABASE_URL"] = database_url
    if postgresql:
        _postgresql_create(database_url)
    redis_url, redis_process = _redis(workdir)
    worker = None
    try:
        _setup(workdir, redis_url)
        from django.db import connection, transaction

        from pingcheng.alerts import services
        from pingcheng.notices.models import Notice

        community, issuer = _crowd(args.recipients)
        bare = _bare(args.recipients, f"{workdir}/bare")
        worker_log = open(f"{workdir}/worker.log", "w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "pingcheng", "worker", "--pool=prefork",
             f"--concurrency={args.workers}", "--loglevel=INFO", "--without-heartbeat",
             "--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@%h"],
            cwd=REPO, env=os.environ, stdout=worker_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_ready(f"{workdir}/worker.log")
        sms = Notice.objects.filter(
            kind="alert_issued", channel=Notice.Channel.SMS, user__username__startswith="bench-alerts-"
        )
        started = time.perf_counter()
        with transaction.atomic():
            alert = services.alert_issue(by=issuer, units=[community], title="暴雨橙色预警", severity="orange",
                                         text="今夜有大到暴雨，请立即巡查低洼院落。")  # fmt: skip
        fanned = None
        deadline = time.monotonic() + max(300, args.recipients / 20)
        while time.monotonic() < deadline:
            if fanned is None and not alert.fanouts.exclude(phase="done").exists():
                fanned = time.perf_counter() - started
            if sms.filter(status=Notice.Status.SENT).count() >= args.recipients:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        sent = sms.filter(status=Notice.Status.SENT).count()
        lines = Counter(line.split("\t")[1] for path in Path(f"{workdir}/sms").glob("*.log")
                        for line in path.read_text(encoding="utf-8").splitlines())  # fmt: skip
        twice = sum(1 for n in lines.values() if n > 1)
        print(f"alerts fan-out on {connection.vendor} + Redis, {args.workers} worker processes, "
              f"{args.recipients} recipients:")  # fmt: skip
        print(f"  fan-out (recipients + notices written): {fanned or elapsed:.2f} s")
        print(f"  issued → all delivered: {elapsed:.2f} s = {sent / elapsed:,.0f} deliveries/s")
        print(f"  bare FileSmsBackend, one process, {args.recipients} lines: {bare:.2f} s = "
              f"{args.recipients / bare:,.0f} lines/s")  # fmt: skip
        print(f"  delivered {sent}, lines in the SMS files {sum(lines.values())}, sent twice {twice}")
        if sent != args.recipients or sum(lines.values()) != args.recipients or twice:
            print("bench.alerts_fanout FAILED: a message was lost or sent twice", file=sys.stderr)
            return 1
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        if postgresql:
            from django.db import connections

            connections.close_all()
            from bench.smoke import _postgresql_drop

            _postgresql_drop(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


def _postgresql_create(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {"host": config.get("HOST"), "port": config.get("PORT"), "user": config.get("USER"),
              "password": config.get("PASSWORD"), "dbname": "postgres", "autocommit": True}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def _wait_ready(log_path: str) -> None:
    for _ in range(600):
        if "ready." in Path(log_path).read_text(errors="replace"):
            return
        time.sleep(0.1)
    sys.exit(f"the Celery worker did not start:\n{Path(log_path).read_text(errors='replace')[-3000:]}")


if __name__ == "__main__":
    sys.exit(main())
