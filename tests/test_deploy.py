"""The production recipes in deploy/ are real.

gunicorn runs the worker class deploy/gunicorn.conf.py names; nginx accepts deploy/nginx.conf (through its
loopback copy, deploy/local_nginx.py, which differs only in ports, paths and the user); and the site served
by both on loopback, with production settings, behaves as the README says: anonymous pages are micro-cached
per display mode, staff, POSTs and the back office never touch the cache, static files and media come from
nginx, plain HTTP redirects, and a publication shows within about a second.

nginx, openssl and redis-server are required: under CI=true their absence fails these tests, elsewhere it
skips them with the reason.
"""

import difflib
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from gunicorn.app.base import Application

from deploy import local_nginx
from deploy.local_nginx import SERVER_NAME, RecipeChanged, nginx_command, nginx_local_config
from pingcheng import display_mode
from tests.conftest import REPO, service_missing, wait_for
from tests.page_text import page_text

GUNICORN_RECIPE = REPO / "deploy" / "gunicorn.conf.py"
NGINX_RECIPE = REPO / "deploy" / "nginx.conf"
SECRET_KEY = "deploy-test-" + "k" * 50
STAFF_PASSWORD = "Smoke-test-Password-42"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        service_missing(f"{tool} is not installed (apt-get install {package})")
    return path


# --- gunicorn --------------------------------------------------------------------------------------------


class _ConfigProbe(Application):
    """gunicorn's own loading of a config file, without starting anything."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__()

    def load_config(self):
        self.load_config_from_file(str(self.path))

    def load(self):
        raise AssertionError("the probe never serves")


def _named_worker_class(path: Path) -> str:
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace.get("worker_class", "sync")


def test_gunicorn_runs_the_worker_class_its_recipe_names():
    probe = _ConfigProbe(GUNICORN_RECIPE)

    assert _named_worker_class(GUNICORN_RECIPE) == probe.cfg.worker_class_str == "gthread"
    assert probe.cfg.worker_class.__module__ == "gunicorn.workers.gthread"
    assert probe.cfg.threads > 1 and probe.cfg.keepalive > 60  # outlives nginx's upstream keepalive_timeout 60s


def test_a_recipe_that_only_sets_threads_runs_a_class_it_does_not_name(tmp_path):
    """The trap the recipe used to fall into: the default sync class plus threads silently becomes gthread."""
    config = tmp_path / "gunicorn.conf.py"
    config.write_text("threads = 2\n", encoding="utf-8")

    assert _named_worker_class(config) == "sync"
    assert _ConfigProbe(config).cfg.worker_class_str == "gthread"


# --- the nginx recipe and its loopback copy ---------------------------------------------------------------

# What the loopback copy may change in a recipe line (deploy/local_nginx.py's module docstring): nothing else.
REWRITABLE = re.compile(
    r"^\s*(user|pid|error_log|access_log|ssl_certificate|ssl_certificate_key|proxy_cache_path|listen|alias|"
    r"server 127\.0\.0\.1:|http \{)"
)
INSERTABLE = re.compile(r"^\s*(daemon off;|# .*)$")


def test_nginx_accepts_the_loopback_copy_of_the_recipe(tmp_path):
    _require("nginx", "nginx")
    _require("openssl", "openssl")
    config = nginx_local_config(workdir=tmp_path, listen_port=_free_port(), upstream_port=_free_port())

    result = subprocess.run(nginx_command(config, "-t"), capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    original = NGINX_RECIPE.read_text(encoding="utf-8").splitlines()
    copy = config.read_text(encoding="utf-8").splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=original, b=copy, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        assert all(REWRITABLE.match(line) for line in original[i1:i2]), original[i1:i2]
        assert all(str(tmp_path) in line or REWRITABLE.match(line) or INSERTABLE.match(line) for line in copy[j1:j2])
    directives = [line.split("#", 1)[0] for line in copy]
    assert not [line for line in directives if re.search(r"\s/(var|run|srv|etc/ssl|etc/letsencrypt)/", line)]


def test_the_loopback_copy_refuses_a_recipe_it_cannot_follow(tmp_path, monkeypatch):
    _require("openssl", "openssl")
    recipe = NGINX_RECIPE.read_text(encoding="utf-8")
    changed = tmp_path / "nginx.conf"
    monkeypatch.setattr(local_nginx, "RECIPE", changed)

    changed.write_text(recipe.replace("pid /run/nginx.pid;\n", ""), encoding="utf-8")
    with pytest.raises(RecipeChanged, match="pid"):
        nginx_local_config(workdir=tmp_path / "a", listen_port=1, upstream_port=2)

    changed.write_text(recipe.replace("server_tokens off;", "server_tokens off;\n    root /var/www/html;"), encoding="utf-8")
    with pytest.raises(RecipeChanged, match="/var/www/html"):
        nginx_local_config(workdir=tmp_path / "b", listen_port=1, upstream_port=2)

    changed.write_text(recipe.replace("listen 80 default_server;", "listen 8080 default_server;"), encoding="utf-8")
    with pytest.raises(RecipeChanged, match="listen"):
        nginx_local_config(workdir=tmp_path / "c", listen_port=1, upstream_port=2)


@pytest.mark.django_db
def test_the_micro_cache_key_covers_everything_public_pages_vary_on(client):
    """deploy/nginx.conf ignores Vary: its key and bypass list must name what Django's answer depends on."""
    recipe = NGINX_RECIPE.read_text(encoding="utf-8")

    for path in ("/", "/news/", "/search/?q=防汛", "/news/archive/", "/feeds/rss/"):
        response = client.get(path)
        vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
        assert vary <= {"cookie"}, (path, vary)
    assert len(settings.LANGUAGES) == 1  # so no page varies on Accept-Language (there is no LocaleMiddleware)
    mode = re.search(rf"map \$cookie_{display_mode.COOKIE_NAME} \$(\w+) \{{\s*{display_mode.LARGE}\s", recipe)[1]
    assert re.search(rf"^\s*proxy_cache_key .*\${mode}\b", recipe, flags=re.MULTILINE)
    bypassed = re.search(r'"~\(\^\|;\)\\s\*\((?P<names>[\w|]+)\)="', recipe)["names"].split("|")
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, CookieStorage.cookie_name} == set(bypassed)


