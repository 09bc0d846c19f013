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
    exactly, so change both together (tests/articles/test_search.py checks the plan with ``EXPLAIN``) — and
    since 0008 takes each change into the index at once (``fastupdate = off``: no pending list for every
    search to read through).

Queries
    The query (at most ``MAX_QUERY_LENGTH`` characters; the rest is ignored) is cut into words the same way,
    in jieba's precise mode, except that a single Hanzi jieba cut off inside a run of Hanzi is glued back to
    the words it touches (勠力同心 is cut 勠 / 力 / 同心 and is searched as 勠力同心: as three words, 勠 and 力
    anywhere in an article would do, and each would read the GIN entries of every token starting with it).
    An article matches when it has every query word (``match_all``; the view falls back to any word when
    nothing has them all), where a word is found

    * as a word token, or
    * as the chain of its bigrams at consecutive positions (``'网格' <-> '格员'``) — that is, the word as an
      exact substring of one run of Hanzi, whatever jieba did with that sentence; or
    * for a single Hanzi standing alone in the query, as the first character of a token (``'堤':*``).

Bounded work: the newest ``MAX_RESULTS`` matches
    A search ranks and pages through the newest ``MAX_RESULTS`` live matches, and says when there were more
    (the page prints "200 篇以上" and how to narrow the search); it never counts or ranks every match. At
    100,000 articles a common word matches two thirds of them, and each test of an article against the query
    reads its 8 KB vector out of TOAST: ranking every match and counting them took more than a second.

    The matches are read in windows of the live articles by publish time, newest first: the newest 2,000,
    the next 14,000, then the rest (``WINDOWS``; where they meet is read from the live index, the partial
    index ``article_live_recent_idx``, once every ``FACTS_TTL`` seconds per process). Each window is
    its own ``SELECT … ORDER BY publish_at DESC LIMIT`` inside one ``UNION ALL`` under the same limit, so the
    database reads the windows in order and stops once it has enough, and the planner picks a plan per
    window from the statistics: for a common word it walks the live index newest first and tests each article
    until it has ``MAX_RESULTS``; for a rarer word it intersects the GIN index with the window's stretch of
    the live index and reads only those rows; a rare word ends up reading the GIN index over all windows.
    Either way a search reads hundreds of article rows, not tens of thousands, and sorts only ids and publish
    times. At 100,000 articles a results page costs about 20 ms of CPU, two thirds of it in Django
    (bench/search_bench.py prints it per query).

    The planner multiplies the shares of a query's words as if they were independent; words that come
    together (a pasted headline) then look like a handful of matches, and it would read the GIN index alone
    and fetch every match to find the window's. When the product falls below ``TOGETHER_FLOOR``, the index
    gets the rarest word only (by the planner's own statistics, read with the window bounds) and the whole
    query filters what that word finds (``_match_postgresql``).

    The ranked ids come back in one query (``article_search_results``); the page reads its 20 rows by key
    afterwards (``article_search_page``), so nothing wide is ever sorted. A results page is the same handful
    of queries whatever matches: form choices, the search, the page's rows.

Ranking (over the at most ``MAX_RESULTS`` + 1 candidates only)
    1. how many query words the headline contains — a headline match comes first;
    2. ``ts_rank`` of the article against the OR of every query token (words and their bigrams): each matched
       token adds its weight — A (1.0) for a word, D (0.1) for a bigram — with diminishing returns for
       repeats, so an article that has the query as real words, often, comes before one that only has the
       bigrams;
    3. newest first.

SQLite (the embedded default) is a degraded fallback with the same match rules and the same windows: ``LIKE``
over the token list (a word as a whole token, a bigram chain as a substring of the bigram list, each behind
a ``LIKE`` for the word's first two characters, so that most articles are dismissed after one read of their
text), which no index can answer: a search tests articles newest first until it has ``MAX_RESULTS`` and
reads every live article only for a rare word (at 10,000 articles about 50 ms of CPU for a common word,
150 ms for a rare one). The rank is whole-word matches plus how often each word occurs in the token list,
after the headline.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from time import monotonic

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Length, Replace
from django.utils import timezone

from articles.models import Article, Section
from pingcheng import chinese
from pingcheng.directory.models import Unit
from pingcheng.prepared import PreparedQueries, PreparedQuery
from pingcheng.richtext import plain_text

MAX_QUERY_LENGTH = 100
# A search ranks and pages through the newest this many matches (the page says when more matched).
MAX_RESULTS = 200
# A search reads the newest 2,000 live articles first, then the next 14,000, then the rest (see "Bounded work");
# where they meet, and the planner's shares of the common tokens, are read again every FACTS_TTL seconds.
WINDOWS = (2_000, 16_000)
FACTS_TTL = 300
# Below this expected share of matching articles, a query of several words is planned by its rarest word; a
# token the planner's statistics do not list is expected in UNCOMMON_SHARE of them (PostgreSQL's own default).
TOGETHER_FLOOR = 0.01
UNCOMMON_SHARE = 0.005
# What a results page prints of an article (templates/articles/search.html) and cuts its snippet from.
SHOWN_FIELDS = ("kicker", "headline", "series", "series_part", "section", "publish_at", "dateline", "byline",
                "rendered_at", "lead", "body")  # fmt: skip
# Compiled ranked queries kept per thread (``_ranked_rows``), the least recently used dropped first.
COMPILED_SEARCHES_KEPT = 256
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
    for word in _glued_words(text):
        if word not in terms:
            chain = tuple(chinese.hanzi_bigrams(word)) if len(word) > 2 and chinese.HANZI_RUN_RE.fullmatch(word) else ()
            terms[word] = QueryTerm(word, chain)
    return list(terms.values())


def _glued_words(text: str) -> list[str]:
    """jieba's words of ``text``, with each single Hanzi it cut off inside a run of Hanzi glued to the words it
    touches: 勠力同心 (cut 勠 / 力 / 同心) is searched as typed, not as 勠, 力 and 同心 anywhere in an article."""
    normalised = chinese.normalise(text)
    groups: list[list] = []  # [text, end in the normalised text, length of its last piece]
    cursor = 0
    for word in chinese.words(text):
        start = normalised.find(word, cursor)
        if start < 0:  # not found as cut (cannot happen for Hanzi): never glued
            groups.append([word, -1, len(word)])
            continue
        cursor = start + len(word)
        previous = groups[-1] if groups else None
        if (
            previous is not None
            and previous[1] == start
            and (len(word) == 1 or previous[2] == 1)
            and chinese.HANZI_RUN_RE.fullmatch(previous[0] + word)
        ):
            previous[0] += word
            previous[1:] = [cursor, len(word)]
        else:
            groups.append([word, cursor, len(word)])
    return [group[0] for group in groups]


def query_words(q: str) -> list[str]:
    """The query's words: what ``highlight`` marks (a matched article contains each as written)."""
    return [term.word for term in query_terms(q)]


def query_tokens(q: str) -> list[str]:
    """Each query word followed by its bigrams, every token once; stop words and punctuation dropped."""
    tokens = dict.fromkeys(token for term in query_terms(q) for token in term.tokens)
    return list(tokens)


@dataclass(frozen=True)
class SearchResults:
    """What a results page needs: the ranked ids and whether more articles matched than were ranked."""

    ids: list[int]
    more: bool


def article_search(
    *,
    q: str,
    section: Section | str | None = None,
    unit: Unit | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    match_all: bool = True,
    limit: int = MAX_RESULTS,
    now: datetime | None = None,
) -> QuerySet[Article]:
    """The newest ``limit`` live articles matching ``q``, best first, each with ``search_rank``.

    ``section`` is a section or its slug; ``unit`` keeps articles about that unit or any unit below it; the
    dates are local calendar days, both included. ``match_all=False`` needs any one query word instead of all
    of them, ignoring one-character words when there are longer ones (alone, 区 or 1 would match nearly
    everything). An empty query, or one of stop words only, matches nothing. The rows carry every column but
    the search tokens; a results page fetches only its own rows (``article_search_page``).
    """
    terms = query_terms(q)
    if not match_all:
        terms = [term for term in terms if len(term.word) > 1] or terms
    if not terms:
        return Article.objects.none()
    postgresql = connection.vendor == "postgresql"
    matches = _live_filtered(section=section, unit=unit, date_from=date_from, date_to=date_to, now=now)
    if matches is None:
        return Article.objects.none()
    matches = _match_postgresql(matches, terms, match_all) if postgresql else _match_fallback(matches, terms, match_all)
    ranked = Article.objects.filter(pk__in=RawSQL(*_newest(matches, limit)))
    text_rank = _rank_postgresql(terms) if postgresql else _rank_fallback(terms)
    return (
        ranked.defer("search_text")
        .annotate(search_headline=_headline_hits(terms), search_rank=text_rank)
        .order_by("-search_headline", "-search_rank", "-publish_at", "-pk")
    )


def article_search_results(**criteria) -> SearchResults:
    """``article_search(**criteria)`` as ranked ids, in one query: the newest ``MAX_RESULTS`` matches, best
    first, and ``more`` when there were more (the page then says "``MAX_RESULTS`` 篇以上")."""
    rows = _ranked_rows(criteria, limit=MAX_RESULTS + 1)
    more = len(rows) > MAX_RESULTS
    if more:  # the one past the limit was read only to know that there are more
        rows.remove(min(rows, key=lambda row: (row[1], row[0])))
    return SearchResults(ids=[pk for pk, _ in rows], more=more)


def _ranked_rows(criteria: dict, *, limit: int) -> list[tuple]:
    """``article_search(**criteria, limit=limit)`` as (pk, recency) rows, best first.

    The SQL is compiled once per thread for the same criteria and the same window bounds (``_search_facts``),
    with the time as a parameter: a word that many readers search (the suggested words, the day's story)
    costs what the database takes to answer, not the ORM's building and compiling on top (about 1.5 ms).
    Searches within a street or community, or in a section named by its slug, are compiled each time: the
    units below it and the section's id are constants in the SQL.
    """

    def build(now: datetime) -> QuerySet:
        return article_search(**criteria, limit=limit, now=now).values_list("pk", _recency())

    section = criteria.get("section")
    if criteria.get("unit") is None and not isinstance(section, str):
        key = (_search_facts().read_at, limit, getattr(section, "pk", None),
               *((name, value) for name, value in sorted(criteria.items()) if name != "section"))  # fmt: skip
        prepared = _COMPILED_SEARCHES.get(key, build, now=datetime)
    else:
        prepared = PreparedQuery(build, now=datetime)
    try:
        return prepared.rows(now=timezone.now())
    except EmptyResultSet:  # no words to search for, or an unknown section: nothing matches
        return []


_COMPILED_SEARCHES = PreparedQueries(kept=COMPILED_SEARCHES_KEPT)


def _recency():
    """What orders the candidates by publication: on PostgreSQL its microseconds since the epoch, an integer,
    since the client reads a timestamp through a Python parse (two hundred a search, a tenth of its time)."""
    if connection.vendor == "postgresql":
        return RawSQL('(EXTRACT(EPOCH FROM "articles_article"."publish_at") * 1000000)::bigint', [])
    return "publish_at"


def article_search_page(ids: list[int]) -> list[Article]:
    """The articles a results page shows, in the order of ``ids``, in one query (two when a byline has to be
    built from credits): what the page prints and the lead and body its snippets are cut from."""
    if not ids:
        return []
    shown = (
        Article.objects.filter(pk__in=ids)
        .select_related("section", "series")
        .only(*SHOWN_FIELDS, "section__name", "series__title")
        .order_by()
    )
    by_pk = {article.pk: article for article in shown}
    articles = [by_pk[pk] for pk in ids if pk in by_pk]
    # The byline is stored when an article is rendered (articles.rendering); one saved before that builds it.
    unrendered = [article for article in articles if article.rendered_at is None]
    if unrendered:
        prefetch_related_objects(unrendered, "credits__contributor")
    return articles


def _live_filtered(
    *, section: Section | str | None, unit: Unit | None, date_from: date | None, date_to: date | None, now=None
) -> QuerySet[Article] | None:
    """The live articles the filters keep; None when an unknown section slug keeps none."""
    # articles.services imports this module (article_index), and the selectors import the services.
    from articles.selectors import about_unit, local_day_start
    from articles.services import article_live_q

    articles = Article.objects.filter(article_live_q(now))
    # The section and the units as constants, so that the planner knows from its statistics how many articles
    # they have: a section's news is walked through its own index, a unit's through its articles.
    if isinstance(section, str):
        section = Section.objects.filter(slug=section).first() if section else None
        if section is None:
            return None
    if section is not None:
        articles = articles.filter(section_id=section.pk)
    if unit is not None:
        articles = articles.filter(about_unit(unit))
    if date_from is not None:
        articles = articles.filter(publish_at__gte=local_day_start(date_from))
    if date_to is not None and date_to < date.max:
        articles = articles.filter(publish_at__lt=local_day_start(date_to + timedelta(days=1)))
    return articles


# --- Bounded work ---------------------------------------------------------------------------------------


def _newest(matches: QuerySet[Article], limit: int) -> tuple[str, list]:
    """SQL for the pks of the newest ``limit`` of ``matches``, reading the windows newest first.

    Each window is its own ``SELECT`` of the matches (the database flattens the wrapping), ordered by publish
    time and limited, and the windows are joined by ``UNION ALL`` under the same limit: the database reads them
    in order and stops as soon as it has ``limit`` rows. The planner chooses for each window from its own
    statistics: walk the live index newest first and test each row, or intersect the GIN index with the
    window's part of the live index.
    """
    # Compiled once; the windows only wrap it (compiling a queryset costs more than running a rare search).
    sql, params = matches.order_by().values("pk", "publish_at").query.sql_with_params()
    adapt = connection.ops.adapt_datetimefield_value
    bounds = _search_facts().bounds
    windows, window_params = [], []
    for upper, lower in zip([None, *bounds], [*bounds, None], strict=True):
        conditions, bound_params = [], []
        if upper is not None:
            conditions.append("matches.publish_at < %s")
            bound_params.append(adapt(upper))
        if lower is not None:
            conditions.append("matches.publish_at >= %s")
            bound_params.append(adapt(lower))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        windows.append(
            f"SELECT * FROM (SELECT matches.pk FROM ({sql}) AS matches{where} "
            f"ORDER BY matches.publish_at DESC, matches.pk DESC LIMIT {int(limit)}) AS window_{len(windows)}"
        )
        window_params += [*params, *bound_params]
    return f"SELECT * FROM ({' UNION ALL '.join(windows)}) AS newest LIMIT {int(limit)}", window_params


@dataclass(frozen=True)
class _Facts:
    """What steers a search's work (never its result), read per process at most every ``FACTS_TTL`` seconds.

    ``bounds``: where the windows meet, the publish times of the ``WINDOWS``-th newest live articles (fewer
    when there are fewer articles), read from the live index alone. ``shares``: the share of articles having
    each of the most common tokens, from the planner's own statistics (``pg_stats``; empty on SQLite).
    """

    read_at: float
    database: str
    bounds: list[datetime]
    shares: dict[str, float]


_facts: _Facts | None = None


def _search_facts() -> _Facts:
    global _facts
    from articles.services import article_live_q

    facts, now, database = _facts, monotonic(), connection.settings_dict["NAME"]
    if facts is not None and facts.database == database and now - facts.read_at < FACTS_TTL:
        return facts
    live = Article.objects.filter(article_live_q()).order_by("-publish_at", "-pk").values_list("publish_at", flat=True)
    bounds = []
    for size in WINDOWS:
        found = list(live[size - 1 : size])
        if not found:
            break
        bounds.append(found[0])
    shares = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = %s AND attname = %s",
                [Article._meta.db_table, "search_vector"],
            )
            row = cursor.fetchone()
        if row is not None and row[0]:
            shares = dict(zip(row[0], row[1], strict=False))  # the frequencies end with their minimum and maximum
    _facts = _Facts(read_at=now, database=database, bounds=bounds, shares=shares)
    return _facts


