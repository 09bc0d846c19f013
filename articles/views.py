from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from articles import access, selectors
from articles.models import Article, Contributor, Section, Series

PAGE_SIZE = 20


def _paginate(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def article_detail(request, pk: int):
    article = selectors.article_detail_queryset().filter(pk=pk).first()
    if article is None:
        raise Http404("稿件不存在")
    if not article.is_live:
        if article.status == Article.Status.WITHDRAWN and article.published_at:
            return render(request, "articles/article_withdrawn.html", {"article": article}, status=410)
        raise Http404("稿件不存在")
    return render(request, "articles/article_detail.html", {"article": article, "nav": "news"})


@never_cache
@staff_member_required
def article_preview(request, pk: int):
    """Any article the staff member may see, exactly as the public page would show it, marked as a preview."""
    article = access.article_access_for_user(user=request.user, pk=pk)
    article = selectors.article_detail_queryset().get(pk=article.pk)
    response = render(request, "articles/article_detail.html", {"article": article, "preview": True, "nav": "news"})
    response["X-Robots-Tag"] = "noindex"
    return response


def article_list(request):
    page = _paginate(request, selectors.article_list_live())
    return render(request, "articles/article_list.html", {"page_obj": page, "title": "新闻", "nav": "news"})


def section_detail(request, slug: str):
    section = get_object_or_404(Section, slug=slug)
    page = _paginate(request, selectors.article_list_live().filter(section=section))
    return render(request, "articles/article_list.html", {"page_obj": page, "title": section.name, "nav": "news"})


def series_detail(request, slug: str):
    series = get_object_or_404(Series, slug=slug)
    page = _paginate(request, selectors.article_list_live().filter(series=series).order_by("series_part"))
    return render(request, "articles/article_list.html",
                  {"page_obj": page, "title": series.title, "series": series, "nav": "news"})  # fmt: skip


def contributor_detail(request, pk: int):
    contributor = get_object_or_404(Contributor, pk=pk)
    articles = selectors.article_list_live().filter(credits__contributor=contributor).distinct()
    page = _paginate(request, articles)
    return render(request, "articles/article_list.html",
                  {"page_obj": page, "title": contributor.name, "contributor": contributor, "nav": "news"})  # fmt: skip


def correction_list(request):
    page = _paginate(request, selectors.correction_list_public())
    return render(request, "articles/correction_list.html", {"page_obj": page, "nav": "news"})