# --- the site behind nginx on loopback --------------------------------------------------------------------


class Site:
    """The site served as in production: private redis-server, gunicorn with the recipe, nginx's loopback copy."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = _free_port()
        self.upstream_port = _free_port()
        self.processes: list[subprocess.Popen] = []
        self.logs: dict[str, Path] = {}

    # processes

    def start(self, redis_server: str) -> None:
        redis_port = _free_port()
        self._spawn("redis", [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"])  # fmt: skip
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "REDIS_URL"}},
            "DJANGO_SETTINGS_MODULE": "pingcheng.settings",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": SERVER_NAME,
            "BEHIND_PROXY": "true",
            "SECURE_SSL_REDIRECT": "true",
            "VAR_DIR": str(self.workdir / "var"),
            "DATABASE_URL": f"sqlite:///{self.workdir / 'db.sqlite3'}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "STATIC_ROOT": str(self.workdir / "static"),
            "MEDIA_ROOT": str(self.workdir / "media"),
            "PORT": str(self.upstream_port),
            "WEB_CONCURRENCY": "2",
            "PYTHONUNBUFFERED": "1",  # gunicorn's access log reaches its file as each request ends
        }
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_demo")
        self.shell(
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_superuser('smoke', password='{STAFF_PASSWORD}')"
        )
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self._spawn("gunicorn", [str(gunicorn), "-c", str(GUNICORN_RECIPE), "pingcheng.wsgi"], env=self.env, cwd=REPO)
        config = nginx_local_config(workdir=self.workdir / "nginx", listen_port=self.port,
                                    upstream_port=self.upstream_port, static_root=self.workdir / "static",
                                    media_root=self.workdir / "media")  # fmt: skip
        self._spawn("nginx", nginx_command(config))
        wait_for(self._answers, timeout=90, message=f"the site behind nginx:\n{self.tail()}")

    def _spawn(self, name: str, command: list[str], **kwargs) -> None:
        self.logs[name] = self.workdir / f"{name}.log"
        with open(self.logs[name], "w") as log:
            self.processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **kwargs))

    def _answers(self) -> bool:
        for process in self.processes:
            assert process.poll() is None, f"{process.args[0]} exited:\n{self.tail()}"
        try:
            return self.get("/healthz").status == 200
        except OSError:
            return False

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def tail(self) -> str:
        return "\n".join(f"--- {name}\n{path.read_text(errors='replace')[-2000:]}" for name, path in self.logs.items())

    def manage(self, *arguments: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *arguments], cwd=REPO, env=self.env, capture_output=True,
                                text=True, timeout=180)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def shell(self, command: str) -> str:
        return self.manage("shell", "-c", command)

    # requests, as a browser sends them to https://news.example.cn/

    def request(self, method: str, path: str, *, cookies: str = "", body: str = "", host: str = SERVER_NAME,
                headers: dict | None = None) -> "Answer":  # fmt: skip
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the loopback copy's self-signed certificate
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=context)
        sent = {"Host": host, **({"Cookie": cookies} if cookies else {}), **(headers or {})}
        try:
            connection.request(method, path, body=body.encode() or None, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read().decode(errors="replace"))
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> "Answer":
        return self.request("GET", path, **kwargs)

    def log_in_as_staff(self) -> str:
        """Log in through nginx like a browser; returns the Cookie header of the session."""
        form = self.get("/admin/login/")
        csrf = re.search(r"csrftoken=([^;]+)", form.cookies)[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)[1]
        answer = self.request(
            "POST", "/admin/login/", cookies=f"csrftoken={csrf}",
            body=urllib.parse.urlencode({"username": "smoke", "password": STAFF_PASSWORD, "csrfmiddlewaretoken": token,
                                         "next": "/admin/"}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{SERVER_NAME}",
                     "Referer": f"https://{SERVER_NAME}/admin/login/"},
        )  # fmt: skip
        assert answer.status == 302, answer.body[-2000:]
        session = re.search(r"sessionid=([^;]+)", answer.cookies)[1]
        csrf = re.search(r"csrftoken=([^;]+)", answer.cookies)[1]  # rotated at login
        return f"csrftoken={csrf}; sessionid={session}"


class Answer:
    def __init__(self, status: int, headers, body: str):
        self.status, self.headers, self.body = status, headers, body

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Cache-Status")

    @property
    def cookies(self) -> str:
        return "; ".join(self.headers.get_all("Set-Cookie") or [])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _require("nginx", "nginx")
    _require("openssl", "openssl")
    redis_server = _require("redis-server", "redis-server")
    site = Site(tmp_path_factory.mktemp("deploy-smoke"))
    try:
        site.start(redis_server)
        yield site
    finally:
        site.stop()


def _fresh_path(path: str = "/") -> str:
    """A page URL no other request used: its own cache entry (Django's page cache ignores the parameter)."""
    return f"{path}?smoke={uuid.uuid4().hex}"


def test_an_anonymous_page_is_served_from_the_micro_cache_within_the_second(site):
    path = _fresh_path()

    first, second = site.get(path), site.get(path)

    assert first.status == second.status == 200 and "平城新闻" in first.body
    assert (first.cache, second.cache) == ("MISS", "HIT")
    assert second.body == first.body
    # Django saw https through nginx (BEHIND_PROXY): no redirect loop with SECURE_SSL_REDIRECT on, and HSTS sent.
    assert "max-age=31536000" in second.headers["Strict-Transport-Security"]
    # Vary still reaches browsers; nginx ignored it only for its own store.
    assert "Cookie" in ", ".join(second.headers.get_all("Vary"))
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]
    assert second.headers["X-Content-Type-Options"] == "nosniff"