# --- Matching and ranking -------------------------------------------------------------------------------


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


def _match_postgresql(articles: QuerySet[Article], terms: list[QueryTerm], match_all: bool) -> QuerySet[Article]:
    joiner = " & " if match_all else " | "
    match = SearchQuery(joiner.join(map(_term_tsquery, terms)), config="simple", search_type="raw")
    articles = articles.alias(search_document=search_vector())
    if not match_all or len(terms) == 1:
        return articles.filter(search_document=match)
    # The planner takes the words of a query for independent and multiplies their shares: for words that come
    # together (a pasted headline) it expects a handful of matches where there are thousands, reads the GIN
    # index alone and fetches every match to find the window's (260 ms instead of 5 at 100,000). Below
    # TOGETHER_FLOOR, the index gets the rarest word only, whose share it knows, and the whole query filters
    # the rows that word finds, out of reach of the index (COALESCE) so that it cannot be multiplied in again.
    shares = _search_facts().shares
    if math.prod(_term_share(term, shares) for term in terms) >= TOGETHER_FLOOR:
        return articles.filter(search_document=match)
    rarest = min(terms, key=lambda term: _term_share(term, shares))
    indexed = SearchQuery(_term_tsquery(rarest), config="simple", search_type="raw")
    unindexed = Coalesce(search_vector(), Value("", output_field=SearchVectorField()))
    return articles.alias(unindexed_document=unindexed).filter(search_document=indexed, unindexed_document=match)


