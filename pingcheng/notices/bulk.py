"""Notices for large audiences: written in bulk, one chunk at a time, and delivered a batch per task.

``notices_enqueue_many`` is ``notice_enqueue`` for a chunk of people: the same kinds, channels, addresses and
de-duplication (``(key, channel, person)``), in one ``bulk_create`` that skips rows already written. It returns
the e-mail/SMS rows that are due; ``notices_dispatch`` queues one ``notices_deliver_batch`` task per
``DELIVERY_BATCH`` of them after commit (a lost message is re-driven by ``notices_redrive`` from a sweep).

``notices_deliver_batch`` keeps the lease rules of ``services.notice_deliver`` for a whole batch:

1. claim — one guarded UPDATE for the batch (on PostgreSQL ``… FOR UPDATE SKIP LOCKED … RETURNING id``, so
   two workers given overlapping batches split them instead of waiting), committed before any send; rows whose
   previous holder died (lease over) are taken over in the same statement;
2. send each outside any transaction, with the notice's ``uuid`` as the idempotency key;
3. record each one right after its send, where the row still carries the batch's claim token.

A batch stops sending while its lease still has two channel timeouts to run and hands back what it has not
tried, so nothing is sent on a lease that may have passed to another worker. On PostgreSQL the records are
committed with ``synchronous_commit`` off for the batch's connection: a worker that dies loses nothing (the
server has the commit); only a crash of the database server itself may forget the last moment's records,
and those notices are then sent again under the same idempotency key.
"""

import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from pingcheng.accounts import person_name
from pingcheng.notices import channels, rules
from pingcheng.notices.kinds import kind_get
from pingcheng.notices.masking import mask_address
from pingcheng.notices.models import Notice, StaffNoticePreference, Subscriber
from pingcheng.notices.services import (
    DUE_STATUSES,
    MAX_ATTEMPTS,
    SENT_BY_WORKER,
    _address_valid,
    _addresses,
    _is_urgent,
    _reachable,
    _record_failure,
    _record_held,
    _record_outdated,
    _record_recipient_left,
    notice_lease,
)
from pingcheng.notices.sms import get_sms_backend

logger = logging.getLogger(__name__)

Channel = Notice.Channel
Status = Notice.Status
DELIVERY_BATCH = 250


@dataclass(frozen=True)
class BulkTarget:
    """One person of a large audience. ``extra`` adds addresses the caller knows and the person's own record
    lacks, as ``(channel, address)`` pairs: a staff member's warning mobile for an SMS warning."""

    person: AbstractBaseUser | Subscriber
    key: str
    context: dict = field(default_factory=dict)
    extra: tuple[tuple[str, str], ...] = ()


