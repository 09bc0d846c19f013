"""Sitemaps for search engines: live articles, sections, series and the fixed pages, plus the Google News sitemap.

Only what ``services.article_live_q`` lets the public see is listed. Domain and scheme come from the request
(``django.contrib.sites`` is not installed, so Django uses a ``RequestSite``).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from articles.models import Article, Section, Series
from articles.selectors import correction_list_public
from articles.services import article_live_q

# Google News only takes articles of the last two days, and at most 1,000 of them in one news sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000
# The News sitemap's language pattern admits "zh-cn" for Simplified Chinese.
NEWS_LANGUAGE = "zh-cn"


def _changed_at():
    """When readers last saw the article change: the latest substantive edit, else the publication."""
    return Coalesce("updated_at", "publish_at", output_field=DateTimeField())


def _latest_live_change(**filters) -> Subquery:
    return Subquery(
        Article.objects.filter(article_live_q(), **filters)
        .annotate(changed_at=_changed_at())
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )


class ArticleSitemap(Sitemap):
    def items(self) -> QuerySet[Article]:
        return (
            Article.objects.filter(article_live_q())
            .annotate(changed_at=_changed_at())
            .only("pk", "publish_at", "updated_at")
            .order_by("-publish_at", "-pk")
        )

    def lastmod(self, item: Article):
        return item.changed_at


class SectionSitemap(Sitemap):
    def items(self) -> QuerySet[Section]:
        return Section.objects.annotate(changed_at=_latest_live_change(section=OuterRef("pk"))).order_by(
            "sort_order", "pk"
        )

    def lastmod(self, item: Section):
        return item.changed_at


class SeriesSitemap(Sitemap):
    def items(self) -> QuerySet[Series]:
        return Series.objects.annotate(changed_at=_latest_live_change(series=OuterRef("pk"))).order_by("title", "pk")

    def lastmod(self, item: Series):
        return item.changed_at


class StaticPageSitemap(Sitemap):
    """The home page, the news list and the public corrections list, by URL name."""

    def items(self) -> list[str]:
        return ["home", "articles:list", "articles:corrections"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str):
        if item == "articles:corrections":
            return correction_list_public().values_list("published_at", flat=True).first()
        return (
            Article.objects.filter(article_live_q())
            .annotate(changed_at=_changed_at())
            .order_by("-changed_at")
            .values_list("changed_at", flat=True)
            .first()
        )


SITEMAPS = {
    "static": StaticPageSitemap,
    "sections": SectionSitemap,
    "series": SeriesSitemap,
    "articles": ArticleSitemap,
}


def news_sitemap_articles() -> QuerySet[Article]:
    """Live articles whose publication time falls within the last 48 hours, newest first."""
    now = timezone.now()
    return (
        Article.objects.filter(article_live_q(now), publish_at__gte=now - NEWS_WINDOW)
        .only("pk", "headline", "publish_at")
        .order_by("-publish_at", "-pk")[:NEWS_LIMIT]
    )


@require_GET
def sitemap_news(request):
    """The Google News sitemap: ``urlset`` with a ``news:news`` block for each recent article."""
    entries = [
        {
            "loc": request.build_absolute_uri(article.get_absolute_url()),
            # W3C datetime with the offset, to the second: 2026-07-18T07:00:00+08:00.
            "publication_date": timezone.localtime(article.publish_at).isoformat(timespec="seconds"),
            "title": article.headline,
        }
        for article in news_sitemap_articles()
    ]
    return render(
        request,
        "articles/sitemap_news.xml",
        {"entries": entries, "publication_name": str(settings.SITE_NAME), "language": NEWS_LANGUAGE},
        content_type="application/xml",
    )


def _robots_disallow() -> list[str]:
    """The back office and staff previews are no business of crawlers (previews only redirect them to a login).

    Both from their routes; a preview's prefix is its URL without the article id.
    """
    preview = reverse("articles:preview", kwargs={"pk": 0})
    return [reverse("admin:index"), preview[: preview.rindex("0/")]]


@require_GET
def robots_txt(request):
    """Crawl everything public, and where the sitemaps are, as absolute URLs on the host that was asked."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}" for prefix in _robots_disallow()]
    lines += [
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
