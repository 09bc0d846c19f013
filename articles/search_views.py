"""The public search page: GET ``/search/?q=&section=&unit=&from=&to=&page=`` (see ``articles.search``)."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from articles.bylines import printed_byline
from articles.models import Article
from articles.search import (
    MAX_QUERY_LENGTH,
    MAX_RESULTS,
    article_search_page,
    article_search_results,
    article_snippet_source,
    query_words,
)
from articles.search_forms import ArticleSearchForm
from pingcheng.chinese import highlight, phrases_html, snippet
from pingcheng.machine_time import machine_time
from pingcheng.pagination import paginate

SNIPPET_WIDTH = 80
# Offered when nothing matches: words the seed page and the civic dictionary know well.
SUGGESTED_WORDS = ["网格员", "防汛", "创城", "工会经费", "志愿服务"]
# The page is the same for every anonymous reader; a short shared-cache lifetime absorbs repeated searches.
ANONYMOUS_MAX_AGE = 60
# What a results page's page links carry: the query and its filters, by their names in the URL.
SEARCH_PARAMETERS = ("q", "section", "unit", *ArticleSearchForm.PARAM_NAMES.values())


@dataclass(frozen=True)
class SearchHit:
    """One result as the page prints it: worked out here, twenty times a page, rather than by the template."""

    article: Article
    url: str
    kicker: SafeString  # the series heading, else the kicker with the query words marked; broken between phrases
    headline: SafeString  # with the query words marked, broken between phrases (pingcheng.chinese.phrases)
    date_iso: str
    date_text: str
    section: str
    byline: str
    snippet: SafeString


def _hit(article: Article, words: list[str]) -> SearchHit:
    published = timezone.localtime(article.publish_at)
    source = article_snippet_source(article, words)
    return SearchHit(
        article=article,
        url=article.get_absolute_url(),
        kicker=phrases_html(article.series_heading)
        if article.series_id
        else highlight(article.kicker, words, phrase_breaks=True),
        headline=highlight(article.headline, words, phrase_breaks=True),
        date_iso=machine_time(published),
        date_text=f"{published.year}年{published.month}月{published.day}日",
        section=article.section.name if article.section_id else "",
        byline=printed_byline(article),
        snippet=highlight(snippet(source, words, width=SNIPPET_WIDTH), words),
    )


@require_safe
def search(request):
    form = ArticleSearchForm(request.GET or None)
    context = {
        "form": form,
        "nav": "none",
        "max_query_length": MAX_QUERY_LENGTH,
        "suggested_words": SUGGESTED_WORDS,
    }
    if form.is_bound and form.is_valid():
        context.update(_results(request, form))
    # The header's search box shows the query on this page only: a cached page must never carry a reader's words.
    context["site_search_q"] = context.get("q", "")
    response = render(request, "articles/search.html", context)
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=ANONYMOUS_MAX_AGE)
    return response


def _results(request, form: ArticleSearchForm) -> dict:
    data = form.cleaned_data
    q = data["q"]
    if not q:
        return {}
    words = query_words(q)
    if not words:
        return {"q": q, "no_words": True}
    filters = {
        "section": data["section"],
        "unit": data["unit"],
        "date_from": data["date_from"],
        "date_to": data["date_to"],
    }
    results = article_search_results(q=q, **filters)
    partial = False
    if not results.ids and len(words) > 1 and any(len(word) > 1 for word in words):
        # Nothing has every word: show what has some of them, and say so.
        results = article_search_results(q=q, match_all=False, **filters)
        partial = bool(results.ids)
    # The ranked ids are few (at most MAX_RESULTS): the page is cut from them, then only its rows are read.
    page = paginate(request, results.ids, keep=SEARCH_PARAMETERS)
    page.object_list = article_search_page(list(page.object_list))
    hits = [_hit(article, words) for article in page]
    return {
        "q": q,
        "searched": True,
        "partial": partial,
        "more": results.more,
        "max_results": MAX_RESULTS,
        "hits": hits,
        "page_obj": page,
        "page_range": page.elided,
        "has_filters": form.has_filters,
    }