def _term_share(term: QueryTerm, shares: dict[str, float]) -> float:
    """The share of articles the planner expects to have ``term``: a token not among its most common gets its
    default (``DEFAULT_TS_MATCH_SEL``); a single Hanzi that any token may start with counts as everywhere."""
    if term.single_hanzi:
        return 1.0
    return shares.get(term.word, UNCOMMON_SHARE)


def _rank_postgresql(terms: list[QueryTerm]) -> SearchRank:
    return SearchRank(search_vector(), SearchQuery(_rank_tsquery(terms), config="simple", search_type="raw"))


def _headline_hits(terms: list[QueryTerm]):
    """How many of the query words the headline contains: a headline match ranks above any body match."""
    hits = [Case(When(headline__icontains=term.word, then=Value(1)), default=Value(0)) for term in terms]
    return functools.reduce(operator.add, hits, Value(0, output_field=IntegerField()))


def _token_q(token: str) -> Q:
    """``search_text`` holds ``token`` as a whole token. Tokens are separated by spaces, the first stands at the
    start (every word is followed by a space: the bigrams come after " | "). Matching the text as it is stored,
    not with a space added around it, spares SQLite a copy of every article's 8 KB of tokens: half its time."""
    return Q(search_text__contains=f" {token} ") | Q(search_text__startswith=f"{token} ")


