"""The README tells the truth: every environment variable the code reads is in its configuration table."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Test-runner internals, set by tests/settings.py and tests/conftest.py for their own processes.
INTERNAL = {"PINGCHENG_TEST_QUEUE", "PINGCHENG_WORKER_DB_NAME", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
READS = re.compile(r"""(?:env_(?:str|int|bool|list)\(\s*|os\.environ\.get\(|os\.environ\[)["']([A-Z][A-Z0-9_]+)["']""")


def variables_read_by_the_code() -> set[str]:
    names = set()
    for folder in ("pingcheng", "articles", "campaigns", "grievances", "deploy"):
        for path in (REPO / folder).rglob("*.py"):
            names.update(READS.findall(path.read_text(encoding="utf-8")))
    return names - INTERNAL


def test_every_environment_variable_is_documented_in_the_readme():
    table = (REPO / "README.md").read_text(encoding="utf-8").split("## Configuration", 1)[1]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    missing = variables_read_by_the_code() - documented
    assert not missing, f"README's configuration table lacks: {sorted(missing)}"


def test_the_scan_finds_the_variables_it_should():
    assert {"DATABASE_URL", "REDIS_URL", "EMAIL_BACKEND", "NOTICE_ADDRESS_RETENTION_DAYS", "PORT"} <= variables_read_by_the_code()
