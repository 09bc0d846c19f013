"""The public page types of the site, from the URL registry and a crawl of the demo site, not a hand-kept list.

Every URL pattern outside the back office is a candidate page type. The crawl starts at the home page and
the pages the sitemap lists, and follows the site's own links, redirects and GET forms as an anonymous
reader would; the first HTML page a pattern answers with is that type's sample. A pattern the crawl never
reaches must be something other than a page (a feed, JSON, a POST-only endpoint, a login redirect …); if it
answers HTML it is a page readers cannot find, and ``public_page_samples`` fails. So a page type a product
adds later is checked (axe-core, the Nu HTML Checker) as soon as a page links to it, without anyone listing it.

``VARIANTS`` adds what a crawl of links cannot produce: a search with a query, and the not-found page.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.contrib.syndication.views import Feed
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

# Pages a link cannot reach: a search with a query (the search form fills it in), one with a bad filter, the
# e-paper's date picker answering a date without an edition, and the not-found page, which is no URL pattern of
# its own.
VARIANTS = {
    "search results": "/search/?q=网格员",
    "search with a bad filter": "/search/?q=防汛&from=bad",
    "e-paper date without an edition": "/epaper/date/?date=2025-07-19",
    "not found (404)": "/no-such-page/",
}
# Ways in that no page links to (none now: the footer links the archive, the archive links its days). A page
# type listed here is still crawled; add one only with the reason it cannot be linked.
UNLINKED: list[str] = []
READERS = ("reader@pingcheng.example", "new-reader@pingcheng.example")  # confirmed, and asking
CRAWL_LIMIT = 400  # pages fetched at most; the demo site has about 100
SAMPLES_PER_TYPE = 20  # links of one page type followed at most (the demo has 10 articles, 19 units …)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form" and (attributes.get("method") or "get").lower() == "get" and attributes.get("action"):
            self.links.append(attributes["action"])


def _routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """(view name, route) of every URL pattern outside the back office (the admin site and /admin/)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith("admin/"):
                continue  # the back office's own views (inbox, login) live under /admin/ too
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or route
            yield name, route, entry.callback


def _page_type(path: str) -> str | None:
    """The URL pattern a same-site path resolves to (its view name), or None outside the public site."""
    if not path.startswith("/") or path.startswith("/admin/"):
        return None
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None  # /static/, /media/ …: files, not pages
    return match.view_name if match.url_name else match.route


def _sitemap_paths(client: Client) -> list[str]:
    """The pages the site lists for search engines, as paths."""
    response = client.get(reverse("sitemap"))
    return [urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", response.content.decode())]


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


_SAMPLE_VALUES = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000000"}


def _sample_path(route: str) -> str:
    # A value each converter accepts, so the probe reaches the view (a "x" for <uuid:…> never resolved: the
    # not-found page answered, and a back-office view looked like an unlinked public page).
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: _SAMPLE_VALUES.get(m.group(1), "x"), route)


def message_links() -> list[str]:
    """Pages people reach from a link in an e-mail or an SMS, never from a page: a subscriber's confirm, manage
    and unsubscribe links and a warning's acknowledgement link. Made the way residents and staff get them (a
    subscription asked for, a warning issued to a community with a grid worker), once per database."""
    from django.db import transaction

    from pingcheng.alerts.models import AlertRecipient
    from pingcheng.alerts.services import alert_fanout_run, alert_issue
    from pingcheng.directory.models import Role, Unit
    from pingcheng.notices.models import Subscriber, Topic
    from pingcheng.notices.subscriptions import subscriber_confirm, subscriber_subscribe
    from tests.factories import district, staff

    community = Unit.objects.filter(kind=Unit.Kind.COMMUNITY).order_by("path").first()
    if community is None:
        return []
    with transaction.atomic():
        reader, asking = (
            Subscriber.objects.filter(email=address).first()
            or subscriber_subscribe(address=address, units=[community], topics=[Topic.NEWS], frequency="immediate")
            for address in READERS
        )
        if reader.confirmed_at is None:
            reader = subscriber_confirm(subscriber=reader)
        recipient = AlertRecipient.objects.order_by("pk").first()
        if recipient is None:
            staff(Role.GRID_WORKER, community, username="crawl-grid-worker", first_name="网格员")
            issuer = staff(Role.DISTRICT_ADMIN, district(), username="crawl-warning-issuer")
            alert = alert_issue(by=issuer, title="暴雨蓝色预警", text="请巡查辖区低洼院落。", severity="blue",
                                units=[community])  # fmt: skip
            for fanout in alert.fanouts.all():
                alert_fanout_run(fanout_id=fanout.pk)
            recipient = alert.recipients.order_by("pk").first()
    links = [reverse("subscriptions:confirm", args=[asking.token]),
             *(reverse(f"subscriptions:{page}", args=[reader.token]) for page in ("manage", "unsubscribe"))]  # fmt: skip
    return [*links, reverse("alerts:ack", args=[recipient.token])] if recipient else links


