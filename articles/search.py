"""Chinese full-text search over articles: segmentation, the stored token list, queries and highlighting.

Tokens
    Text is NFKC-normalised (full-width Latin and digits become ASCII) and lower-cased, then cut by jieba with
    the civic user dictionary ``civic_dict.txt`` plus every unit name and short name of the directory. Two kinds
    of token are kept, both limited to runs of letters and digits (punctuation and stop words are dropped):

    * words — jieba's cut plus, as in jieba's search mode (``cut_for_search``), the dictionary words inside each
      longer word (平城区 → 平城, 城区, 平城区). jieba's search mode stops at 2–3 character parts; here every
      length is tried, so 环境治理 inside the unit name 平城区城市管理局环境治理监督大队 is still a word;
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
import logging
import operator
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Length, Replace
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from articles.richtext import plain_text
from pingcheng.directory.models import Unit

if TYPE_CHECKING:
    import jieba

MAX_QUERY_LENGTH = 100
CIVIC_DICT = Path(__file__).resolve().with_name("civic_dict.txt")
# Separates the word tokens from the bigrams in Article.search_text; never part of a token.
SEPARATOR = "|"
# Directory names join the dictionary with at least this frequency, enough to keep a name in one piece.
DIRECTORY_WORD_FREQ = 300
# Longer runs of letters or digits are noise (URLs, serial numbers) and PostgreSQL would skip them anyway.
MAX_TOKEN_LENGTH = 40
# jieba's sub-word expansion is quadratic in the word length; its dictionary words are far shorter.
_MAX_EXPANDED_WORD = 20

_HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_HANZI_RUN = re.compile(f"[{_HANZI}]+")
_ASCII_TOKEN = re.compile("[a-z0-9]+")
# A token is a run of Hanzi or a run of other letters/digits: PostgreSQL's parser reads each as one lexeme.
_SEGMENT = re.compile(f"[{_HANZI}]+|[^\\W_{_HANZI}]+")
# Function words that would match almost every article. Only whole words are dropped; bigrams keep them.
STOP_WORDS = frozenset(
    "的 地 得 了 着 过 和 与 及 或 在 是 为 对 把 被 从 向 也 都 就 而 之 其 这 那 吗 呢 吧 啊 呀 并 且 但 又 所 于 不 没 "
    "我们 你们 他们 以及 或者 并且 还是 什么 怎么 如何 哪些 哪里 为什么 这个 那个 一个 关于 没有 "
    "a an and are as at be by for from in is of on or the to with".split()
)

_lock = threading.RLock()
_segmenter_ready = False
_directory_loaded = False
_directory_words: set[str] = set()


# --- Segmentation ---------------------------------------------------------------------------------------


def _segmenter() -> jieba.Tokenizer:
    """jieba's tokenizer with the civic dictionary, initialised on first use (about a second, once a process).

    Never at import or in ``AppConfig.ready()``: management commands and workers that never search should not
    pay for it.
    """
    global _segmenter_ready
    # Imported here, not at the top: importing jieba costs ~80 ms (it pulls in pkg_resources), and every
    # process imports this module through articles.services.
    import jieba

    if not _segmenter_ready:
        with _lock:
            if not _segmenter_ready:
                # jieba logs its cache loading at DEBUG on a handler of its own, i.e. onto stderr.
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                jieba.load_userdict(str(CIVIC_DICT))
                _segmenter_ready = True
    return jieba.dt


def _ensure_directory_words() -> None:
    # The directory is read on first use, not at start-up: importing this module must not query the database.
    global _directory_loaded
    if not _directory_loaded:
        with _lock:
            if not _directory_loaded:
                search_dictionary_refresh()
                _directory_loaded = True


def search_dictionary_refresh() -> int:
    """Add the directory's unit names and short names to the dictionary; return how many were new.

    Runs once per process on first use and at every ``search_reindex``. A unit created later is still found
    through bigrams; it becomes a word at the next restart or reindex (the directory may call this after a
    unit is saved).
    """
    tokenizer = _segmenter()
    names = set()
    for name, short_name in Unit.objects.values_list("name", "short_name"):
        names.update(_normalise(n) for n in (name, short_name) if n and len(n) >= 2)
    with _lock:
        new = names - _directory_words
        for name in sorted(new):
            tokenizer.add_word(name, freq=max(tokenizer.FREQ.get(name) or 0, DIRECTORY_WORD_FREQ))
        _directory_words.update(new)
    return len(new)


def search_warm_up() -> None:
    """Load jieba and both dictionaries now, e.g. in a web worker after fork, so no reader waits for it."""
    _segmenter()
    _ensure_directory_words()


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _search_mode(text: str) -> Iterator[str]:
    """jieba's cut, each long word preceded by the dictionary words inside it (cf. ``jieba.cut_for_search``)."""
    tokenizer = _segmenter()
    for word in tokenizer.cut(text):
        if 2 < len(word) <= _MAX_EXPANDED_WORD and _HANZI_RUN.fullmatch(word):
            for size in range(2, len(word)):
                for start in range(len(word) - size + 1):
                    part = word[start : start + size]
                    if tokenizer.FREQ.get(part):
                        yield part
        yield word


