"""Notices to people: enqueue in the caller's transaction, deliver under a lease outside any transaction.

``notice_enqueue`` takes a registered kind and a person (a staff user or a subscriber) and writes one row per
channel the kind allows and the person can be reached by. An in-site (inbox) row is delivered by being
committed. An e-mail or SMS row is delivered by a worker:

1. claim — a guarded UPDATE (due → sending, ``lease_until``, ``attempts + 1``, a fresh ``claim_token``),
   committed at once, so the attempt counts even if the worker dies;
2. send — outside any transaction (no row lock or SQLite write lock is held across the network), with the
   notice's ``uuid`` as the idempotency key;
3. record — "sent" (or the failure and its backoff) only where the row still carries our claim token.

A worker killed between 1 and 3 leaves the row "sending"; once its lease is over the sweep puts it back in
line and sends it again. Nothing is lost, and a message goes out twice only if the worker died after the
channel accepted it and before step 3 committed — the copy carries the same idempotency key.
"""

import logging
import re
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pingcheng.errors import DomainError
from pingcheng.notices import channels
from pingcheng.notices.kinds import NoticeKind, kind_get
from pingcheng.notices.models import Notice, Subscriber, mask_address

logger = logging.getLogger(__name__)

Channel = Notice.Channel
Status = Notice.Status
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=6)
SWEEP_BATCH = 200
ERASE_BATCH = 1000
DUE_STATUSES = (Status.PENDING, Status.FAILED)
# Channels that a worker sends through; inbox rows need no sending.
SENT_BY_WORKER = (Channel.EMAIL, Channel.SMS)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


# --- Enqueue -------------------------------------------------------------------------------------------


def notice_enqueue(
    *,
    kind: str,
    recipient: AbstractBaseUser | Subscriber,
    key: str,
    context: dict | None = None,
    send_after: datetime | None = None,
) -> list[Notice]:
    """Write the notices of one event for one person in the current transaction; return them (one per channel).

    ``kind`` must be registered (``pingcheng.notices.kinds``): an unknown name raises ``DomainError``
    (``notice_kind_unknown``) before anything is written. The channels are those the kind allows and the
    person can be reached by (see ``_addresses``); a person who cannot be reached gets nothing, which is not
    an error. ``key`` identifies the event for this person: the same key enqueued again is the same row per
    channel. After commit, a task is queued for each e-mail/SMS row that is due; if the broker is down the row
    stays pending and the sweep delivers it. A rolled-back transaction leaves nothing to send.
    """
    notice_kind = kind_get(kind)
    if isinstance(recipient, Subscriber):
        person = {"user": None, "subscriber": recipient}
    elif isinstance(recipient, AbstractBaseUser):
        person = {"user": recipient, "subscriber": None}
    else:
        raise TypeError(f"A notice goes to a User or a Subscriber, not {type(recipient).__name__}")

    now = timezone.now()
    due = send_after or now
    notices = []
    for channel, address in _addresses(notice_kind, recipient):
        in_inbox = channel == Channel.INBOX
        notice, created = Notice.objects.get_or_create(
            key=key,
            channel=channel,
            defaults={
                **person,
                "kind": notice_kind.name,
                "template": notice_kind.template,
                "context": context or {},
                "recipient": address,
                "recipient_hint": recipient.get_username() if in_inbox else mask_address(address),
                "send_after": due,
                "next_attempt_at": due,
                # An inbox row is delivered by being committed; it shows from ``send_after`` on.
                "status": Status.SENT if in_inbox else Status.PENDING,
                "sent_at": due if in_inbox else None,
            },
        )
        if created and not in_inbox and due <= now:
            transaction.on_commit(lambda notice_id=notice.pk: _dispatch(notice_id))
        notices.append(notice)
    return notices


