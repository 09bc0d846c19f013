"""Notices to subscribers: one event for an audience (a topic in some units), expanded by Celery in chunks into
one notice per immediate subscriber and one digest item per daily or weekly subscriber.

``subscribers_notify`` writes a ``Fanout`` row in the caller's transaction and queues its expansion after
commit; nothing is expanded in the request. ``fanout_expand`` takes the row under a lease, handles one chunk
of subscribers past its ``cursor`` and queues itself again; ``fanouts_sweep`` (every minute) re-drives rows
whose task was lost. The notices and digest items are unique per subscriber and key, so a chunk done twice
(a worker killed before it recorded its cursor) writes nothing twice.

Audience: subscriptions to the topic for the whole district (no unit), or for one of the event's units or a
unit above one of them — a community's event reaches its community's, its street's and the district's
subscribers — or to one of the event's streams (an article's section). An event with no unit reaches the district-wide subscriptions only. Each subscriber counts once,
at the most immediate frequency among their matching subscriptions.

Digests (``digests_sweep``, every minute): from NOTICE_DIGEST_TIME (07:30) each day, the daily items written
before that time go out as one notice per subscriber; on Mondays the weekly ones. A subscriber with nothing
waiting gets nothing; a second or late run finds the items already marked and sends nothing again.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from pingcheng.notices.kinds import kind_get
from pingcheng.notices.models import DigestItem, Fanout, Frequency, Subscriber, Subscription, Topic
from pingcheng.notices.services import notice_enqueue

logger = logging.getLogger(__name__)

CHUNK = 500
FANOUT_LEASE = timedelta(minutes=5)
DIGEST_ITEMS_MAX = 30
_RANK = {Frequency.IMMEDIATE: 0, Frequency.DAILY: 1, Frequency.WEEKLY: 2}


def unit_paths_with_ancestors(paths) -> list[str]:
    """Every path in ``paths`` and each of its ancestors' (``/a/b/`` → ``/a/``, ``/a/b/``)."""
    found = set()
    for path in paths:
        parts = [part for part in path.split("/") if part]
        for depth in range(1, len(parts) + 1):
            found.add("/" + "/".join(parts[:depth]) + "/")
    return sorted(found)


def subscribers_notify(
    *, kind: str, topic: str, key: str, units=(), streams=(), context: dict | None = None,
    immediate_only: bool = False,
) -> Fanout:  # fmt: skip
    """Tell the subscribers of ``topic`` in ``units`` (Unit objects) or in ``streams`` (stream keys, see
    ``pingcheng.notices.streams``) about one event, in the caller's transaction. A subscriber who follows both a
    unit and a stream of the event is told once.

    ``kind`` is a registered notice kind (its templates render each notice; a digest lists the items by their
    context's ``title`` and ``url``). The same ``key`` again is the same event: nothing more is written.
    Expansion happens after commit in a Celery task (and in the sweep if the broker is down).
    """
    kind_get(kind)
    paths = unit_paths_with_ancestors(unit.path for unit in units)
    fanout, created = Fanout.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "topic": topic, "unit_paths": paths, "streams": sorted(set(streams)),
                  "context": context or {}, "immediate_only": immediate_only},
    )  # fmt: skip
    if created:
        transaction.on_commit(lambda fanout_id=fanout.pk: _dispatch(fanout_id))
    return fanout


def _dispatch(fanout_id: int) -> None:
    from pingcheng.notices.tasks import fanout_expand_task

    try:
        fanout_expand_task.delay(fanout_id)
    except Exception:
        logger.warning("Could not queue fan-out %s; the sweep will expand it", fanout_id, exc_info=True)


def _audience(fanout: Fanout):
    where = Q(stream="") & (Q(unit__isnull=True) | Q(unit__path__in=fanout.unit_paths))
    if fanout.streams:
        where |= Q(stream__in=fanout.streams)
    subscriptions = Subscription.objects.filter(
        where, topic=fanout.topic, subscriber__is_active=True, subscriber__confirmed_at__isnull=False
    )
    if fanout.immediate_only:
        subscriptions = subscriptions.filter(frequency=Frequency.IMMEDIATE)
    return subscriptions