def public_page_samples(client: Client | None = None, *, per_type: int = 1) -> dict[str, str]:
    """{page type: path} for every public HTML page type (``per_type`` different pages of each, the later ones
    named "type #2" …), and the VARIANTS; fails on a page nobody can reach and on a broken link."""
    client = client or Client()
    samples: dict[str, list[str]] = {}
    followed: dict[str, int] = {}
    broken: list[str] = []
    reached: set[str] = set()
    seeds = ["/", *_sitemap_paths(client), *UNLINKED, *message_links()]
    queue, seen = deque(seeds), set(seeds)

    def follow(base: str, link: str) -> None:
        parts = urlsplit(urljoin(base, link))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            return  # another site, or mailto:/tel:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target not in seen:
            seen.add(target)
            queue.append(target)

    fetched = 0
    while queue and fetched < CRAWL_LIMIT:
        path = queue.popleft()
        page_type = _page_type(path)
        if page_type is None or followed.get(page_type, 0) >= SAMPLES_PER_TYPE:
            continue
        followed[page_type] = followed.get(page_type, 0) + 1
        response = client.get(path)
        fetched += 1
        if response.status_code >= 400:
            broken.append(f"{path} answered {response.status_code}")
        elif response.status_code in (301, 302, 303, 307, 308):
            follow(path, response["Location"])
        elif response.status_code == 200 and not _is_html(response):
            reached.add(page_type)  # a calendar or a file the site links to: reached, though not a page
        elif response.status_code == 200 and _is_html(response):
            found = samples.setdefault(page_type, [])
            if len(found) < per_type:
                found.append(path)
            parser = _Links()
            parser.feed(response.text)
            for link in parser.links:
                follow(path, link)
    assert not broken, "links on the public site that lead nowhere:\n" + "\n".join(broken)

    unreached = []
    for name, route, view in _routes():
        if name in samples or name in reached or isinstance(view, Feed):
            continue  # a feed is XML whatever its parameters; a made-up slug would answer the HTML 404 page
        if "<" not in route and _page_type(_sample_path(route)) in samples:
            continue  # a name kept for reverse() only: an earlier pattern answers its path and was checked
        probe = client.get(_sample_path(route))
        if probe.status_code == 405:
            continue  # POST only: a form's target, not a page
        login_redirect = probe.status_code == 302 and "/login/" in probe.get("Location", "")
        if _is_html(probe) and probe.status_code not in (301, 302, 303) and not login_redirect:
            unreached.append(f"{name} ({route}): answers {probe.status_code} HTML but no page links to it")
    assert not unreached, (
        "public page types the crawl from the home page cannot reach; link them from the site (or add a way in to "
        "tests/e2e/public_pages.py):\n" + "\n".join(unreached)
    )
    assert len(samples) >= 10, f"the crawl found too few page types to be believed: {samples}"
    named = {f"{page_type} #{n}" if n > 1 else page_type: path
             for page_type, paths in samples.items() for n, path in enumerate(paths, start=1)}  # fmt: skip
    return {**named, **VARIANTS}