def _clean(words: Iterable[str]) -> Iterator[str]:
    for word in words:
        for segment in _SEGMENT.findall(word):
            if segment not in STOP_WORDS and len(segment) <= MAX_TOKEN_LENGTH:
                yield segment


def _bigrams(text: str) -> list[str]:
    return [run[i : i + 2] for run in _HANZI_RUN.findall(text) for i in range(len(run) - 1)]


def index_tokens(text: str) -> tuple[list[str], list[str]]:
    """(words, bigrams) of ``text`` in text order, repeats kept (they count in the rank)."""
    _ensure_directory_words()
    text = _normalise(text)
    return list(_clean(_search_mode(text))), _bigrams(text)


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
    words, bigrams = index_tokens(article_search_text(article))
    article.search_text = f"{' '.join(words)} {SEPARATOR} {' '.join(bigrams)}".strip() if words or bigrams else ""


# --- Queries --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryTerm:
    """One word of a query and the bigram chain that also finds it (empty for words of one or two Hanzi)."""

    word: str
    chain: tuple[str, ...] = ()

    @property
    def single_hanzi(self) -> bool:
        return len(self.word) == 1 and bool(_HANZI_RUN.fullmatch(self.word))

    @property
    def tokens(self) -> list[str]:
        return [self.word, *(bigram for bigram in self.chain if bigram != self.word)]


def query_terms(q: str) -> list[QueryTerm]:
    """The query's words, each once, in order; the query is cut to ``MAX_QUERY_LENGTH`` characters first."""
    text = _normalise((q or "")[:MAX_QUERY_LENGTH])
    if not text.strip():
        return []
    _ensure_directory_words()
    terms: dict[str, QueryTerm] = {}
    for word in _clean(_segmenter().cut(text)):
        if word not in terms:
            chain = tuple(_bigrams(word)) if len(word) > 2 and _HANZI_RUN.fullmatch(word) else ()
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


def _pattern(tokens: Iterable[str]) -> re.Pattern | None:
    unique = sorted({token for token in tokens if token}, key=len, reverse=True)
    if not unique:
        return None
    # Latin letters and digits are whole tokens in the index, so "1" must not light up inside "2020".
    alternatives = [
        rf"(?<![a-z0-9]){re.escape(token)}(?![a-z0-9])" if _ASCII_TOKEN.fullmatch(token) else re.escape(token)
        for token in unique
    ]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str, tokens: Iterable[str]) -> SafeString:
    """``text`` HTML-escaped, with each occurrence of a token wrapped in ``<mark>``.

    Matches are found in the raw text and every piece is escaped on its own: searching the escaped text
    instead would let a query such as "amp" or "quot" cut an entity in half.
    """
    text = text or ""
    pattern = _pattern(tokens)
    if pattern is None:
        return escape(text)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[last : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        last = match.end()
    pieces.append(escape(text[last:]))
    # Safe: every piece of text went through escape(); only the <mark> tags are ours.
    return mark_safe("".join(pieces))


def snippet(text: str, tokens: Iterable[str], width: int = 80) -> str:
    """About ``width`` characters of ``text`` (plain text) centred on the first match, with "…" where cut."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    pattern = _pattern(tokens)
    match = pattern.search(text) if pattern is not None else None
    start = 0
    if match is not None:
        centre = (match.start() + match.end()) // 2
        start = max(0, min(centre - width // 2, len(text) - width))
    end = start + width
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def article_snippet_source(article: Article, tokens: Iterable[str]) -> str:
    """The text to cut a snippet from: the lead or else the body, whichever has a match first; else the lead."""
    lead, body = article.lead or "", plain_text(article.body or "")
    pattern = _pattern(tokens)
    for text in (lead, body):
        if text and pattern is not None and pattern.search(text):
            return text
    return lead or body