def fanout_expand(*, fanout_id: int, chunk: int = CHUNK) -> bool:
    """Expand the next chunk of one fan-out; returns whether more remains. Safe to run twice at once: the
    lease lets one runner in, and what a chunk writes is unique per subscriber and key."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        claimed = (
            Fanout.objects.filter(pk=fanout_id, done_at__isnull=True)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .update(lease_until=now + FANOUT_LEASE)
        )
    if not claimed:
        return False
    fanout = Fanout.objects.get(pk=fanout_id)
    audience = _audience(fanout)
    ids = list(
        audience.filter(subscriber_id__gt=fanout.cursor).order_by("subscriber_id")
        .values_list("subscriber_id", flat=True).distinct()[:chunk]
    )  # fmt: skip
    frequencies: dict[int, str] = {}
    for subscriber_id, frequency in audience.filter(subscriber_id__in=ids).values_list("subscriber_id", "frequency"):
        if fanout.topic == Topic.WARNING:
            frequency = Frequency.IMMEDIATE  # a warning is never held for a digest
        best = frequencies.get(subscriber_id, frequency)
        frequencies[subscriber_id] = min(best, frequency, key=_RANK.__getitem__)
    subscribers = Subscriber.objects.in_bulk(list(frequencies))
    with transaction.atomic():
        for subscriber_id, frequency in sorted(frequencies.items()):
            subscriber = subscribers[subscriber_id]
            if frequency == Frequency.IMMEDIATE:
                notice_enqueue(kind=fanout.kind, recipient=subscriber, key=fanout.key, context=fanout.context)
            else:
                _digest_item_add(subscriber=subscriber, frequency=frequency, fanout=fanout)
        # A short chunk was the last one: done now, without another round trip through the broker.
        more = len(ids) == chunk
        Fanout.objects.filter(pk=fanout.pk).update(
            cursor=max(frequencies) if frequencies else fanout.cursor,
            recipients=fanout.recipients + len(frequencies),
            done_at=None if more else timezone.now(),
            lease_until=None,
        )
    if more:
        transaction.on_commit(lambda: _dispatch(fanout.pk))
    return more


def _digest_item_add(*, subscriber: Subscriber, frequency: str, fanout: Fanout) -> None:
    # A digest line names what the event was (活动取消, 活动改期 …): the title and time alone would list a
    # cancelled activity as if it were still on.
    label = str(kind_get(fanout.kind).description).partition("：")[0]
    try:
        with transaction.atomic():
            DigestItem.objects.get_or_create(
                subscriber=subscriber, key=fanout.key,
                defaults={"frequency": frequency, "topic": fanout.topic, "context": {**fanout.context, "label": label},
                          "created_at": timezone.now()},
            )  # fmt: skip
    except IntegrityError:  # written by a concurrent run of the same chunk
        pass


def fanouts_sweep() -> int:
    """Expand every fan-out not yet done (its task was lost, or its worker died). Returns how many it touched."""
    pending = Fanout.objects.filter(done_at__isnull=True).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=timezone.now())
    )
    touched = 0
    for fanout_id in list(pending.order_by("created_at").values_list("pk", flat=True)[:50]):
        while fanout_expand(fanout_id=fanout_id):
            pass
        touched += 1
    return touched


# --- Digests -------------------------------------------------------------------------------------------


def _digest_time() -> time:
    hours, _sep, minutes = settings.NOTICE_DIGEST_TIME.partition(":")
    return time(int(hours), int(minutes or 0))


def digest_cutoff(frequency: str, now: datetime) -> datetime | None:
    """The latest digest time at or before ``now`` for ``frequency`` (today's 07:30, or this Monday's)."""
    local = timezone.localtime(now)
    day = local.date()
    if frequency == Frequency.WEEKLY:
        day -= timedelta(days=day.weekday())
    cutoff = timezone.make_aware(datetime.combine(day, _digest_time()), local.tzinfo)
    if cutoff > now:
        cutoff -= timedelta(days=7 if frequency == Frequency.WEEKLY else 1)
    return cutoff


def digests_send(*, frequency: str, now: datetime | None = None) -> int:
    """Send the due digests of ``frequency``: one notice per subscriber with items written before the latest
    digest time. Returns how many digests were written. Idempotent: the items are marked with their digest."""
    now = now or timezone.now()
    cutoff = digest_cutoff(frequency, now)
    kind = f"digest_{frequency}"
    due = DigestItem.objects.filter(frequency=frequency, digest_key="", created_at__lt=cutoff)
    sent = 0
    for subscriber_id in list(due.values_list("subscriber_id", flat=True).distinct().order_by("subscriber_id")):
        key = f"digest:{frequency}:{timezone.localtime(cutoff):%Y-%m-%d}:{subscriber_id}"
        with transaction.atomic():
            subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
            items = list(due.filter(subscriber=subscriber).order_by("created_at", "pk"))
            if not items:
                continue  # a concurrent run took them
            DigestItem.objects.filter(pk__in=[item.pk for item in items]).update(digest_key=key)
            entries = [item.context for item in items[:DIGEST_ITEMS_MAX]]
            if notice_enqueue(kind=kind, recipient=subscriber, key=key,
                              context={"items": entries, "more": max(len(items) - DIGEST_ITEMS_MAX, 0),
                                       "date": f"{timezone.localtime(cutoff):%Y-%m-%d}"}):  # fmt: skip
                sent += 1
    return sent


def digests_sweep(*, now: datetime | None = None) -> int:
    return sum(digests_send(frequency=frequency, now=now) for frequency in (Frequency.DAILY, Frequency.WEEKLY))
