"""Every public URL pattern with hostile values in the path, the query and a form: no answer is a 5xx.

The patterns come from walking the URL resolver (``pingcheng.urls`` and every include), so a page that the
campaigns or the inquiry desk add later is fuzzed without anyone editing this file. The back office
(``admin/``) and the upload endpoints are staff only and covered by the permission matrix and the photo
tests.

Each placeholder gets each hostile value in turn while the others keep an ordinary value — a real one
taken from the demo site where a page of that pattern exists — so the number of requests grows with the
patterns, not with their product. Runs on SQLite and on PostgreSQL, which refuses NUL in parameters.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import pytest
from django.contrib.admindocs.views import simplify_regex
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

BACK_OFFICE = "admin/"
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
ORDINARY_VALUE = {"int": "1", "slug": "a", "str": "a", "path": "a", "uuid": "00000000-0000-0000-0000-000000000001"}

HOSTILE_SEGMENTS = [
    "%00",
    "x" * 10_000,
    "%ff%fe",  # not UTF-8
    "%ed%a0%80",  # an encoded surrogate
    str(10**30),
    str(2**31),  # one past PostgreSQL's integer
    "-1",
    "..",
    "a%2fb",
    quote("２０２６－０１－０１"),  # full-width digits: str.isdigit() and int() take them
    quote("\u202e\u200b\ufeff"),  # right-to-left override, zero-width space, byte order mark
    quote("\U0001f600e\u0301"),  # an emoji, a decomposed accent
    quote("<script>alert(1)</script>"),
    quote("' OR 1=1 --"),
]

# Names that views read from the query or a form; each hostile value goes into all of them at once.
PARAMETER_NAMES = ("page", "q", "p", "section", "unit", "tag", "date", "year", "month", "day", "sort", "format", "next")
HOSTILE_VALUES = ["%00", "%ff%fe", str(10**30), "-1", "x" * 10_000, quote("<script>alert(1)</script>")]
MANY_PARAMETERS = "&".join(f"f{i}=1" for i in range(2000))
HOSTILE_QUERIES = [
    *("&".join(f"{name}={value}" for name in PARAMETER_NAMES) for value in HOSTILE_VALUES),
    MANY_PARAMETERS,
    "page=1&page=2&page=x",
]
HOSTILE_FORMS = [
    {name: "a\x00b" for name in PARAMETER_NAMES},
    {name: "x" * 10_000 for name in PARAMETER_NAMES},
    {f"f{i}": "1" for i in range(2000)},
]


@dataclass(frozen=True)
class PublicRoute:
    route: str  # "news/tags/<path:tag>/", the form ResolverMatch.route uses

    def __str__(self) -> str:
        return self.route

    def placeholders(self) -> list[tuple[str, str]]:
        """(name, converter) of each placeholder, in order."""
        return [(match["name"], match["converter"] or "str") for match in PLACEHOLDER.finditer(self.route)]

    def url(self, values: dict[str, str]) -> str:
        return "/" + PLACEHOLDER.sub(lambda match: values[match["name"]], self.route)


def public_routes() -> list[PublicRoute]:
    """Every URL pattern outside the back office that is not an upload endpoint, in resolver order."""
    routes = []
    for route, callback in _walk(get_resolver().url_patterns, ""):
        if route.startswith(BACK_OFFICE) or getattr(callback, "is_upload_endpoint", False):
            continue
        if PublicRoute(route) not in routes:
            routes.append(PublicRoute(route))
    return routes


def _walk(entries, prefix: str):
    for entry in entries:
        route = prefix + _route_text(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def _route_text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    # re_path(): named groups become <name> placeholders, taken as str.
    return simplify_regex(str(pattern)).removeprefix("/")


ROUTES = public_routes()


@pytest.fixture(scope="module")
def real_values(django_db_setup, django_db_blocker):
    """The demo site, loaded once for the module and rolled back after it; real values per pattern.

    The values come from the demo's pages: the front page, the sitemap and each model's own URL, then the
    links on one page of each pattern found so far. A detail page is thus fuzzed as a page that exists, not
    only as a 404.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield _values_from_demo_pages(Client())
        transaction.set_rollback(True)