def _addresses(kind: NoticeKind, recipient: AbstractBaseUser | Subscriber) -> list[tuple[str, str]]:
    """(channel, address) pairs by which this kind reaches this person.

    A staff user: the in-site inbox always, plus e-mail when the account has an address. A subscriber: their
    e-mail and phone, only once confirmed and while active. Each only as far as the kind allows. An address
    that our own records hold but that is malformed is skipped with a warning: a typo in a reporter's profile
    must not make an editor's review fail.
    """
    if isinstance(recipient, Subscriber):
        if not (recipient.is_active and recipient.confirmed_at):
            return []
        candidates = [(Channel.EMAIL, recipient.email), (Channel.SMS, recipient.phone)]
    else:
        if not recipient.is_active:
            return []
        email = getattr(recipient, recipient.get_email_field_name(), "") or ""
        candidates = [(Channel.INBOX, "")] if recipient.is_staff else []
        candidates.append((Channel.EMAIL, email))
    targets = []
    for channel, address in candidates:
        if channel not in kind.channels or (channel != Channel.INBOX and not address):
            continue
        if not _address_valid(channel, address):
            logger.warning("Skipping %s notice %s to a malformed address %s", channel, kind.name, mask_address(address))
            continue
        targets.append((channel, address.strip()))
    return targets


def _address_valid(channel: str, address: str) -> bool:
    if channel == Channel.EMAIL:
        try:
            validate_email(address.strip())
        except ValidationError:
            return False
    elif channel == Channel.SMS:
        return bool(_MOBILE.match(address.strip()))
    return True


def _dispatch(notice_id: int) -> None:
    from pingcheng.notices.tasks import notice_deliver_task

    try:
        notice_deliver_task.delay(notice_id)
    except Exception:
        logger.warning("Could not queue notice %s; the sweep will deliver it", notice_id, exc_info=True)


# --- Delivery ------------------------------------------------------------------------------------------


def notice_backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def notice_lease() -> timedelta:
    """How long a worker may hold a notice it is sending; longer than any channel's own timeout."""
    return timedelta(seconds=settings.NOTICE_SEND_LEASE_SECONDS)


def notice_deliver(*, notice_id: int) -> bool:
    """Send one due e-mail/SMS notice unless someone else holds it. Returns whether the channel accepted it now.

    Must run outside any transaction (``durable`` enforces it): the claim commits before the send, and the
    send holds no lock. A second worker, a second sweep or a redelivered task finds the row claimed or sent and
    does nothing.
    """
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic(durable=True):
        claimed = Notice.objects.filter(
            pk=notice_id, channel__in=SENT_BY_WORKER, status__in=DUE_STATUSES,
            next_attempt_at__lte=now, send_after__lte=now,
        ).update(
            status=Status.SENDING, claim_token=token, claimed_at=now, lease_until=now + notice_lease(),
            attempts=F("attempts") + 1,
        )  # fmt: skip
    if not claimed:
        return False
    notice = Notice.objects.get(pk=notice_id)
    try:
        channels.deliver(notice)
    except Exception as exc:  # noqa: BLE001 — any channel failure is recorded and retried, never lost
        _record_failure(notice=notice, token=token, error=exc)
        return False
    with transaction.atomic(durable=True):
        recorded = Notice.objects.filter(pk=notice_id, claim_token=token).update(
            status=Status.SENT, sent_at=timezone.now(), last_error="", lease_until=None
        )
    if not recorded:
        # Our lease ran out and another worker claimed the row again: it may send a second copy (same key).
        logger.warning("Notice %s was sent after its lease had been taken over", notice_id)
    return True