def test_the_access_logs_keep_the_path_but_not_what_readers_typed(site):
    words = uuid.uuid4().hex
    assert site.get(f"/search/?q={words}").status == 200

    def logs() -> tuple[str, str] | None:  # each written once the answer has gone out
        nginx_log = (site.workdir / "nginx" / "access.log").read_text(errors="replace")
        gunicorn_log = site.logs["gunicorn"].read_text(errors="replace")
        return '"GET /search/ HTTP/' in nginx_log and '"GET /search/"' in gunicorn_log and (nginx_log, gunicorn_log)

    nginx_log, gunicorn_log = wait_for(logs, timeout=10, message="both access logs to record the search")
    assert words not in nginx_log and words not in gunicorn_log


def test_a_logged_in_staff_member_is_never_served_from_nor_stored_in_the_cache(site):
    session = site.log_in_as_staff()
    path = _fresh_path()

    staff = [site.get(path, cookies=session) for _ in range(2)]
    reader = site.get(path)

    assert [answer.cache for answer in staff] == ["BYPASS", "BYPASS"]
    assert all(answer.status == 200 and "private" in answer.headers["Cache-Control"] for answer in staff)
    assert reader.cache == "MISS"  # the staff member's page was not stored for the next reader
    assert site.get(path, cookies=session).cache == "BYPASS"  # nor is the reader's copy served to staff
    assert site.get("/admin/", cookies=session).status == 200


