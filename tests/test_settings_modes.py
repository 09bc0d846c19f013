"""Settings are read from the environment in both modes; each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "k" * 20 + "Zr8-Qp2_vX7mN4tL9sB1cF6hJ3dG5wY0eA"


def _settings(env: dict, expression: str = "") -> subprocess.CompletedProcess:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
        "'cache': settings.CACHES['default']['BACKEND'], 'broker': settings.CELERY_BROKER_URL, "
        "'debug': settings.DEBUG, 'tz': settings.TIME_ZONE, 'lang': settings.LANGUAGE_CODE}))"
    )
    return subprocess.run(
        [sys.executable, "-c", expression or code],
        cwd=REPO,
        env={**_clean_environment(), "DJANGO_SETTINGS_MODULE": "pingcheng.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _clean_environment() -> dict:
    """The caller's environment without any of our settings variables (the test run sets some)."""
    ours = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "VAR_DIR", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS",
            "EMAIL_HOST", "EMAIL_BACKEND", "SMS_BACKEND", "LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_MINUTES",
            "SESSION_STAFF_IDLE_MINUTES", "BEHIND_PROXY"}  # fmt: skip
    return {k: v for k, v in os.environ.items() if k not in ours}


def test_embedded_default_is_sqlite_locmem_and_filesystem_broker(tmp_path):
    result = _settings({"DEBUG": "true", "VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["cache"].endswith("LocMemCache")
    assert values["broker"] == "filesystem://"
    assert values["tz"] == "Asia/Shanghai"
    assert values["lang"] == "zh-hans"


def test_production_urls_choose_postgresql_and_redis(tmp_path):
    result = _settings(
        {
            "SECRET_KEY": PRODUCTION_KEY,
            "ALLOWED_HOSTS": "news.example.cn",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pingcheng",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["cache"] == "django_redis.cache.RedisCache"
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["debug"] is False


def test_debug_off_without_secret_key_refuses_to_start(tmp_path):
    result = _settings({"VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_off_with_the_development_key_refuses_to_start(tmp_path):
    result = _settings(
        {"VAR_DIR": str(tmp_path), "SECRET_KEY": "django-insecure-pingcheng-embedded-development-key-do-not-deploy"}
    )
    assert result.returncode != 0


def test_invalid_boolean_is_a_clear_configuration_error(tmp_path):
    result = _settings({"VAR_DIR": str(tmp_path), "DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_check_deploy_is_silent_for_a_production_configuration(tmp_path):
    # Real channels too: the console e-mail and SMS backends are reported (tests/test_deploy_checks.py).
    (tmp_path / "sms_gateway.py").write_text(
        "from pingcheng.notices.sms import SmsBackend\n\n\nclass GatewaySmsBackend(SmsBackend):\n    timeout = 10\n",
        encoding="utf-8",
    )
    env = {
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "news.example.cn",
        "VAR_DIR": str(tmp_path),
        "EMAIL_HOST": "smtp.example.cn",
        "SMS_BACKEND": "sms_gateway.GatewaySmsBackend",
        "PYTHONPATH": os.pathsep.join([str(REPO), str(tmp_path)]),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env={**_clean_environment(), "DJANGO_SETTINGS_MODULE": "pingcheng.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def _login_settings(env: dict) -> dict:
    expression = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'limit': settings.AXES_FAILURE_LIMIT, 'cooloff': settings.AXES_COOLOFF_TIME.total_seconds(), "
        "'idle': settings.SESSION_STAFF_IDLE_MINUTES, 'ip': settings.AXES_CLIENT_IP_CALLABLE, "
        "'handler': settings.AXES_HANDLER, 'backends': settings.AUTHENTICATION_BACKENDS}))"
    )
    result = _settings(env, expression)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_login_lockout_and_idle_limit_defaults(tmp_path):
    values = _login_settings({"DEBUG": "true", "VAR_DIR": str(tmp_path)})
    assert values["limit"] == 5 and values["cooloff"] == 30 * 60 and values["idle"] == 30
    assert values["handler"] == "axes.handlers.database.AxesDatabaseHandler"  # never the cache, which fails open
    assert values["backends"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["ip"] is None  # REMOTE_ADDR: without a proxy, X-Forwarded-For is the client's own word


def test_login_lockout_and_idle_limit_come_from_the_environment(tmp_path):
    values = _login_settings({"DEBUG": "true", "VAR_DIR": str(tmp_path), "LOGIN_FAILURE_LIMIT": "8",
                              "LOGIN_LOCKOUT_MINUTES": "15", "SESSION_STAFF_IDLE_MINUTES": "45", "BEHIND_PROXY": "true"})  # fmt: skip
    assert values["limit"] == 8 and values["cooloff"] == 15 * 60 and values["idle"] == 45
    assert values["ip"] == "pingcheng.accounts.login_client_ip_behind_proxy"