def _term_q(term: QueryTerm) -> Q:
    condition = _token_q(term.word)
    if len(term.chain) > 1:
        # The bigrams in a row, anywhere in the bigram list; the last bigram ends the text.
        chain = " ".join(term.chain)
        condition |= Q(search_text__contains=f" {chain} ") | Q(search_text__endswith=f" {chain}")
    if term.single_hanzi:
        condition |= Q(search_text__contains=f" {term.word}") | Q(search_text__startswith=term.word)
    # Each LIKE reads the whole text: an article without the word's first two characters is dismissed after one.
    return Q(search_text__contains=term.chain[0] if term.chain else term.word) & condition


def _match_fallback(articles: QuerySet[Article], terms: list[QueryTerm], match_all: bool) -> QuerySet[Article]:
    conditions = [_term_q(term) for term in terms]
    return articles.filter(functools.reduce(operator.and_ if match_all else operator.or_, conditions))


def _rank_fallback(terms: list[QueryTerm]):
    scores = []
    for term in terms:
        scores.append(Case(When(_token_q(term.word), then=Value(2)), default=Value(0)))
        scores.append(Case(When(_term_q(term), then=Value(1)), default=Value(0)))
        occurrences = Length("search_text") - Length(Replace("search_text", Value(term.word), Value("")))
        scores.append(occurrences / Value(len(term.word)))
    return functools.reduce(operator.add, scores, Value(0, output_field=IntegerField()))


# --- Showing results ------------------------------------------------------------------------------------


def article_snippet_source(article: Article, tokens: Iterable[str]) -> str:
    """The text to cut a snippet from: the lead or else the body, whichever has a match first; else the lead."""
    lead = article.lead or ""
    pattern = chinese.term_pattern(tokens)
    if lead and pattern is not None and pattern.search(lead):
        return lead
    body = plain_text(article.body or "")  # only now: reading the HTML costs more than the rest of a hit
    if body and pattern is not None and pattern.search(body):
        return body
    return lead or body
