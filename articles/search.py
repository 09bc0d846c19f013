"""Chinese full-text search over articles: segmentation, the stored token list, queries and highlighting.

Tokens
    ``pingcheng.chinese.index_tokens`` cuts the text (jieba with the civic dictionary and the directory's unit
    names) into two kinds of token, both limited to runs of letters and digits (punctuation and stop words are
    dropped):

    * words — jieba's cut plus, as in jieba's search mode, the dictionary words inside each longer word
      (平城区 → 平城, 城区, 平城区);
    * CJK character bigrams of every run of Hanzi, in text order (网格员筑 → 网格 格员 员筑), so that a word
      the dictionary lacks, or that jieba cut differently in another sentence, is still found.

    ``Article.search_text`` holds ``"<words> | <bigrams>"``. PostgreSQL reads it as one ``tsvector('simple')``
    with the words in weight A and the bigrams in weight D: ``search_vector()``. Migration 0003 indexes exactly
    that expression with GIN — an expression index is used only when the query repeats the expression
    exactly, so change both together (tests/articles/test_search.py checks the plan with ``EXPLAIN``).

Queries
    The query (at most ``MAX_QUERY_LENGTH`` characters; the rest is ignored) is cut into words the same way,
    in jieba's precise mode. An article matches when it has every query word (``match_all``; the view falls
    back to any word when nothing has them all), where a word is found

    * as a word token, or
    * as the chain of its bigrams at consecutive positions (``'网格' <-> '格员'``) — that is, the word as an
      exact substring of one run of Hanzi, whatever jieba did with that sentence; or
    * for a single Hanzi, as the first character of a token (``'堤':*``).

Ranking
    ``ts_rank`` of the article against the OR of every query token (words and their bigrams): each matched
    token adds its weight — A (1.0) for a word, D (0.1) for a bigram — with diminishing returns for repeats.
    An article that has the query as real words, often and in the headline (indexed three times), comes
    first; one that only has the bigrams comes after. Ties: newest first.

SQLite (the embedded default) is a degraded fallback with the same match rules: ``LIKE`` over the token
list (a word as a whole token, a bigram chain as a substring of the bigram list), no index, so every search
reads every live article; the rank is whole-word matches plus how often each word occurs in the token list.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Length, Replace
from django.utils import timezone

from articles.models import Article
from pingcheng import chinese
from pingcheng.directory.models import Unit
from pingcheng.richtext import plain_text

MAX_QUERY_LENGTH = 100
# Separates the word tokens from the bigrams in Article.search_text; never part of a token.
SEPARATOR = "|"


# --- Indexing -------------------------------------------------------------------------------------------


def article_search_text(article: Article) -> str:
    """The article's searchable text, weighted by repetition: headline ×3; kicker, subtitle, series ×2;
    lead and body ×1; tags ×2; credited names ×1. Fields are separated by line breaks, so no bigram spans two.
    """
    parts = [article.headline] * 3
    parts += [article.kicker, article.subtitle] * 2
    if article.series_id:
        parts += [article.series.title] * 2
    parts += [article.lead, plain_text(article.body or "")]
    parts += article.tag_list * 2
    # Credits need a saved article; a new one gets its names at its next save or at search_reindex.
    if article.pk is not None:
        parts += [credit.contributor.name for credit in article.credits.all()]
    return "\n".join(part for part in parts if part)


def article_index(article: Article) -> None:
    """Set ``article.search_text`` from its current fields and credits; the caller saves."""
    words, bigrams = chinese.index_tokens(article_search_text(article))
    article.search_text = f"{' '.join(words)} {SEPARATOR} {' '.join(bigrams)}".strip() if words or bigrams else ""


# --- Queries --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryTerm:
    """One word of a query and the bigram chain that also finds it (empty for words of one or two Hanzi)."""

    word: str
    chain: tuple[str, ...] = ()

    @property
    def single_hanzi(self) -> bool:
        return len(self.word) == 1 and bool(chinese.HANZI_RUN_RE.fullmatch(self.word))

    @property
    def tokens(self) -> list[str]:
        return [self.word, *(bigram for bigram in self.chain if bigram != self.word)]


def query_terms(q: str) -> list[QueryTerm]:
    """The query's words, each once, in order; the query is cut to ``MAX_QUERY_LENGTH`` characters first."""
    text = (q or "")[:MAX_QUERY_LENGTH]
    terms: dict[str, QueryTerm] = {}
    for word in chinese.words(text):
        if word not in terms:
            chain = tuple(chinese.hanzi_bigrams(word)) if len(word) > 2 and chinese.HANZI_RUN_RE.fullmatch(word) else ()
            terms[word] = QueryTerm(word, chain)
    return list(terms.values())


def query_words(q: str) -> list[str]:
    """The query's words: what ``highlight`` marks (a matched article contains each as written)."""
    return [term.word for term in query_terms(q)]


def query_tokens(q: str) -> list[str]:
    """Each query word followed by its bigrams, every token once; stop words and punctuation dropped."""
    tokens = dict.fromkeys(token for term in query_terms(q) for token in term.tokens)
    return list(tokens)