def _record_failure(*, notice: Notice, token: uuid.UUID, error: Exception) -> None:
    now = timezone.now()
    dead = notice.attempts >= MAX_ATTEMPTS
    with transaction.atomic(durable=True):
        Notice.objects.filter(pk=notice.pk, claim_token=token).update(
            status=Status.DEAD if dead else Status.FAILED,
            next_attempt_at=now + notice_backoff(notice.attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
            lease_until=None,
        )
    if dead:
        logger.error("Notice %s is dead after %s attempts: %s", notice.pk, notice.attempts, error)


def notices_release_expired_leases() -> int:
    """Put back in line the notices whose worker died mid-send (kill -9, OOM, a lost host).

    The interrupted attempt was counted when it was claimed; the row becomes due at once, or dead if that was
    its last attempt. The claim token stays, so a worker that was only slow can still record its success
    until somebody claims the row again. Idempotent.
    """
    now = timezone.now()
    expired = Notice.objects.filter(status=Status.SENDING, lease_until__lt=now)
    note = _("发送中断：租约到期仍未记录结果（发送进程可能已退出）。")
    with transaction.atomic(durable=True):
        dead = expired.filter(attempts__gte=MAX_ATTEMPTS).update(status=Status.DEAD, last_error=note, lease_until=None)
        retry = expired.filter(attempts__lt=MAX_ATTEMPTS).update(
            status=Status.FAILED, last_error=note, next_attempt_at=now, lease_until=None
        )
    if dead or retry:
        logger.warning("Released %s notices whose lease expired (%s of them dead)", dead + retry, dead)
    return dead + retry


def notices_sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Deliver every notice that is due: new ones whose task was lost, scheduled ones, failed retries, and
    those whose sender died (after their lease). Safe to run twice at once or late. Returns how many were sent.
    """
    notices_release_expired_leases()
    now = timezone.now()
    due_ids = list(
        Notice.objects.filter(
            channel__in=SENT_BY_WORKER, status__in=DUE_STATUSES, next_attempt_at__lte=now, send_after__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notice_deliver(notice_id=notice_id) for notice_id in due_ids)


@transaction.atomic
def notice_resend(*, notice: Notice) -> Notice:
    """Give a dead or failed notice a fresh set of attempts, starting now.

    Refused (``notice_address_erased``) once the retention sweep has blanked its address: there is nobody to
    send it to any more.
    """
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.channel in SENT_BY_WORKER and not notice.recipient:
        raise DomainError(_("收件地址已按保留期限清除，无法重新发送。"), code="notice_address_erased")
    if notice.status in (Status.DEAD, Status.FAILED):
        notice.status = Status.PENDING
        notice.attempts = 0
        notice.next_attempt_at = timezone.now()
        notice.last_error = ""
        notice.claim_token = None
        notice.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "claim_token"])
        transaction.on_commit(lambda: _dispatch(notice.pk))
    return notice


# --- Inbox ---------------------------------------------------------------------------------------------


def notice_mark_read(*, notice: Notice) -> Notice:
    """Mark one inbox notice read (a second time keeps the first reading time). Get it through ``access``."""
    now = timezone.now()
    if Notice.objects.filter(pk=notice.pk, channel=Channel.INBOX, read_at__isnull=True).update(read_at=now):
        notice.read_at = now
    return notice


def inbox_mark_all_read(*, user) -> int:
    """Mark every unread inbox notice of ``user`` that is showing read; returns how many."""
    now = timezone.now()
    return Notice.objects.filter(user=user, channel=Channel.INBOX, read_at__isnull=True, send_after__lte=now).update(
        read_at=now
    )


# --- Retention -----------------------------------------------------------------------------------------


def notices_erase_addresses() -> int:
    """Blank the address of notices delivered (or given up) more than NOTICE_ADDRESS_RETENTION_DAYS ago.

    The masked ``recipient_hint`` stays for the outbox. Counted from ``sent_at`` for sent notices and from
    ``created_at`` for dead ones. Idempotent, in small batches so SQLite's write lock is held only briefly.
    Returns how many addresses were blanked.
    """
    cutoff = timezone.now() - timedelta(days=settings.NOTICE_ADDRESS_RETENTION_DAYS)
    stale = Notice.objects.exclude(recipient="").filter(
        Q(status=Status.SENT, sent_at__lt=cutoff) | Q(status=Status.DEAD, created_at__lt=cutoff)
    )
    erased = 0
    while batch := list(stale.values_list("pk", "recipient", "recipient_hint")[:ERASE_BATCH]):
        with transaction.atomic():
            for pk, address, hint in batch:
                if not hint:  # rows written before hints existed, or in bulk
                    Notice.objects.filter(pk=pk).update(recipient_hint=mask_address(address))
            erased += stale.filter(pk__in=[pk for pk, _address, _hint in batch]).update(recipient="")
    return erased
