"""A Redis outage: the site keeps answering from the database, and /healthz says Redis is down.

A real ``redis-server`` is started on a free port of its own, the cache (with the production backend and
options) and the Celery broker are pointed at it, pages and back-office actions warm it up, then the server
is stopped. Every public page, as a reader and as staff, and every newsroom action through the admin must
then answer without a 5xx, commit its work and not claim failure.

The database is used transactionally so that ``transaction.on_commit`` callbacks (the page-cache bump, the
notice dispatch) run after each request's commit, as in production: that is where a publication used to
commit and then answer 500.
"""

import io
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Correction, ReviewDecision
from pingcheng.cache_backends import redis_cache_config
from pingcheng.directory.models import Role
from pingcheng.notices.models import Notice
from pingcheng.photos.models import Photo
from tests.articles.test_admin import _article_post
from tests.conftest import _reset_pools, service_missing
from tests.factories import ArticleFactory, newsroom, staff
from tests.page_text import page_text

pytestmark = pytest.mark.django_db(transaction=True)
S = Article.Status

PUBLIC_PATHS = [
    "/", "/news/", "/news/?page=2", "/news/section/jiceng/", "/news/series/jiwang-kailai/", "/news/units/xinwang/",
    "/news/tags/防汛/", "/news/archive/", "/news/archive/2025/7/18/", "/news/corrections/", "/epaper/",
    "/epaper/2025-07-18/", "/epaper/2025-07-18/2/", "/search/?q=网格员", "/feeds/rss/", "/feeds/atom/",
    "/feeds/section/jiceng/rss/", "/feeds/unit/xinwang/atom/", "/sitemap.xml", "/sitemap-news.xml", "/robots.txt",
]  # fmt: skip