def _values_from_demo_pages(client: Client) -> dict[str, dict[str, str]]:
    from django.apps import apps

    found: dict[str, dict[str, str]] = {}
    to_visit = [route.url({}) for route in ROUTES if not route.placeholders()]
    for model in apps.get_models():
        if hasattr(model, "get_absolute_url"):
            to_visit += [row.get_absolute_url() for row in model._default_manager.all()[:2]]
    visited = set()
    while to_visit:
        url = to_visit.pop(0)
        try:
            match = resolve(unquote(urlsplit(url).path))
        except Resolver404:
            continue
        if match.route in found or match.route.startswith(BACK_OFFICE) or url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            to_visit.append(response["Location"])
        if response.status_code != 200:
            continue
        found[match.route] = {name: quote(str(value)) for name, value in match.captured_kwargs.items()}
        if "html" in response["Content-Type"] or "xml" in response["Content-Type"]:
            to_visit += _local_links(response.content.decode())
    return found


def _local_links(text: str) -> list[str]:
    return re.findall(r'href="(/[^"#?]*)', text) + re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", text)


def hostile_requests(route: PublicRoute, real: dict[str, str]):
    """(method, url, data) for every hostile request this pattern gets."""
    ordinary = {name: real.get(name, ORDINARY_VALUE.get(converter, "1")) for name, converter in route.placeholders()}
    base = route.url(ordinary)
    for name, _converter in route.placeholders():
        for value in HOSTILE_SEGMENTS:
            yield "get", route.url({**ordinary, name: value}), None
    for query in HOSTILE_QUERIES:
        yield "get", f"{base}?{query}", None
    for form in HOSTILE_FORMS:
        yield "post", base, form


def server_errors(client: Client, requests) -> list[str]:
    """Each request that was answered with a 5xx, with the exception behind it."""
    failures = []
    for method, url, data in requests:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else None
            failures.append(f"{method.upper()} {url[:160]} → {response.status_code} {error!r:.300}")
    return failures


@pytest.fixture
def fuzz_client():
    # Exceptions become the 500 page a visitor would see, and every failure of a pattern is reported at once.
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_hostile_request_to_a_public_page_is_a_server_error(route, real_values, fuzz_client):
    failures = server_errors(fuzz_client, hostile_requests(route, real_values.get(route.route, {})))

    assert not failures, "\n".join(failures)


# --- the fuzzer itself --------------------------------------------------------------------------------


def test_the_walk_finds_public_pages_inside_includes_and_leaves_out_the_back_office_and_uploads():
    routes = {route.route for route in ROUTES}

    assert {"", "healthz", "search/", "news/tags/<path:tag>/", "epaper/<str:edition_date>/<int:page_number>/"} <= routes
    assert "feeds/section/<slug:slug>/rss/" in routes
    assert not [route for route in routes if route.startswith(BACK_OFFICE)]
    assert "news/photos/upload/" not in routes


def test_each_placeholder_gets_each_hostile_value_while_the_others_stay_ordinary():
    route = PublicRoute("news/archive/<int:year>/<int:month>/<int:day>/")

    urls = [url for method, url, data in hostile_requests(route, {"year": "2026"}) if "?" not in url and data is None]

    assert len(urls) == 3 * len(HOSTILE_SEGMENTS)
    assert (
        "/news/archive/%00/1/1/" in urls and "/news/archive/2026/%00/1/" in urls and "/news/archive/2026/1/%00/" in urls
    )


def crashing_view(request, value):
    raise ValueError("A string literal cannot contain NUL (0x00) characters.")


urlpatterns = [path("crash/<str:value>/", crashing_view)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_fuzzer_reports_a_page_that_fails_with_a_500(fuzz_client):
    failures = server_errors(fuzz_client, [("get", "/crash/a/", None)])

    assert failures == ["GET /crash/a/ → 500 ValueError('A string literal cannot contain NUL (0x00) characters.')"]