def test_any_session_or_csrf_cookie_bypasses_the_cache(site):
    path = _fresh_path()
    assert site.get(path).cache == "MISS"

    for cookies in ("sessionid=not-a-session", "csrftoken=abc", "theme=dark; csrftoken=abc", "messages=x"):
        assert site.get(path, cookies=cookies).cache == "BYPASS", cookies
    assert site.get(path, cookies="theme=dark").cache == "HIT"  # a cookie the site does not read changes nothing


def test_a_post_is_never_answered_from_the_cache(site):
    path = _fresh_path()
    assert site.get(path).cache == "MISS"

    post = site.request("POST", path, body="x=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    switch = site.request("POST", "/display-mode/", body="mode=large&next=/", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})  # fmt: skip

    assert post.status == 403 and post.cache is None  # Django's CSRF answer, not the cached page
    assert switch.status == 303 and switch.cache is None and "display_mode=large" in switch.cookies
    assert site.get(path).cache == "HIT"


def test_the_elderly_mode_has_its_own_cache_entry(site):
    path = _fresh_path()

    standard = site.get(path)
    large = site.get(path, cookies=f"{display_mode.COOKIE_NAME}={display_mode.LARGE}")
    large_again = site.get(path, cookies=f"theme=dark; {display_mode.COOKIE_NAME}={display_mode.LARGE}")
    standard_again = site.get(path, cookies=f"{display_mode.COOKIE_NAME}=anything-else")

    assert (standard.cache, large.cache, large_again.cache, standard_again.cache) == ("MISS", "MISS", "HIT", "HIT")
    assert 'class="mode-large"' in large.body and 'class="mode-large"' in large_again.body
    assert "mode-large" not in standard.body and "mode-large" not in standard_again.body


def test_static_files_and_media_are_served_by_nginx(site):
    manifest = json.loads((site.workdir / "static" / "staticfiles.json").read_text(encoding="utf-8"))["paths"]
    hashed = manifest["css/site.css"]
    (site.workdir / "media" / "photos").mkdir(parents=True, exist_ok=True)
    (site.workdir / "media" / "photos" / "smoke.480.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a photo")

    css = site.get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    original = site.get("/static/css/site.css")
    photo = site.get("/media/photos/smoke.480.jpg")

    assert css.status == 200 and css.headers["Content-Encoding"] == "gzip"  # collectstatic's .gz, as is
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable" and css.cache is None
    assert original.status == 200 and original.headers["Cache-Control"] == "public, max-age=3600"
    assert photo.status == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in photo.headers["Content-Security-Policy"]
    assert "/static/" not in site.logs["gunicorn"].read_text(errors="replace")  # no worker spent on a file


def test_plain_http_redirects_to_the_https_site(site):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(site.workdir / "nginx" / local_nginx.HTTP_SOCKET))
        sock.sendall(b"GET /news/?page=2 HTTP/1.1\r\nHost: whatever.example\r\nConnection: close\r\n\r\n")
        head = sock.makefile("rb").read().decode(errors="replace")

    assert head.startswith("HTTP/1.1 301")
    assert f"Location: https://{SERVER_NAME}/news/?page=2\r\n" in head


