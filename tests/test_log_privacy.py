"""Logs and error pages never carry a resident's phone number, e-mail address or name.

The whole suite's log records are checked by ``pytest_sessionfinish`` in ``tests/conftest.py`` with the rule in
``pingcheng.audit.privacy``; these tests pin the rule down and show that the check fails a run whatever
the order of its tests.
"""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path

from pingcheng import urls as site_urls
from pingcheng.audit.privacy import RESIDENT_DEMO_NAMES, personal_data_in

REPO = Path(__file__).resolve().parent.parent
CANARY = "PINGCHENG_LOG_PRIVACY_CANARY"


# --- the rule --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, found",
    [
        ("短信已发送至 13912345678", ["13912345678"]),
        ("sms to +86 139-1234-5678?", []),  # hyphenated numbers are not a mobile number to the rule …
        ("sms to +8613912345678.", ["+8613912345678"]),
        ("收件人 zhangsan@example.com 退信", ["zhangsan@example.com"]),
        (f"诉求人{RESIDENT_DEMO_NAMES[0]}来电", [RESIDENT_DEMO_NAMES[0]]),
        ("电话13912345678，邮箱a.b@mail.example.cn", ["13912345678", "a.b@mail.example.cn"]),
        # beside an identifier, a number is still found
        ("task 49ed4782-056c-4573-9549-b1694002273a for 13912345678", ["13912345678"]),
    ],
)
def test_contacts_and_demo_resident_names_are_personal_data(text, found):
    assert personal_data_in(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "短信已发送至 139****5678",  # masked as every page and log line shows it
        "收件人 z***@example.com 退信",
        "task finished at 1718000000000 ms",  # a millisecond timestamp is no phone number
        "notice 12345678901234 claimed",  # nor is a long id that contains one
        # nor a Celery task id (a UUID) or a hex token whose digits happen to read as one
        "Task pingcheng.notices.tasks.notice_deliver[49ed4782-056c-4573-9549-b16940022739] received",
        "token 3f0a9c1e5b7d4a2c8e6f0b16940022739d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6 confirmed",
        "article 7 edited by editor (王同志3)",  # staff are named by username and name
        "",
    ],
)
def test_masked_contacts_ids_and_staff_are_not_personal_data(text):
    assert personal_data_in(text) == []


# --- the cost of the rule ----------------------------------------------------------------------------------
# The request-log filter masks every line Django logs about a refused request, so a long URL must not be a
# cheap way to load the server. The old unanchored pattern took about 2 s for a 40,000-character path without
# "@" (quadratic: some 50 s at 200,000 in each of the filter and the check); the lines below all take
# milliseconds. Run in a subprocess so that a regression fails at the timeout instead of hanging the suite.

COST_TIMEOUT_SECONDS = 30
COST_SCRIPT = """
import logging
from pingcheng.audit.log_filters import ContactsMasked
from pingcheng.audit.privacy import personal_data_in

n = 200_000
paths = ["a" * n, "a." * (n // 2), "a@" * (n // 2), "x@" + "a." * (n // 2), "1" * n, ("a" * 63 + "/") * (n // 64)]
for path in paths:
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Not Found: %s", ("/" + path,), None)
    ContactsMasked().filter(record)
    personal_data_in(record.getMessage())
tail = "/" + "a" * n + "/zhangsan@example.com/13912345678"
record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Not Found: %s", (tail,), None)
ContactsMasked().filter(record)
print(record.getMessage()[-29:], personal_data_in(tail)[-2:], personal_data_in(record.getMessage()))
"""


def test_a_200k_character_request_line_is_masked_and_checked_in_linear_time():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        run = subprocess.run([sys.executable, "-c", COST_SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
                             timeout=COST_TIMEOUT_SECONDS)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"masking and checking 200,000-character log lines took over {COST_TIMEOUT_SECONDS} s: "
                    "the contact patterns backtrack quadratically")  # fmt: skip
    assert run.returncode == 0, run.stderr
    # The contacts after the long run are still found and masked, and nothing is left to find.
    assert run.stdout.strip() == "/z***@example.com/139****5678 ['zhangsan@example.com', '13912345678'] []"


# --- the session-wide check fails the run ----------------------------------------------------------------


@pytest.fixture
def canary_enabled():
    if os.environ.get(CANARY) != "1":
        pytest.skip(f"only in the inner run of test_a_leak_in_any_test_fails_the_whole_run ({CANARY}=1)")


def test_canary_a_test_that_logs_a_phone_number(canary_enabled):
    logging.getLogger("pingcheng.canary").info("sms to %s", "13912345678")


def test_canary_a_worker_log_with_an_email_address(canary_enabled, tmp_path_factory):
    (tmp_path_factory.mktemp("celery") / "worker.log").write_text("task sent to zhangsan@example.com\n")


def test_canary_a_clean_test_that_runs_last(canary_enabled):
    assert True


def _inner_run(*tests: str, workers: int = 0) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "PINGCHENG_TEST_"))}
    env.update({CANARY: "1", "PYTHONPATH": str(REPO)})
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               *(["-n", str(workers)] if workers else []),
               *(f"tests/test_log_privacy.py::{test}" for test in tests)]  # fmt: skip
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("workers", [0, 2], ids=["one process", "two xdist workers"])
def test_a_leak_in_any_test_fails_the_whole_run(workers):
    # The leaking tests run first and a clean one last: a check placed in a last test would pass this run.
    # ``make test`` runs the suite in xdist workers: what a worker saw must fail the controller's run.
    run = _inner_run(
        "test_canary_a_test_that_logs_a_phone_number",
        "test_canary_a_worker_log_with_an_email_address",
        "test_canary_a_clean_test_that_runs_last",
        workers=workers,
    )
    output = run.stdout + run.stderr

    assert run.returncode == pytest.ExitCode.TESTS_FAILED, output
    assert "3 passed" in output
    assert "Personal data in 2 log records" in output
    assert "test_canary_a_test_that_logs_a_phone_number" in output and "139****5678" in output
    assert "worker.log" in output and "z***@example.com" in output
    # The report itself masks what it found.
    assert "13912345678" not in output and "zhangsan@example.com" not in output


def test_a_run_without_leaks_passes():
    run = _inner_run("test_canary_a_clean_test_that_runs_last")
    assert run.returncode == pytest.ExitCode.OK, run.stdout + run.stderr


# --- error pages and request logs ---------------------------------------------------------------------------


def failing_view(request):
    resident = {"name": RESIDENT_DEMO_NAMES[1], "phone": "13912345678", "email": "guojp@example.com"}  # noqa: F841
    raise RuntimeError("分拣失败")


urlpatterns = [path("boom/", failing_view), *site_urls.urlpatterns]
handler500 = "pingcheng.views.server_error"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_500_page_shows_nothing_of_what_the_failing_view_held(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert personal_data_in(response.text) == []


@pytest.mark.django_db
@pytest.mark.parametrize("contact, masked", [("13912345678", "139****5678"), ("zhangsan@example.com", "z***@")])
def test_a_contact_in_a_missing_address_is_masked_in_the_request_log(client, caplog, contact, masked):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/news/{contact}/")
    assert response.status_code == 404
    assert masked in caplog.text
    assert contact not in caplog.text