def notices_enqueue_many(*, kind: str, targets: Sequence[BulkTarget], send_after: datetime | None = None) -> list[int]:
    """Write the notices of ``targets`` in the current transaction; return the ids of the e-mail/SMS rows that
    are due now and not yet sent (the ones to deliver), whether written now or by an earlier run of the chunk.

    Same rules as ``notice_enqueue``: a registered kind, the channels it allows, people who can be reached,
    malformed addresses skipped, ``(key, channel, person)`` de-duplicated — a chunk written twice writes nothing
    the second time. Nothing is queued here: pass the ids to ``notices_dispatch`` on commit.
    """
    notice_kind = kind_get(kind)
    now = timezone.now()
    due = send_after or now
    rows = []
    preferences = _staff_preferences(targets)
    for target in targets:
        if isinstance(target.person, Subscriber):
            pairs = _addresses(notice_kind, target.person)
        else:  # the staff member's preference was read with the whole chunk's
            pairs = _addresses(notice_kind, target.person, preference=preferences.get(target.person.pk))
        if _reachable(target.person):
            have = {channel for channel, _address in pairs}
            for channel, address in target.extra:
                if channel in notice_kind.channels and channel not in have and _address_valid(channel, address or ""):
                    pairs.append((channel, address.strip()))
                    have.add(channel)
        is_subscriber = isinstance(target.person, Subscriber)
        for channel, address in pairs:
            in_inbox = channel == Channel.INBOX
            rows.append(Notice(
                key=target.key, kind=notice_kind.name, channel=channel, template=notice_kind.template,
                user=None if is_subscriber else target.person, subscriber=target.person if is_subscriber else None,
                context=target.context, recipient=address,
                recipient_hint=person_name(target.person) if in_inbox else mask_address(address),
                send_after=due, next_attempt_at=due,
                status=Status.SENT if in_inbox else Status.PENDING, sent_at=due if in_inbox else None,
            ))  # fmt: skip
    Notice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if due > now or not targets:
        return []
    return list(
        Notice.objects.filter(
            key__in={target.key for target in targets}, channel__in=SENT_BY_WORKER, status__in=DUE_STATUSES
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _staff_preferences(targets: Sequence[BulkTarget]) -> dict[int, StaffNoticePreference]:
    user_ids = [t.person.pk for t in targets if not isinstance(t.person, Subscriber)]
    return {p.user_id: p for p in StaffNoticePreference.objects.filter(user_id__in=user_ids)} if user_ids else {}


def notices_dispatch(notice_ids: Iterable[int]) -> int:
    """Queue one batch task per ``DELIVERY_BATCH`` ids; a broker that is down loses nothing (the rows stay due
    and a sweep re-drives them). Call it after commit. Returns how many tasks were queued."""
    ids = list(notice_ids)
    queued = 0
    for start in range(0, len(ids), DELIVERY_BATCH):
        batch = ids[start : start + DELIVERY_BATCH]
        try:
            notices_deliver_batch_task.delay(batch)
            queued += 1
        except Exception:
            logger.warning("Could not queue %s notices; a sweep will deliver them", len(batch), exc_info=True)
    return queued


def notices_redrive(*, kinds: Iterable[str], limit: int = 20_000) -> int:
    """Queue delivery batches for every due notice of ``kinds``: new ones whose task was lost, failed ones due
    again, and those whose worker died (lease over). Safe to run twice at once: the claim decides who sends.
    Returns how many notices were handed out."""
    now = timezone.now()
    ids = list(
        Notice.objects.filter(_claimable(now), kind__in=list(kinds), channel__in=SENT_BY_WORKER)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    notices_dispatch(ids)
    return len(ids)


def _claimable(now: datetime) -> Q:
    """Due (new, scheduled and come, or failed and due again), or left by a worker whose lease is over."""
    return Q(status__in=DUE_STATUSES, next_attempt_at__lte=now, send_after__lte=now) | Q(
        status=Status.SENDING, lease_until__lt=now, attempts__lt=MAX_ATTEMPTS
    )


def _claim(notice_ids: list[int], token: uuid.UUID, now: datetime) -> list[int]:
    lease_until = now + notice_lease()
    if connection.vendor == "postgresql":
        table = Notice._meta.db_table
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            # Locked rows belong to a concurrent claim of an overlapping batch: skip them rather than wait.
            cursor.execute(
                f"""
                UPDATE {table} SET status = %s, claim_token = %s, claimed_at = %s, lease_until = %s,
                       attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM {table}
                    WHERE id = ANY(%s) AND channel = ANY(%s) AND (
                        (status = ANY(%s) AND next_attempt_at <= %s AND send_after <= %s)
                        OR (status = %s AND lease_until < %s AND attempts < %s))
                    FOR UPDATE SKIP LOCKED)
                RETURNING id
                """,  # the table name is our own model's; every value is a parameter
                [Status.SENDING, token, now, lease_until, notice_ids, list(SENT_BY_WORKER), list(DUE_STATUSES),
                 now, now, Status.SENDING, now, MAX_ATTEMPTS],
            )  # fmt: skip
            return sorted(row[0] for row in cursor.fetchall())
    # SQLite: the IMMEDIATE transaction holds the database's write lock, so the guarded UPDATE is the claim.
    with transaction.atomic(durable=True):
        Notice.objects.filter(_claimable(now), pk__in=notice_ids, channel__in=SENT_BY_WORKER).update(
            status=Status.SENDING, claim_token=token, claimed_at=now, lease_until=lease_until,
            attempts=F("attempts") + 1,
        )  # fmt: skip
        return sorted(Notice.objects.filter(claim_token=token).values_list("pk", flat=True))


def notices_deliver_batch(*, notice_ids: Sequence[int]) -> int:
    """Claim, send and record a batch of e-mail/SMS notices; returns how many the channels accepted now.

    Must run outside any transaction. Rows that another worker holds, or that are sent already, are left alone;
    a batch redelivered by the broker, or handed out twice by two sweeps, sends each notice once.
    """
    token = uuid.uuid4()
    now = timezone.now()
    started = time.monotonic()
    claimed = _claim(list(notice_ids), token, now)
    if not claimed:
        return 0
    lease = notice_lease().total_seconds()
    timeouts = _channel_timeouts()
    notices = list(Notice.objects.filter(pk__in=claimed).select_related("user", "subscriber").order_by("pk"))
    urgent = {kind: _is_urgent(kind) for kind in {notice.kind for notice in notices}}
    sent = 0
    record = _recorder(token)
    with _fast_commits():
        for index, notice in enumerate(notices):
            # A send may start only while two of its channel's timeouts of the lease remain: past the lease another
            # worker may take the row over. The first one always goes (``notices.E002`` keeps the lease long
            # enough), so a batch handed back is always smaller than the one that was claimed.
            if index and time.monotonic() - started > lease - 2 * timeouts[notice.channel]:
                _hand_back([n.pk for n in notices[index:]], token)
                break
            if not _reachable(notice.user or notice.subscriber):
                _record_recipient_left(notice=notice, token=token)
                continue
            # The same rules as a single delivery: a product's guard, quiet hours and daily caps (urgent kinds skip
            # the last two).
            if not rules.notice_still_true(notice):
                _record_outdated(notice=notice, token=token)
                continue
            if (until := rules.hold_until(notice, urgent=urgent[notice.kind], now=now)) is not None:
                _record_held(notice=notice, token=token, until=until)
                continue
            try:
                channels.deliver(notice)
            except Exception as exc:  # noqa: BLE001 — any channel failure is recorded and retried, never lost
                _record_failure(notice=notice, token=token, error=exc)
                continue
            record(notice.pk)
            sent += 1
    return sent


def _recorder(token: uuid.UUID):
    """One statement per sent notice, written once and executed with parameters only: the ORM would compile the
    same UPDATE for every row of the batch (PostgreSQL prepares it after a few runs)."""
    table = connection.ops.quote_name(Notice._meta.db_table)
    sql = (
        f"UPDATE {table} SET status = %s, sent_at = %s, last_error = '', lease_until = NULL "
        "WHERE id = %s AND claim_token = %s"
    )
    claim = Notice._meta.get_field("claim_token").get_db_prep_value(token, connection)
    sent_at = Notice._meta.get_field("sent_at")

    def record(notice_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [Status.SENT, sent_at.get_db_prep_value(timezone.now(), connection), notice_id, claim])

    return record


def _hand_back(notice_ids: list[int], token: uuid.UUID) -> None:
    """Return claimed rows that were not tried: their attempt is not counted, and they are due at once."""
    with transaction.atomic(durable=True):
        Notice.objects.filter(pk__in=notice_ids, claim_token=token, status=Status.SENDING).update(
            status=Status.FAILED, attempts=F("attempts") - 1, next_attempt_at=timezone.now(), lease_until=None
        )
    notices_dispatch(notice_ids)


def _channel_timeouts() -> dict[str, float]:
    return {Channel.SMS: float(get_sms_backend().timeout), Channel.EMAIL: float(settings.EMAIL_TIMEOUT or 0)}


class _fast_commits:
    """On PostgreSQL, this connection's commits do not wait for the WAL flush while the batch records (see the
    module docstring for what that trades); restored afterwards, since the connection outlives the task."""

    def __enter__(self):
        self.active = connection.vendor == "postgresql"
        if self.active:
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
        return self

    def __exit__(self, *exc_info):
        if self.active:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        return False


@shared_task(name="pingcheng.notices.bulk.notices_deliver_batch")
def notices_deliver_batch_task(notice_ids: list[int]) -> int:
    return notices_deliver_batch(notice_ids=notice_ids)