def test_a_host_that_is_not_the_site_gets_no_answer(site):
    with pytest.raises((http.client.HTTPException, OSError)):  # nginx's 444: the connection is closed unanswered
        site.get("/", host="evil.example")


def test_a_publication_is_on_the_front_page_within_seconds_while_readers_are_served_from_the_cache(site):
    """A reader polls the front page every 50 ms throughout; the publication commits in another process."""
    headline = f"部署冒烟测试快讯{uuid.uuid4().hex[:6]}"
    answers: list[tuple[float, Answer]] = []
    done = threading.Event()

    def reader():
        deadline = time.time() + 60
        while not done.is_set() and time.time() < deadline:
            answer = site.get("/")
            answers.append((time.time(), answer))
            if headline in page_text(answer.body):
                return
            time.sleep(0.05)

    polling = threading.Thread(target=reader)
    polling.start()
    try:
        output = site.shell(
            "import time; from django.utils import timezone; from articles.models import Article; "
            "from articles.services import article_prepare_body, articles_publish_due; "
            f"article = Article(headline='{headline}', lead='冒烟测试', body='<p>冒烟测试正文。</p>', "
            "status=Article.Status.SCHEDULED, publish_at=timezone.now()); "
            "article_prepare_body(article); article.save(); assert articles_publish_due() == 1; "
            "print('committed at', time.time())"
        )
        committed = float(re.search(r"committed at ([\d.]+)", output)[1])
        polling.join(timeout=30)
    finally:
        done.set()
        polling.join()

    timeline = [(round(at - committed, 2), answer.cache) for at, answer in answers if at > committed - 0.5]
    fresh = next((at - committed for at, answer in answers if headline in page_text(answer.body)), None)
    print(f"publication on the front page through nginx {fresh}s after its commit: {timeline}")
    assert fresh is not None and fresh < 3, timeline
    assert all(answer.status == 200 for _at, answer in answers)
    # Readers were answered from the cache (HIT, or STALE while one request refreshed it), not all by Django.
    assert sum(answer.cache in ("HIT", "STALE", "UPDATING") for _at, answer in answers) > len(answers) / 2, timeline


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _open_sockets(pid: int) -> set[str]:
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:"):
            sockets.add(target)
    return sockets


def test_gunicorn_spreads_persistent_connections_over_its_workers(site):
    """nginx's upstream pool opens its connections at once and keeps them: without a cap one worker would
    accept them all while the other stays idle (measured: half the machine's throughput)."""
    master = next(p for p in site.processes if p.args[0].endswith("gunicorn")).pid
    workers = _worker_pids(master)
    assert len(workers) == 2
    before = {pid: _open_sockets(pid) for pid in workers}
    clients = [socket.create_connection(("127.0.0.1", site.upstream_port), timeout=10) for _ in range(8)]
    try:
        time.sleep(1)  # the workers accept; no request is sent, so each holds what it took
        held = sorted(len(_open_sockets(pid) - before[pid]) for pid in workers)
    finally:
        for client in clients:
            client.close()
    assert sum(held) == 8
    # A worker takes at most its threads plus one idle connection (5); the other worker takes the rest.
    assert held[0] >= 8 - (_ConfigProbe(GUNICORN_RECIPE).cfg.threads + 1), held
