"""Test settings: the real settings, read from the same environment, with test-only conveniences.

DATABASE_URL and REDIS_URL choose SQLite + filesystem broker or PostgreSQL + Redis, exactly as in
production. The Celery queue name is unique per run so that workers of other runs never take our tasks.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 60)
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="pingcheng-test-"))
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Residents' personal data is encrypted at rest (pingcheng/personal_data.py); a fixed test-only key.
os.environ.setdefault("PERSONAL_DATA_KEYS", "le40kRW6KL98-JJbeZx196SdDNE40A-t7n8WrlU6vP4=")
os.environ.setdefault("PINGCHENG_TEST_QUEUE", f"pingcheng-test-{os.getpid()}")

# Under pytest-xdist (``make test`` runs two workers) each worker inherits the environment above from the
# controller; a worker gets its own folder (SQLite file, filesystem broker, media), its own Celery queue and its
# own Redis database, because tests clear the cache (FLUSHDB) and a worker started by one must never take the
# other's tasks. pytest-django suffixes the test database name itself.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    index = int(worker.removeprefix("gw"))
    # Once per worker: the processes a test starts inherit the result (and may set their own VAR_DIR).
    if os.environ.get("PINGCHENG_TEST_WORKER") != worker:
        os.environ["PINGCHENG_TEST_WORKER"] = worker
        os.environ["VAR_DIR"] = str(Path(os.environ["VAR_DIR"]) / worker)
        Path(os.environ["VAR_DIR"]).mkdir(parents=True, exist_ok=True)
        os.environ["PINGCHENG_TEST_QUEUE"] += f"-{worker}"
        if redis_url := os.environ.get("REDIS_URL"):
            parts = urlsplit(redis_url)
            database = int(parts.path.strip("/") or 0)
            os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{(database - index) % 16}"))

from pingcheng.settings import *  # noqa: F403
from pingcheng.settings import DATABASES, INSTALLED_APPS, VAR_DIR

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(VAR_DIR) / "media"
STATIC_ROOT = Path(VAR_DIR) / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SMS_BACKEND = "pingcheng.notices.sms.LocmemSmsBackend"
CELERY_TASK_DEFAULT_QUEUE = os.environ["PINGCHENG_TEST_QUEUE"]
ALLOWED_HOSTS = ["*"]
# A concrete model with a working-day deadline (tests/test_workdays.py), until a product provides one.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.workdays_app"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a Celery worker process and concurrent threads see the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(VAR_DIR) / "test.sqlite3")}

# A worker process started by a test points at the test database the test runner created.
if os.environ.get("PINGCHENG_WORKER_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["PINGCHENG_WORKER_DB_NAME"]
# SMS quiet hours and daily caps would hold the notices of tests that run at night; their own tests turn them on.
NOTICE_QUIET_HOURS = ""
NOTICE_SMS_DAILY_CAP = 0
