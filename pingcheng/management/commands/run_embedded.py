import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and a Celery worker with embedded beat together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args, port: str, host: str, **options):
        # Each child leads its own process group, so stopping a group also stops what it spawned
        # (runserver's autoreloader child, Celery's pool and beat processes).
        children = {
            "celery": subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "pingcheng", "worker", "--beat", "--loglevel=INFO",
                 "--concurrency=2", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
                start_new_session=True,
            ),
            "web": subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"{host}:{port}"], start_new_session=True
            ),
        }  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"平城新闻已启动：http://{host}:{port}/ （后台 /admin/），按 Ctrl-C 停止。"))
        # Installed explicitly: a shell that starts us in the background leaves SIGINT ignored.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _interrupt)
        exit_code = 0
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped unexpectedly; stopping the rest.")
            exit_code = 1
        except KeyboardInterrupt:
            self.stdout.write("正在停止……")
        finally:
            # Make and the terminal may send more signals while we stop; finish stopping first.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _stop_all(children.values())
        sys.exit(exit_code)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop_all(children) -> None:
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()
    # A group may still hold grandchildren after its leader exited (Celery's pool processes).
    time.sleep(0.5)
    for child in children:
        _signal_group(child, signal.SIGKILL)


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except ProcessLookupError:
        pass