def article_search(
    *,
    q: str,
    section: str | None = None,
    unit: Unit | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    match_all: bool = True,
) -> QuerySet[Article]:
    """Live articles matching ``q``, best first, with section, series and credits loaded.

    ``section`` is a section slug; ``unit`` keeps articles about that unit or any unit below it; the dates are
    local calendar days, both included. ``match_all=False`` needs any one query word instead of all of them,
    ignoring one-character words when there are longer ones (alone, 区 or 1 would match nearly everything).
    An empty query, or one of stop words only, matches nothing. Each article carries ``search_rank``.
    """
    # articles.services imports this module (article_index), and selectors import services.
    from articles.selectors import article_list_live

    terms = query_terms(q)
    if not match_all:
        terms = [term for term in terms if len(term.word) > 1] or terms
    if not terms:
        return Article.objects.none()
    articles = article_list_live()
    if section:
        articles = articles.filter(section__slug=section)
    if unit is not None:
        about_unit = Article.units.through.objects.filter(article_id=OuterRef("pk"), unit__path__startswith=unit.path)
        articles = articles.filter(Exists(about_unit))
    if date_from is not None:
        articles = articles.filter(publish_at__gte=_day_start(date_from))
    if date_to is not None and date_to < date.max:
        articles = articles.filter(publish_at__lt=_day_start(date_to + timedelta(days=1)))
    if connection.vendor == "postgresql":
        articles = _match_postgresql(articles, terms, match_all=match_all)
    else:
        articles = _match_fallback(articles, terms, match_all=match_all)
    return articles.order_by("-search_rank", "-publish_at", "-pk")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_vector() -> RawSQL:
    """The stored document vector (PostgreSQL only): migration 0003 generates and indexes the column."""
    return RawSQL('"articles_article"."search_vector"', [], output_field=SearchVectorField())


def _lexeme(token: str) -> str:
    # Tokens are letters and digits only, so this never changes one; it keeps the tsquery well-formed anyway.
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _term_tsquery(term: QueryTerm) -> str:
    options = [_lexeme(term.word)]
    if len(term.chain) > 1:
        options.append("(" + " <-> ".join(map(_lexeme, term.chain)) + ")")
    if term.single_hanzi:
        options.append(_lexeme(term.word) + ":*")
    return "(" + " | ".join(options) + ")"


def _rank_tsquery(terms: list[QueryTerm]) -> str:
    options = [_lexeme(token) for token in dict.fromkeys(t for term in terms for t in term.tokens)]
    options += [_lexeme(term.word) + ":*" for term in terms if term.single_hanzi]
    return " | ".join(options)


def _match_postgresql(articles: QuerySet[Article], terms: list[QueryTerm], *, match_all: bool) -> QuerySet[Article]:
    joiner = " & " if match_all else " | "
    match = SearchQuery(joiner.join(map(_term_tsquery, terms)), config="simple", search_type="raw")
    rank_query = SearchQuery(_rank_tsquery(terms), config="simple", search_type="raw")
    return (
        articles.alias(search_document=search_vector())
        .filter(search_document=match)
        .annotate(search_rank=SearchRank(search_vector(), rank_query))
    )


def _term_q(term: QueryTerm) -> Q:
    # _search_padded is " <search_text> ": a whole token is " word ", a bigram chain " 网格 格员 ".
    condition = Q(_search_padded__contains=f" {term.word} ")
    if len(term.chain) > 1:
        condition |= Q(_search_padded__contains=f" {' '.join(term.chain)} ")
    if term.single_hanzi:
        condition |= Q(_search_padded__contains=f" {term.word}")
    return condition


def _match_fallback(articles: QuerySet[Article], terms: list[QueryTerm], *, match_all: bool) -> QuerySet[Article]:
    conditions = [_term_q(term) for term in terms]
    scores = []
    for term, condition in zip(terms, conditions, strict=True):
        scores.append(Case(When(Q(_search_padded__contains=f" {term.word} "), then=Value(2)), default=Value(0)))
        scores.append(Case(When(condition, then=Value(1)), default=Value(0)))
        occurrences = Length("search_text") - Length(Replace("search_text", Value(term.word), Value("")))
        scores.append(occurrences / Value(len(term.word)))
    return (
        articles.alias(_search_padded=Concat(Value(" "), "search_text", Value(" "), output_field=TextField()))
        .filter(functools.reduce(operator.and_ if match_all else operator.or_, conditions))
        .annotate(search_rank=functools.reduce(operator.add, scores, Value(0, output_field=IntegerField())))
    )


# --- Showing results ------------------------------------------------------------------------------------


def article_snippet_source(article: Article, tokens: Iterable[str]) -> str:
    """The text to cut a snippet from: the lead or else the body, whichever has a match first; else the lead."""
    lead, body = article.lead or "", plain_text(article.body or "")
    pattern = chinese.term_pattern(tokens)
    for text in (lead, body):
        if text and pattern is not None and pattern.search(text):
            return text
    return lead or body
