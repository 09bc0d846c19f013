"""Answers that may already help: public answers and FAQ entries matching the words a resident typed, and the
search of the public answers.

The words are cut the way the news search cuts them (``pingcheng.chinese.words`` with the civic dictionary;
``hanzi_bigrams`` for what the dictionary lacks), so 会费返还 finds the union-fee answers whatever jieba made of
the sentence it stands in. Candidates are read from the database with one ``OR`` of substring tests over the
few longest words (bounded: the newest ``CANDIDATES`` published answers), then ranked here: a word in the
title counts more than one in the text, a longer word more than a shorter one, and bigrams break ties.

The public answers of a district number in the thousands, not the 100,000 of the newsroom; when they grow
past that, they get a stored token column like ``Article.search_text`` in the core's model.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from grievances import public_data
from pingcheng import chinese

MAX_QUERY_LENGTH = 100
# A long question is cut to the words that say most: the longest, as they are the least common.
QUERY_WORDS = 8
CANDIDATES = 200
SEARCH_RESULTS = 200
# Suggestions below this score matched only a word or two of bigrams: not worth a resident's attention.
MIN_SCORE = 2.0


@dataclass(frozen=True)
class Suggestion:
    title: str
    url: str
    kind_label: str
    score: float


def query_words(text: str) -> list[str]:
    """The distinct words of ``text`` worth searching for, longest first; single Hanzi are dropped."""
    seen: dict[str, None] = {}
    for word in chinese.words((text or "")[: MAX_QUERY_LENGTH * 20]):
        if len(word) >= 2 and word not in seen:
            seen[word] = None
    return sorted(seen, key=len, reverse=True)[:QUERY_WORDS]


def _score(words: list[str], bigrams: set[str], title: str, body: str) -> float:
    title_n, body_n = chinese.normalise(title or ""), chinese.normalise(body or "")
    score = 0.0
    for word in words:
        weight = min(len(word), 4)
        if word in title_n:
            score += 3 * weight
        elif word in body_n:
            score += weight
    if bigrams:
        present = set(chinese.hanzi_bigrams(title_n + "\n" + body_n))
        score += 0.25 * len(bigrams & present)
    return score


def _filter(words: list[str], fields: tuple[str, ...]) -> Q:
    condition = Q()
    for word in words:
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
    return condition


def _ranked(text: str, rows, *, fields: tuple[str, ...], title_of, body_of, limit: int):
    words = query_words(text)
    if not words:
        return []
    bigrams = set(chinese.hanzi_bigrams(chinese.normalise(text[: MAX_QUERY_LENGTH * 20])))
    candidates = list(rows.filter(_filter(words, fields))[:CANDIDATES])
    scored = [(_score(words, bigrams, title_of(row), body_of(row)), row) for row in candidates]
    scored = [(score, row) for score, row in scored if score >= MIN_SCORE]
    scored.sort(key=lambda pair: -pair[0])
    return scored[:limit]


def answers_matching(q: str) -> list:
    """Published public answers matching ``q``, best first (at most ``SEARCH_RESULTS``)."""
    q = (q or "")[:MAX_QUERY_LENGTH]
    rows = public_data.answers_published()
    return [row for _score_, row in _ranked(q, rows, fields=public_data.ANSWER_SEARCH_FIELDS,
                                            title_of=public_data.answer_title, body_of=public_data.answer_body,
                                            limit=SEARCH_RESULTS)]  # fmt: skip


def suggest(text: str, *, limit: int = 5) -> list[Suggestion]:
    """Public answers and FAQ entries that may answer ``text`` (a draft's title and body), best first."""
    found: list[Suggestion] = []
    for score, row in _ranked(text, public_data.answers_published(), fields=public_data.ANSWER_SEARCH_FIELDS,
                              title_of=public_data.answer_title, body_of=public_data.answer_body, limit=limit):  # fmt: skip
        found.append(Suggestion(public_data.answer_title(row), reverse("grievances:answer", args=[row.pk]),
                                _("公开答复"), score))  # fmt: skip
    for score, entry in _ranked(text, public_data.faq_queryset(), fields=public_data.FAQ_SEARCH_FIELDS,
                                title_of=public_data.faq_question, body_of=public_data.faq_answer, limit=limit):  # fmt: skip
        found.append(Suggestion(public_data.faq_question(entry), reverse("grievances:faq") + f"#faq-entry-{entry.pk}",
                                _("常见问题"), score))  # fmt: skip
    found.sort(key=lambda item: -item.score)
    return found[:limit]
