"""The notice outbox: enqueue in the caller's transaction, deliver once under a row lock, re-drive by sweep.

Delivery is at-least-once only in one narrow case — the channel accepted the message and the database
commit that records it then failed — and exactly-once otherwise: the claim and the "sent" mark are in
one transaction that holds the row.
"""

import logging
import re
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingcheng.notices import channels
from pingcheng.notices.models import Notice

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=6)
SWEEP_BATCH = 200
DUE_STATUSES = (Notice.Status.PENDING, Notice.Status.FAILED)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _validate_recipient(channel: str, recipient: str) -> None:
    if channel == Notice.Channel.EMAIL:
        validate_email(recipient)
    elif channel == Notice.Channel.SMS:
        if not _MOBILE.match(recipient):
            raise ValidationError(_("短信收件人必须是11位手机号码。"), code="phone_invalid")
    else:
        raise ValidationError(_("未知的通知渠道。"), code="channel_invalid")


def notice_enqueue(
    *,
    key: str,
    channel: str,
    recipient: str,
    template: str,
    context: dict | None = None,
    send_after: datetime | None = None,
) -> Notice:
    """Write a notice in the current transaction; the same ``key`` twice is the same notice.

    After commit, a task is sent to deliver it at once (if due); if the broker is down the row stays
    pending and the sweep delivers it later. A rolled-back transaction leaves nothing to send.
    """
    _validate_recipient(channel, recipient)
    now = timezone.now()
    due = send_after or now
    notice, created = Notice.objects.get_or_create(
        key=key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "template": template,
            "context": context or {},
            "send_after": due,
            "next_attempt_at": due,
        },
    )
    if created and due <= now:
        notice_id = notice.pk
        transaction.on_commit(lambda: _dispatch(notice_id))
    return notice


def _dispatch(notice_id: int) -> None:
    from pingcheng.notices.tasks import notice_deliver_task

    try:
        notice_deliver_task.delay(notice_id)
    except Exception:
        logger.warning("Could not queue notice %s; the sweep will deliver it", notice_id, exc_info=True)


def notice_backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def notice_deliver(*, notice_id: int) -> bool:
    """Send one due notice if nobody else is sending it. Returns whether it was sent now.

    The row is locked for the whole send (``skip_locked`` lets a concurrent sweep pass it by on
    PostgreSQL; SQLite serialises the transactions), and its status is re-checked under the lock, so a
    second worker, a second sweep or a redelivered task finds it sent and does nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(skip_locked=True)
            .filter(pk=notice_id, status__in=DUE_STATUSES, next_attempt_at__lte=now, send_after__lte=now)
            .first()
        )
        if notice is None:
            return False
        notice.attempts += 1
        notice.claimed_at = now
        try:
            channels.deliver(notice)
        except Exception as exc:  # noqa: BLE001 — any channel failure is recorded and retried, never lost
            notice.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notice.attempts >= MAX_ATTEMPTS:
                notice.status = Notice.Status.DEAD
                logger.error("Notice %s is dead after %s attempts: %s", notice.pk, notice.attempts, exc)
            else:
                notice.status = Notice.Status.FAILED
                notice.next_attempt_at = now + notice_backoff(notice.attempts)
            notice.save(update_fields=["attempts", "claimed_at", "last_error", "status", "next_attempt_at"])
            return False
        notice.status = Notice.Status.SENT
        notice.sent_at = timezone.now()
        notice.last_error = ""
        notice.save(update_fields=["attempts", "claimed_at", "last_error", "status", "sent_at"])
        return True


def notices_sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Deliver every notice that is due: new ones whose task was lost, scheduled ones, failed retries.

    Safe to run twice at once or late: each notice is claimed under its own lock. Returns how many were sent.
    """
    now = timezone.now()
    due_ids = list(
        Notice.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now, send_after__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notice_deliver(notice_id=notice_id) for notice_id in due_ids)


@transaction.atomic
def notice_resend(*, notice: Notice) -> Notice:
    """Give a dead or failed notice a fresh set of attempts, starting now."""
    now = timezone.now()
    updated = Notice.objects.filter(pk=notice.pk, status__in=[Notice.Status.DEAD, Notice.Status.FAILED]).update(
        status=Notice.Status.PENDING, attempts=0, next_attempt_at=now, last_error=""
    )
    if updated:
        notice_id = notice.pk
        transaction.on_commit(lambda: _dispatch(notice_id))
    notice.refresh_from_db()
    return notice
