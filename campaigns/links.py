"""What the other products may ask of campaigns: small named link functions (DESIGN.md: products meet through
a foreign key or a small named link function), answered from ``campaigns.public`` so that nothing a resident
may not see leaks through another product's page."""

import functools
from datetime import date, datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from campaigns import public
from campaigns.cache import CAMPAIGNS
from campaigns.models import Activity, Campaign
from pingcheng.page_cache import GenerationMemo
from pingcheng.prepared import PreparedQuery

CURRENT_SHOWN = 4  # the front page's strip: a glance, the campaigns page has the rest
RELATED_SHOWN = 5


def _current(*, today: date, now: datetime, limit: int) -> QuerySet[Campaign]:
    upcoming = public.activities_upcoming(now).filter(campaign=OuterRef("pk"))
    return (
        public.campaigns_public()
        .filter(starts_on__lte=today, ends_on__gte=today)
        .select_related("campaign_type", "lead_unit")
        .annotate(
            next_at=Subquery(upcoming.values("starts_at")[:1]),
            next_place=Subquery(upcoming.values("place")[:1]),
        )
        .order_by("next_at", "-starts_on", "pk")[:limit]
    )


def _covered_by(*, article: int) -> QuerySet[Campaign]:
    covered = public.activities_public().filter(campaign=OuterRef("pk"), articles=article)
    return (
        public.campaigns_public().filter(Exists(covered)).select_related("campaign_type").order_by("-starts_on", "pk")
    )


# The front page and every article page ask these on each uncached view: compiled once per thread
# (pingcheng.prepared), they cost what the database takes to answer, not the ORM's compiling on top.
_CURRENT = {CURRENT_SHOWN: PreparedQuery(functools.partial(_current, limit=CURRENT_SHOWN), today=date, now=datetime)}
_COVERED_BY = PreparedQuery(_covered_by, article=int)


# The front page prints the current campaigns on every uncached view, and a publication makes every view
# uncached: the answer is kept per process for the minute it was read in, until the campaigns change.
_CURRENT_BY_MINUTE = GenerationMemo(CAMPAIGNS, dict)
_MINUTES_KEPT = 4


def campaigns_current(*, limit: int = CURRENT_SHOWN) -> list[Campaign]:
    """Public campaigns running today, the next public activity one can attend first (``next_at``; ``None`` when
    none is announced), then the newest. One query, read again each minute or when the campaigns change: the
    next activity is the next from this minute on (one that began seconds ago is still shown as next)."""
    minute = timezone.now().replace(second=0, microsecond=0)
    known = _CURRENT_BY_MINUTE.value()
    found = known.get((limit, minute))
    if found is None:
        prepared = _CURRENT.get(limit)
        if prepared is None:
            prepared = _CURRENT[limit] = PreparedQuery(
                functools.partial(_current, limit=limit), today=date, now=datetime
            )
        if len(known) >= _MINUTES_KEPT:
            known.clear()
        found = known[(limit, minute)] = prepared(today=timezone.localdate(minute), now=minute)
    return found


def _covered_article_ids() -> frozenset[int]:
    through = Activity.articles.through
    return frozenset(
        through.objects.filter(activity__in=public.activities_public()).values_list("article_id", flat=True)
    )


# Every article page asks which campaigns it covers, and nearly every answer is "none": the few articles that
# cover a public activity are known per process until the campaigns change, so the others ask nothing.
_COVERING_ARTICLES = GenerationMemo(CAMPAIGNS, _covered_article_ids)


def campaigns_covered_by(article_id: int) -> list[Campaign]:
    """Public campaigns with a public activity that this article reports on."""
    if article_id not in _COVERING_ARTICLES.value():
        return []
    return _COVERED_BY(article=article_id)


def article_ids_covering(campaigns: list[Campaign], *, besides: int) -> QuerySet:
    """The ids of articles covering public activities of ``campaigns`` other than ``besides``, as a subquery
    for the newsroom to read its own public articles from."""
    through = Activity.articles.through
    return (
        through.objects.filter(activity__in=public.activities_public().filter(campaign__in=campaigns))
        .exclude(article_id=besides)
        .values("article_id")
    )
