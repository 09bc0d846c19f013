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

Between 1 and 2 the worker re-reads the person: a notice that was scheduled or being retried is cancelled,
not sent, once its subscriber unsubscribed or its staff account was deactivated. Errors and log lines carry
masked addresses only.
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

from pingcheng.accounts import person_name
from pingcheng.errors import DomainError
from pingcheng.notices import channels, rules
from pingcheng.notices.kinds import NoticeKind, kind_get
from pingcheng.notices.masking import mask_address, mask_contacts
from pingcheng.notices.models import Notice, StaffNoticePreference, Subscriber

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
    an error. ``key`` identifies the event and de-duplicates per person: the same key enqueued again for the
    same person is the same row per channel, while another person under the same key gets rows of their own.
    After commit, a task is queued for each e-mail/SMS row that is due; if the broker is down the row stays
    pending and the sweep delivers it. A rolled-back transaction leaves nothing to send.
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
            **person,
            defaults={
                "kind": notice_kind.name,
                "template": notice_kind.template,
                "context": context or {},
                "recipient": address,
                # The outbox names a colleague as people write names (邱东芳), an address only masked.
                "recipient_hint": person_name(recipient) if in_inbox else mask_address(address),
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


def notice_enqueue_sms(*, kind: str, phone: str, key: str, context: dict | None = None) -> Notice | None:
    """Write one SMS notice to a phone that belongs to no account or subscription (a resident who filed an
    inquiry and confirmed the phone with a one-time code); return it, or None if the kind has no SMS or the
    number is malformed.

    The row has no person, so ``(key, channel)`` de-duplicates it. Its address is kept only until delivery:
    the product that enqueues it blanks it once sent (``notices_erase_sent_addresses``), not after the
    retention period, because the product holds the phone encrypted and this row would be a plaintext copy.
    """
    notice_kind = kind_get(kind)
    if Channel.SMS not in notice_kind.channels or not _address_valid(Channel.SMS, phone or ""):
        return None
    now = timezone.now()
    notice, created = Notice.objects.get_or_create(
        key=key,
        channel=Channel.SMS,
        user=None,
        subscriber=None,
        defaults={
            "kind": notice_kind.name, "template": notice_kind.template, "context": context or {},
            "recipient": phone.strip(), "recipient_hint": mask_address(phone), "send_after": now,
            "next_attempt_at": now,
        },
    )  # fmt: skip
    if created:
        transaction.on_commit(lambda notice_id=notice.pk: _dispatch(notice_id))
    return notice


def notices_erase_sent_addresses(*, kinds: list[str] | None = None, key_prefix: str = "") -> int:
    """Blank at once the address of finished notices (sent, dead or cancelled) of ``kinds`` or under
    ``key_prefix``; with ``key_prefix`` pending ones are cancelled first (their person asked to be forgotten).
    Idempotent; returns how many addresses were blanked."""
    rows = Notice.objects.exclude(recipient="")
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    if key_prefix:
        rows = rows.filter(key__startswith=key_prefix)
        rows.filter(status__in=DUE_STATUSES).update(status=Status.CANCELED, lease_until=None)
    return rows.filter(status__in=(Status.SENT, Status.DEAD, Status.CANCELED)).update(recipient="")


# ``preference`` not given: read it. Given (None included: the person has none), it was read for a whole chunk.
_READ_IT = object()


def _addresses(
    kind: NoticeKind, recipient: AbstractBaseUser | Subscriber, *, preference=_READ_IT
) -> list[tuple[str, str]]:
    """(channel, address) pairs by which this kind reaches this person.

    A staff user: the in-site inbox always, plus e-mail when the account has an address. A subscriber: their
    e-mail and phone, only once confirmed and while active. Each only as far as the kind allows. An address
    that our own records hold but that is malformed is skipped with a warning: a typo in a reporter's profile
    must not make an editor's review fail. ``preference`` is the staff member's ``StaffNoticePreference`` (or
    None) when the caller read it already: ``bulk`` reads a chunk's preferences in one query.
    """
    if not _reachable(recipient):
        return []
    if isinstance(recipient, Subscriber):
        candidates = [(Channel.EMAIL, recipient.email), (Channel.SMS, recipient.phone)]
    else:
        candidates = _staff_candidates(recipient, preference=preference)
    targets = []
    for channel, address in candidates:
        if channel not in kind.channels or (channel != Channel.INBOX and not address):
            continue
        if not _address_valid(channel, address):
            logger.warning("Skipping %s notice %s to a malformed address %s", channel, kind.name, mask_address(address))
            continue
        targets.append((channel, address.strip()))
    return targets


def _staff_candidates(user, *, preference=_READ_IT) -> list[tuple[str, str]]:
    """A staff member's channels: the inbox and the account's e-mail unless their preferences
    (``StaffNoticePreference``) say otherwise, and SMS to the number given there when chosen."""
    email = getattr(user, user.get_email_field_name(), "") or ""
    if preference is _READ_IT:
        preference = StaffNoticePreference.objects.filter(user=user).first()
    if preference is None:
        return ([(Channel.INBOX, "")] if user.is_staff else []) + [(Channel.EMAIL, email)]
    candidates = []
    if preference.by_inbox and user.is_staff:
        candidates.append((Channel.INBOX, ""))
    if preference.by_email:
        candidates.append((Channel.EMAIL, email))
    if preference.by_sms:
        candidates.append((Channel.SMS, preference.phone))
    return candidates


def _reachable(person: AbstractBaseUser | Subscriber | None) -> bool:
    """Whether we may still write to this person: a subscriber while confirmed and active, a staff user while
    the account is active. A notice with no person (written before notices had people) is addressed to its
    address alone."""
    if person is None:
        return True
    if isinstance(person, Subscriber):
        return person.is_active and person.confirmed_at is not None
    return person.is_active


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
    notice = Notice.objects.select_related("user", "subscriber").get(pk=notice_id)
    # The person may have left since the notice was written (a scheduled notice, a retry hours later).
    if not _reachable(notice.user or notice.subscriber):
        _record_recipient_left(notice=notice, token=token)
        return False
    if not rules.notice_still_true(notice):
        _record_outdated(notice=notice, token=token)
        return False
    if (until := rules.hold_until(notice, urgent=_is_urgent(notice.kind), now=now)) is not None:
        _record_held(notice=notice, token=token, until=until)
        return False
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
    # A channel's error often quotes the address it refused (smtplib's SMTPRecipientsRefused is a dict keyed
    # by it): the outbox and the logs get it masked, so it does not outlive the retention there.
    error_text = mask_contacts(f"{type(error).__name__}: {error}", known=(notice.recipient,))
    with transaction.atomic(durable=True):
        Notice.objects.filter(pk=notice.pk, claim_token=token).update(
            status=Status.DEAD if dead else Status.FAILED,
            next_attempt_at=now + notice_backoff(notice.attempts),
            last_error=error_text[:2000],
            lease_until=None,
            # The place it reserved under its number's daily SMS cap is given back (``rules.sms_cap_reserve``).
            sent_at=None,
        )
    if dead:
        logger.error("Notice %s is dead after %s attempts: %s", notice.pk, notice.attempts, error_text)


def _is_urgent(kind: str) -> bool:
    try:
        return kind_get(kind).urgent
    except DomainError:  # a kind retired since it was written: treated as ordinary
        return False


def _record_held(*, notice: Notice, token: uuid.UUID, until: datetime) -> None:
    """Put a claimed notice back in line for ``until`` (quiet hours, a daily cap): held, never dropped, and the
    attempt it did not make is not counted."""
    with transaction.atomic(durable=True):
        Notice.objects.filter(pk=notice.pk, claim_token=token).update(
            status=Status.PENDING, send_after=until, next_attempt_at=until, attempts=F("attempts") - 1,
            lease_until=None,
        )  # fmt: skip


def _record_outdated(*, notice: Notice, token: uuid.UUID) -> None:
    """Finish a claimed notice without sending it: what it says is no longer so (a reminder of an activity
    that moved or was cancelled since), as its product's guard decided (``rules.guard_register``)."""
    with transaction.atomic(durable=True):
        Notice.objects.filter(pk=notice.pk, claim_token=token).update(
            status=Status.CANCELED, last_error=_("内容已过时（如活动已改期或取消），未发送。"), lease_until=None
        )


def _record_recipient_left(*, notice: Notice, token: uuid.UUID) -> None:
    """Finish a claimed notice without sending it: its person unsubscribed or was deactivated. The address
    goes at once (there is nothing left to deliver); the masked hint stays for the outbox."""
    with transaction.atomic(durable=True):
        Notice.objects.filter(pk=notice.pk, claim_token=token).update(
            status=Status.CANCELED,
            recipient="",
            recipient_hint=notice.recipient_hint or mask_address(notice.recipient),
            last_error=_("收件人已退订或停用，未发送。"),
            lease_until=None,
        )
    logger.info("Notice %s cancelled: its recipient unsubscribed or was deactivated", notice.pk)


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
        # A dead worker's place under the number's daily SMS cap is given back (``rules.sms_cap_reserve``).
        dead = expired.filter(attempts__gte=MAX_ATTEMPTS).update(
            status=Status.DEAD, last_error=note, lease_until=None, sent_at=None
        )
        retry = expired.filter(attempts__lt=MAX_ATTEMPTS).update(
            status=Status.FAILED, last_error=note, next_attempt_at=now, lease_until=None, sent_at=None
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
    """Give a dead or failed notice a fresh set of attempts, starting now; other notices are left as they are.

    Refused (``notice_address_erased``) once the retention sweep has blanked its address, and
    (``notice_recipient_left``) once its subscriber unsubscribed or its staff account was deactivated: there
    is nobody to send it to any more.
    """
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status in (Status.DEAD, Status.FAILED):
        if notice.channel in SENT_BY_WORKER and not notice.recipient:
            raise DomainError(_("收件地址已按保留期限清除，无法重新发送。"), code="notice_address_erased")
        if not _reachable(notice.user or notice.subscriber):
            raise DomainError(_("收件人已退订或停用，无法重新发送。"), code="notice_recipient_left")
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
    """Blank the address of notices delivered, given up or cancelled more than NOTICE_ADDRESS_RETENTION_DAYS ago.

    The masked ``recipient_hint`` stays for the outbox, and the address is masked in ``last_error`` too
    (errors stored before they were masked at write time). Counted from ``sent_at`` for sent notices and from
    ``created_at`` for dead and cancelled ones (a reminder cancelled at send time because its activity moved
    keeps its address until then). Idempotent, in small batches so SQLite's write lock is held only briefly.
    Returns how many addresses were blanked.
    """
    cutoff = timezone.now() - timedelta(days=settings.NOTICE_ADDRESS_RETENTION_DAYS)
    stale = Notice.objects.exclude(recipient="").filter(
        Q(status=Status.SENT, sent_at__lt=cutoff) | Q(status__in=(Status.DEAD, Status.CANCELED), created_at__lt=cutoff)
    )
    erased = 0
    while batch := list(stale.values_list("pk", "recipient", "recipient_hint", "last_error")[:ERASE_BATCH]):
        with transaction.atomic():
            for pk, address, hint, error in batch:
                changes = {}
                if not hint:  # rows written before hints existed, or in bulk
                    changes["recipient_hint"] = mask_address(address)
                if error and (masked := mask_contacts(error, known=(address,))) != error:
                    changes["last_error"] = masked
                if changes:
                    Notice.objects.filter(pk=pk).update(**changes)
            erased += stale.filter(pk__in=[pk for pk, *_rest in batch]).update(recipient="")
    return erased
