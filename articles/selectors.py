"""The newsroom's reads for public pages: what is live, with the joins each page needs declared here."""

from django.db.models import Prefetch, QuerySet

from articles.models import Article, ArticlePhoto, Correction, Credit
from articles.services import article_live_q


def _with_byline(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("section", "series").prefetch_related(
        Prefetch("credits", queryset=Credit.objects.select_related("contributor"))
    )


def article_list_live() -> QuerySet[Article]:
    """Articles the public may see now, newest first, with section, series and credits loaded."""
    return _with_byline(Article.objects.filter(article_live_q())).order_by("-publish_at", "-pk")


def article_list_live_with_photos() -> QuerySet[Article]:
    return article_list_live().prefetch_related(
        Prefetch("figures", queryset=ArticlePhoto.objects.select_related("photo__credit"))
    )


def article_detail_queryset() -> QuerySet[Article]:
    """Everything the article page shows in a fixed number of queries."""
    return _with_byline(Article.objects.all()).select_related("page__edition").prefetch_related(
        Prefetch("figures", queryset=ArticlePhoto.objects.select_related("photo__credit")),
        Prefetch("corrections", queryset=Correction.objects.order_by("published_at")),
        "units",
    )


def correction_list_public() -> QuerySet[Correction]:
    return Correction.objects.filter(article__in=Article.objects.filter(article_live_q())).select_related(
        "article"
    ).order_by("-published_at")