class RedisServer:
    """A throwaway redis-server on a port of its own, with no persistence."""

    def __init__(self, binary: str, log_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._log = open(log_path, "w")  # kept open for the server's lifetime
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        service_missing(f"redis-server did not answer on port {self.port}: {log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary, tmp_path / "redis.log")
    yield server
    server.stop()


@pytest.fixture
def site_on_redis(redis_server):
    """The cache and the Celery broker on ``redis_server``, configured as in production."""
    from pingcheng.celery import app

    transport_options = {"socket_connect_timeout": 0.5, "socket_timeout": 1}
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url, app.conf.broker_transport_options = redis_server.url, transport_options
    _reset_pools(app)
    with override_settings(CACHES={"default": redis_cache_config(redis_server.url)},
                           CELERY_BROKER_URL=redis_server.url, CELERY_BROKER_TRANSPORT_OPTIONS=transport_options):  # fmt: skip
        yield redis_server
    app.conf.broker_url, app.conf.broker_transport_options = saved
    _reset_pools(app)


@pytest.fixture
def newsroom_desk():
    """The newsroom of tests/articles/conftest.py, the reporter with an e-mail so notices go out too."""
    unit = newsroom()
    desk = {
        "reporter": staff(Role.REPORTER, unit, username="reporter", email="reporter@pingcheng.example"),
        "editor": staff(Role.EDITOR, unit, username="editor"),
        "deputy": staff(Role.DEPUTY_CHIEF, unit, username="deputy"),
        "chief": staff(Role.CHIEF_EDITOR, unit, username="chief"),
    }
    call_command("load_demo", verbosity=0)
    return desk


def _no_server_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


def _crawl(client, paths) -> None:
    article = Article.objects.filter(status=S.PUBLISHED).order_by("-publish_at").first()
    for path in [*paths, article.get_absolute_url(), f"/news/contributors/{article.credits.first().contributor_id}/"]:
        response = client.get(path)
        _no_server_error(response, path)
        assert response.status_code in (200, 302), path


def _messages(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in response.context["messages"]]


def _claims_success(response, what: str) -> None:
    _no_server_error(response, what)
    messages = _messages(response)
    assert not [text for level, text in messages if level >= message_levels.ERROR], (what, messages)
    assert [text for level, text in messages if level == message_levels.SUCCESS], (what, messages)


def _workflow(client, article, step: str, data=None):
    url = reverse("admin:articles_article_workflow", args=[article.pk, step])
    return client.post(url, data or {}, follow=True)


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(buffer, "JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def _now_field(delta=timedelta()) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def test_with_redis_running_pages_come_from_the_cache_and_healthz_is_ok(client, site_on_redis, newsroom_desk):
    _crawl(client, PUBLIC_PATHS)
    assert site_on_redis.client.keys("*:page:*"), "anonymous pages are stored in this Redis"
    article = ArticleFactory(created_by=newsroom_desk["reporter"])
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    client.force_login(newsroom_desk["reporter"])
    client.get(change_url)
    client.force_login(newsroom_desk["editor"])
    assert "也打开了这篇稿件" in client.get(change_url).text
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_with_redis_stopped_every_public_page_still_answers(client, site_on_redis, newsroom_desk):
    _crawl(client, PUBLIC_PATHS)
    site_on_redis.stop()

    _crawl(client, PUBLIC_PATHS)
    assert "public" in client.get("/news/")["Cache-Control"]
    client.force_login(newsroom_desk["chief"])
    _crawl(client, PUBLIC_PATHS)


def test_with_redis_stopped_a_cache_operation_costs_milliseconds(site_on_redis):
    cache.set("warm", 1)
    site_on_redis.stop()
    started = time.monotonic()
    for _ in range(20):
        assert cache.get("warm") is None
        cache.set("warm", 1)
    assert time.monotonic() - started < 1.0


def test_a_hung_redis_costs_one_timeout_not_one_per_cache_operation(client, site_on_redis, newsroom_desk):
    """A frozen server accepts connections and never answers: after the first timeout the cache is skipped."""
    import signal

    client.get("/news/")
    site_on_redis.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        for path in ("/", "/news/", "/news/archive/", "/news/corrections/", "/epaper/2025-07-18/", "/news/"):
            _no_server_error(client.get(path), path)
        elapsed = time.monotonic() - started
    finally:
        site_on_redis.process.send_signal(signal.SIGCONT)
    # Without the breaker: five waits of the 0.5 s socket timeout per page, about 15 s for these six pages.
    assert elapsed < 3.0, f"six pages took {elapsed:.1f}s with Redis hung"


def test_with_redis_stopped_healthz_reports_the_cache_down_while_pages_work(client, site_on_redis, newsroom_desk):
    site_on_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["cache"].startswith("error: ConnectionError"), checks
    assert checks["broker"].startswith("error:"), checks
    assert client.get("/news/").status_code == 200


def test_with_redis_stopped_every_newsroom_action_commits_and_says_so(client, site_on_redis, newsroom_desk):
    desk = newsroom_desk
    # Warm up while Redis runs: cached pages, a rate-limit counter, an editing-presence note, a publication.
    _crawl(client, PUBLIC_PATHS)
    client.force_login(desk["reporter"])
    assert client.post(reverse(settings.CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME), {"upload": _jpeg()}).status_code == 201
    warm = ArticleFactory(created_by=desk["reporter"], status=S.APPROVED)
    client.get(reverse("admin:articles_article_change", args=[warm.pk]))
    client.force_login(desk["chief"])
    _claims_success(_workflow(client, warm, "publish"), "warm-up publication")
    site_on_redis.stop()

    # A reporter writes and saves a draft, and uploads a photo for its body.
    client.force_login(desk["reporter"])
    response = client.post(reverse("admin:articles_article_add"), _article_post(headline="停电时写的稿件"))
    assert response.status_code == 302, response.content[:2000]
    article = Article.objects.get(headline="停电时写的稿件")
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    response = client.post(change_url, _article_post(headline="停电时写的稿件", lead="补充的导语",
                                                     expected_version=str(article.version)))  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    assert Article.objects.get(pk=article.pk).lead == "补充的导语"
    photos_before = Photo.objects.count()
    response = client.post(reverse(settings.CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME), {"upload": _jpeg()})
    assert response.status_code == 201, response.content
    assert "url" in response.json() and "error" not in response.json()
    assert Photo.objects.count() == photos_before + 1

    # The editing-presence warning says nothing rather than failing.
    client.force_login(desk["editor"])
    response = client.get(change_url)
    assert response.status_code == 200
    assert "也打开了这篇稿件" not in response.text

    # 送审, then 初审, 复审 and 终审 pass.
    client.force_login(desk["reporter"])
    _claims_success(_workflow(client, article, "submit"), "submit")
    for who in ("editor", "deputy", "chief"):
        client.force_login(desk[who])
        _claims_success(_workflow(client, article, "review", {"outcome": "pass", "opinion": "同意"}), f"review by {who}")
    assert article.decisions.filter(outcome=ReviewDecision.Outcome.PASS).count() == 3

    # Publish now: the publication commits, retires the cached pages and queues a notice to the author on the
    # dead broker (the outbox row stays for the sweep).
    notices_before = Notice.objects.count()
    _claims_success(_workflow(client, article, "publish"), "publish now")
    article.refresh_from_db()
    assert article.status == S.PUBLISHED
    assert Notice.objects.count() > notices_before
    client.logout()
    assert "停电时写的稿件" in page_text(client.get("/news/"))

    # A correction, then a withdrawal.
    client.force_login(desk["chief"])
    _claims_success(_workflow(client, article, "correct", {"kind": Correction.Kind.choices[0][0], "text": "更正导语中的日期。"}),
                    "correct")  # fmt: skip
    assert article.corrections.count() == 1
    _claims_success(_workflow(client, article, "withdraw", {"reason": "内容需要核实"}), "withdraw")
    article.refresh_from_db()
    assert article.status == S.WITHDRAWN

    # Another article is scheduled for later, and a third one is returned to its author.
    later = ArticleFactory(created_by=desk["reporter"], status=S.APPROVED)
    _claims_success(_workflow(client, later, "schedule", {"publish_at": _now_field(timedelta(hours=2))}), "schedule")
    assert Article.objects.get(pk=later.pk).status == S.SCHEDULED
    returned = ArticleFactory(created_by=desk["reporter"])
    client.force_login(desk["reporter"])
    _claims_success(_workflow(client, returned, "submit"), "submit for return")
    client.force_login(desk["editor"])
    _claims_success(_workflow(client, returned, "review", {"outcome": "return", "opinion": "请补充采访对象。"}), "return")
    assert Article.objects.get(pk=returned.pk).status == S.RETURNED

    # The back office's lists still open.
    for who in ("reporter", "chief"):
        client.force_login(desk[who])
        _no_server_error(client.get("/admin/articles/article/"), f"changelist as {who}")
        _no_server_error(client.get("/admin/"), f"admin index as {who}")
