"""Deployment safety: `check --deploy` names development channels, demo logins stay in development, and no
logging call of ours is handed a contact unmasked.

The `check --deploy` cases run `manage.py` in a fresh interpreter with the environment a deployment would
have, as in tests/test_settings_modes.py.
"""

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from pingcheng.directory.models import Unit

REPO = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "k" * 20 + "Zr8-Qp2_vX7mN4tL9sB1cF6hJ3dG5wY0eA"
OUR_VARIABLES = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "VAR_DIR", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS",
                 "EMAIL_HOST", "EMAIL_BACKEND", "SMS_BACKEND"}  # fmt: skip

# A provider's SMS client as a deployment would plug it in (here it only needs to be importable).
GATEWAY_MODULE = textwrap.dedent(
    """
    from pingcheng.notices.sms import SmsBackend, SmsError


    class GatewaySmsBackend(SmsBackend):
        timeout = 10

        def send(self, phone, text, *, idempotency_key):
            raise SmsError("no gateway in tests")
    """
)


def check_deploy(tmp_path, **env) -> subprocess.CompletedProcess:
    (tmp_path / "sms_gateway.py").write_text(GATEWAY_MODULE, encoding="utf-8")
    environment = {
        **{k: v for k, v in os.environ.items() if k not in OUR_VARIABLES},
        "DJANGO_SETTINGS_MODULE": "pingcheng.settings",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "news.example.cn",
        "VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": os.pathsep.join([str(REPO), str(tmp_path)]),
        **env,
    }
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=REPO,
                          env=environment, capture_output=True, text=True, timeout=60)  # fmt: skip


def test_check_deploy_warns_about_the_default_console_channels(tmp_path):
    result = check_deploy(tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "notices.W002" in output and "MaskedLogEmailBackend" in output and "邮件通知不会真正发出" in output
    assert "notices.W003" in output and "ConsoleSmsBackend" in output and "短信通知不会真正发出" in output


def test_without_a_mail_server_production_logs_only_masked_recipients(tmp_path):
    """The console backend would print a resident's address and the whole text into the server's log."""
    script = (
        "import django, logging; django.setup(); from django.conf import settings; from django.core.mail import send_mail; "
        "logging.basicConfig(level=logging.INFO); print(settings.EMAIL_BACKEND); "
        "send_mail('您的诉求已答复', '张三您好，您反映的问题已处理。', None, ['zhang.san@example.com'])"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if k not in OUR_VARIABLES},
        "DJANGO_SETTINGS_MODULE": "pingcheng.settings", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "news.example.cn",
        "VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(REPO),
    }  # fmt: skip
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "pingcheng.notices.mail.MaskedLogEmailBackend" in output
    assert "z***@example.com" in output
    assert "zhang.san@example.com" not in output and "张三" not in output


def test_check_deploy_warns_about_in_memory_and_file_backends(tmp_path):
    result = check_deploy(tmp_path, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                          SMS_BACKEND="pingcheng.notices.sms.FileSmsBackend")  # fmt: skip

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "notices.W002" in output and "locmem.EmailBackend" in output
    assert "notices.W003" in output and "FileSmsBackend" in output


def test_check_deploy_is_silent_with_smtp_and_an_sms_gateway(tmp_path):
    result = check_deploy(tmp_path, EMAIL_HOST="smtp.example.cn", SMS_BACKEND="sms_gateway.GatewaySmsBackend")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_channels_are_not_reported_with_debug_on(tmp_path):
    result = check_deploy(tmp_path, DEBUG="true")

    output = result.stdout + result.stderr
    assert "notices.W002" not in output and "notices.W003" not in output


# --- demo accounts ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_demo_accounts_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as refusal:
        call_command("load_demo", "--accounts", verbosity=0)

    assert "DEBUG" in str(refusal.value) and "演示账号" in str(refusal.value)
    assert not get_user_model().objects.exists()
    assert not Unit.objects.exists()  # refused before anything was written


@pytest.mark.django_db
def test_load_demo_accounts_runs_with_debug_on(settings):
    settings.DEBUG = True

    call_command("load_demo", "--accounts", verbosity=0)

    assert get_user_model().objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_load_demo_without_accounts_runs_with_debug_off(settings):
    settings.DEBUG = False

    call_command("load_demo", verbosity=0)

    assert Unit.objects.exists() and not get_user_model().objects.exists()


# --- contacts in our logging calls --------------------------------------------------------------------

LOGGING_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
CONTACT_NAME = re.compile(r"phone|mobile|recipient|address|email|e_mail", re.IGNORECASE)


def _unmasked_contacts(node: ast.AST) -> list[str]:
    """Names that look like a phone number or an address, in ``node``, not inside ``mask_…(…)`` or ``len(…)``."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name.startswith("mask_") or name == "len":
            return []
    if isinstance(node, ast.Name) and CONTACT_NAME.search(node.id):
        return [node.id]
    if isinstance(node, ast.Attribute) and CONTACT_NAME.search(node.attr):
        return [node.attr]
    return [found for child in ast.iter_child_nodes(node) for found in _unmasked_contacts(child)]


def unmasked_logging_calls(source: str) -> list[tuple[int, list[str]]]:
    findings = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in LOGGING_METHODS
                and isinstance(node.func.value, ast.Name) and node.func.value.id in {"logger", "log", "logging"}):  # fmt: skip
            names = [found for arg in [*node.args, *(k.value for k in node.keywords)] for found in _unmasked_contacts(arg)]
            if names:
                findings.append((node.lineno, names))
    return findings


def test_the_scan_finds_an_unmasked_contact_and_passes_a_masked_one():
    assert unmasked_logging_calls("logger.info('SMS to %s', notice.recipient)") == [(1, ["recipient"])]
    assert unmasked_logging_calls("logger.warning(f'bad {phone}')") == [(1, ["phone"])]
    assert unmasked_logging_calls("logger.info('SMS to %s', mask_phone(phone))") == []
    assert unmasked_logging_calls("logger.info('notice %s', notice.pk)") == []
    assert unmasked_logging_calls("logger.info('%s addresses', len(addresses))") == []


def test_no_logging_call_of_ours_is_handed_a_phone_number_or_address_unmasked():
    findings = {}
    for folder in ("pingcheng", "articles", "campaigns", "grievances"):
        for path in (REPO / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found = unmasked_logging_calls(path.read_text(encoding="utf-8"))
            if found:
                findings[str(path.relative_to(REPO))] = found
    assert not findings, f"mask these with pingcheng.chinese / pingcheng.notices.masking: {findings}"
