"""When a notice may go out: quiet hours and per-number daily caps for SMS, and the products' "still true?"
guards. Consulted by ``services.notice_deliver`` after it has claimed a notice and before it sends.

A notice that may not go out yet is *held*, never dropped: its ``send_after`` moves to the moment it may go
(the end of the quiet hours, or the next morning once a number's daily cap is reached), and the sweep sends it
then. Urgent kinds (``NoticeKind.urgent``: warnings, confirmation codes a resident is waiting for) ignore both.

A guard answers, at send time, whether what a notice says is still so: a reminder of an activity that has
moved or been cancelled since the reminder was written is cancelled instead of sent. Products register guards
by kind (``guard_register``), from their ``AppConfig.ready()``.
"""

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from pingcheng.notices.models import Notice

Guard = Callable[[Notice], bool]
# The first key of the advisory locks that serialise one number's daily count (the second is the number's hash).
SMS_CAP_LOCK = 7_316_001
_guards: dict[str, Guard] = {}


def guard_register(kind: str, guard: Guard) -> None:
    """``guard(notice)`` returns False when the notice must not be sent any more (it is then cancelled)."""
    _guards[kind] = guard


def notice_still_true(notice: Notice) -> bool:
    guard = _guards.get(notice.kind)
    return guard is None or guard(notice)


def _parse_clock(text: str) -> time:
    hours, _sep, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def quiet_hours() -> tuple[time, time] | None:
    """NOTICE_QUIET_HOURS as (start, end) local times, e.g. ``21:00-08:00``; None when it is empty (off)."""
    text = settings.NOTICE_QUIET_HOURS.strip()
    if not text:
        return None
    try:
        start, end = (_parse_clock(part) for part in text.split("-"))
    except ValueError as error:
        raise ImproperlyConfigured(f"NOTICE_QUIET_HOURS must look like 21:00-08:00, not {text!r}") from error
    return start, end


def quiet_hours_end(moment: datetime) -> datetime | None:
    """The end of the quiet hours ``moment`` falls in (aware), or None when it is outside them."""
    hours = quiet_hours()
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(moment)
    clock = local.time()
    overnight = start > end
    inside = (clock >= start or clock < end) if overnight else (start <= clock < end)
    if not inside:
        return None
    day = local.date() + timedelta(days=1) if overnight and clock >= start else local.date()
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)


def _day_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime.combine(local.date(), time()), local.tzinfo)


def sms_sent_today(phone: str, moment: datetime) -> int:
    """SMS notices already sent to ``phone`` on ``moment``'s local day (by any kind, to any person)."""
    return Notice.objects.filter(
        channel=Notice.Channel.SMS, status=Notice.Status.SENT, recipient=phone, sent_at__gte=_day_start(moment)
    ).count()


def sms_cap_reserve(notice: Notice, *, cap: int, now: datetime) -> bool:
    """Take a place under ``notice``'s number's daily cap before it is sent; False when none is left.

    Counting what was sent today is not enough once two workers deliver to one number at the same moment: both
    would count the same total and both send. So a send reserves its place first, by setting its own
    ``sent_at`` while it is still "sending", and the count includes every reserved row of the day. The count and
    the reservation are one transaction serialised per number: on PostgreSQL by a transaction-level advisory lock
    on the number, on SQLite by the IMMEDIATE transaction's write lock (settings). A send that fails gives its
    place back (``services._record_failure`` clears ``sent_at``). Must run outside any transaction.
    """
    with transaction.atomic(durable=True):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [SMS_CAP_LOCK, notice.recipient])
        taken = (
            Notice.objects.filter(
                channel=Notice.Channel.SMS,
                recipient=notice.recipient,
                status__in=(Notice.Status.SENT, Notice.Status.SENDING),
                sent_at__gte=_day_start(now),
            )
            .exclude(pk=notice.pk)
            .count()
        )
        if taken >= cap:
            return False
        Notice.objects.filter(pk=notice.pk, claim_token=notice.claim_token).update(sent_at=now)
    return True


def hold_until(notice: Notice, *, urgent: bool, now: datetime | None = None) -> datetime | None:
    """When a claimed notice may go out, if not now; None to send it now (its place under the number's daily cap
    is then reserved). Only SMS has rules."""
    if urgent or notice.channel != Notice.Channel.SMS:
        return None
    now = now or timezone.now()
    quiet_end = quiet_hours_end(now)
    if quiet_end is not None:
        return quiet_end
    cap = settings.NOTICE_SMS_DAILY_CAP
    if cap and not sms_cap_reserve(notice, cap=cap, now=now):
        # Held to the next day; the quiet hours, if any, decide at what hour it leaves then.
        tomorrow = timezone.localtime(now).date() + timedelta(days=1)
        start = timezone.make_aware(datetime.combine(tomorrow, time()), timezone.get_current_timezone())
        return quiet_hours_end(start) or start
    return None
