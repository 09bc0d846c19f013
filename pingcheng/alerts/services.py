"""Issuing a warning, fanning it out in chunks, acknowledging it, and re-sending it to who has not.

The request only writes the warning and one fan-out job (``AlertFanout``) in one transaction, and queues the
job's first chunk after commit. Each chunk (``alert_fanout_step``) runs under a row lock on the job: it reads
the next ``FANOUT_CHUNK`` people after the job's cursor, writes their ``AlertRecipient`` rows and their
notices (``pingcheng.notices.bulk``, one ``bulk_create`` each), advances the cursor and commits; after
commit it queues the chunk's delivery batches and the next chunk. A lost message (Redis down at commit, a
worker killed) stops nothing for long: ``alerts_sweep`` (every minute) finishes unfinished jobs and re-drives
due warning notices. Two chunks of one job never overlap (the lock), and a notice's key
``alert:<id>:<person>`` (``…:resend:<n>`` for the n-th re-send) makes a chunk written twice one row.
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingcheng.accounts import person_name
from pingcheng.alerts import access
from pingcheng.alerts.models import Alert, AlertFanout, AlertRecipient
from pingcheng.alerts.notice_kinds import ALERT_KIND
from pingcheng.directory.models import Membership, Role, Unit
from pingcheng.errors import DomainError
from pingcheng.notices.audience import unit_paths_with_ancestors
from pingcheng.notices.bulk import BulkTarget, notices_dispatch, notices_enqueue_many, notices_redrive
from pingcheng.notices.models import Notice, Subscription, Topic
from pingcheng.phones import mobile_number

logger = logging.getLogger(__name__)

FANOUT_CHUNK = 500
# Who a warning reaches through a membership in the chosen units or below.
RECIPIENT_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_STAFF)
# An SMS reply is matched to warnings of the last few days only: an old code typed again acknowledges nothing.
REPLY_WINDOW = timedelta(days=7)
_REPLY_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def _sender_mobile(phone: str | None) -> str:
    """The 11-digit mobile of an SMS reply's sender, or "" for anything else."""
    return mobile_number(phone)


# --- Issue ---------------------------------------------------------------------------------------------


@transaction.atomic
def alert_issue(*, by, title: str, text: str, severity: str, units: list[Unit], submission=None) -> Alert:
    """Issue a warning to ``units`` (and everything below them); it goes out at once, through Celery.

    Refused (``alert_not_issuer``) for a user without an issuing role, and (``alert_unit_out_of_scope``) for a
    unit outside the issuer's scope. Writes the warning and its fan-out job only; the people are found and
    notified by ``alert_fanout_step`` after commit. ``submission`` is the key of the form it came from: the
    same key again returns the warning it issued (nothing is sent twice); another issuer's key is refused
    (``alert_submission_taken``). Two sendings at the same moment meet as an IntegrityError on the key.
    """
    if not access.user_may_issue(by):
        raise DomainError(_("您没有发布预警的权限。"), code="alert_not_issuer")
    if submission is not None and (earlier := Alert.objects.filter(submission=submission).first()) is not None:
        if earlier.issued_by_id != by.pk:
            raise DomainError(_("这份表单已经用过，请重新打开发布页面。"), code="alert_submission_taken")
        return earlier
    if not units:
        raise DomainError(_("请至少选择一个接收单位。"), code="alert_no_units")
    allowed = set(access.alert_target_units(by).filter(pk__in=[unit.pk for unit in units]).values_list("pk", flat=True))
    if any(unit.pk not in allowed for unit in units):
        raise DomainError(_("所选单位不在您的管辖范围内。"), code="alert_unit_out_of_scope")
    alert = Alert(title=title.strip(), text=text.strip(), severity=severity, issued_by=by, submission=submission)
    # The form key is unique in the database alone: two sendings at once meet as the IntegrityError the view answers.
    alert.full_clean(exclude=["submission"])
    alert.save()
    alert.units.set(units)
    fanout = AlertFanout.objects.create(alert=alert, round=0, phase=AlertFanout.Phase.STAFF)
    transaction.on_commit(lambda: _queue_step(fanout.pk))
    return alert


@transaction.atomic
def alert_resend(*, alert: Alert, by, after_round: int | None = None) -> AlertFanout:
    """Send the warning again to everyone who has not acknowledged it yet, each under a new key
    (``alert:<id>:<person>:resend:<n>``). Only its issuer or a district administrator (``alert_not_yours``).

    ``after_round`` is the number of re-sends the board showed when the button was pressed: if the warning was
    re-sent since (the button pressed twice, or on two boards), it is refused (``alert_resent_already``)
    instead of reaching every missing person once more."""
    if not access.alerts_for_user(by).filter(pk=alert.pk).exists():
        raise DomainError(_("只有发布人可以重发此预警。"), code="alert_not_yours")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if after_round is not None and alert.resend_count != after_round:
        raise DomainError(_("刚才已经重发过了，请看最新的确认情况后再决定是否重发。"), code="alert_resent_already")
    if not alert.recipients.filter(acknowledged_at__isnull=True).exists():
        raise DomainError(_("所有人都已确认收到，无需重发。"), code="alert_all_acknowledged")
    alert.resend_count += 1
    alert.save(update_fields=["resend_count"])
    fanout = AlertFanout.objects.create(alert=alert, round=alert.resend_count, phase=AlertFanout.Phase.RESEND)
    transaction.on_commit(lambda: _queue_step(fanout.pk))
    return fanout


# --- Fan-out -------------------------------------------------------------------------------------------


def alert_fanout_step(*, fanout_id: int) -> bool:
    """Expand one chunk of a fan-out job; returns whether there is more to do.

    Safe to run twice at once or late: the job's row lock serialises chunks, the cursor moves only with the
    chunk's commit, and the notices' keys de-duplicate. Queues the chunk's deliveries after commit.
    """
    due_ids: list[int] = []
    with transaction.atomic():
        fanout = AlertFanout.objects.select_for_update().filter(pk=fanout_id).first()
        if fanout is None or fanout.phase == AlertFanout.Phase.DONE:
            return False
        alert = Alert.objects.get(pk=fanout.alert_id)
        if fanout.phase == AlertFanout.Phase.STAFF:
            recipients, cursor = _staff_chunk(alert, fanout)
        elif fanout.phase == AlertFanout.Phase.SUBSCRIBERS:
            recipients, cursor = _subscriber_chunk(alert, fanout)
        else:
            recipients, cursor = _resend_chunk(alert, fanout)
        if not recipients and fanout.phase == AlertFanout.Phase.STAFF:
            fanout.phase, fanout.cursor = AlertFanout.Phase.SUBSCRIBERS, 0
        elif not recipients:
            fanout.phase = AlertFanout.Phase.DONE
            fanout.finished_at = timezone.now()
        else:
            due_ids = notices_enqueue_many(
                kind=ALERT_KIND, targets=[_target(alert, fanout.round, r) for r in recipients]
            )
            fanout.cursor = cursor
            fanout.notices_written += len(recipients)
        fanout.save()
        more = fanout.phase != AlertFanout.Phase.DONE
        transaction.on_commit(lambda: notices_dispatch(due_ids))
    return more


def alert_fanout_run(*, fanout_id: int) -> int:
    """Run a job's chunks to the end here (the sweep's way); returns how many chunks it took."""
    steps = 0
    while alert_fanout_step(fanout_id=fanout_id):
        steps += 1
    return steps


def _queue_step(fanout_id: int) -> None:
    from pingcheng.alerts.tasks import alert_fanout_task

    try:
        alert_fanout_task.delay(fanout_id)
    except Exception:
        logger.warning("Could not queue warning fan-out %s; the sweep will run it", fanout_id, exc_info=True)


def _staff_chunk(alert: Alert, fanout: AlertFanout) -> tuple[list[AlertRecipient], int]:
    """The next people (by user id after the cursor) holding a recipient role in the warning's units or below;
    each is counted under their deepest unit there (a grid worker under the grid)."""
    paths = Q()
    for path in alert.units.values_list("path", flat=True):
        paths |= Q(unit__path__startswith=path)
    memberships = Membership.objects.filter(
        paths, is_active=True, user__is_active=True, unit__is_active=True, role__in=RECIPIENT_ROLES
    )
    user_ids = list(
        memberships.filter(user_id__gt=fanout.cursor)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()[:FANOUT_CHUNK]
    )
    if not user_ids:
        return [], fanout.cursor
    deepest: dict[int, Membership] = {}
    for membership in memberships.filter(user_id__in=user_ids).select_related("user", "unit"):
        held = deepest.get(membership.user_id)
        if held is None or membership.unit.depth > held.unit.depth:
            deepest[membership.user_id] = membership
    new = []
    for user_id in user_ids:
        membership = deepest[user_id]
        new.append(AlertRecipient(
            alert=alert, user_id=user_id, unit=membership.unit, name=person_name(membership.user)[:80],
            role=membership.get_role_display(), code=alert.reply_code(fanout.ordinal),
        ))  # fmt: skip
        fanout.ordinal += 1
    AlertRecipient.objects.bulk_create(new, ignore_conflicts=True)
    recipients = list(
        AlertRecipient.objects.filter(alert=alert, user_id__in=user_ids).select_related("user__notice_preference")
    )
    return recipients, user_ids[-1]


def _subscriber_chunk(alert: Alert, fanout: AlertFanout) -> tuple[list[AlertRecipient], int]:
    """The next confirmed subscribers (by id after the cursor) who follow warnings for the whole district, for one
    of the warning's units, a unit above one or a unit below one. Each counts under the deepest unit they follow
    there (the warning's first unit for a district-wide subscription), at once whatever their frequency: a
    warning is urgent, never part of a digest."""
    units = list(alert.units.all())
    paths = [unit.path for unit in units]
    where = Q(unit__isnull=True) | Q(unit__path__in=unit_paths_with_ancestors(paths))
    for path in paths:
        where |= Q(unit__path__startswith=path)
    subscriptions = Subscription.objects.filter(
        where, topic=Topic.WARNING, subscriber__is_active=True, subscriber__confirmed_at__isnull=False
    )
    subscriber_ids = list(
        subscriptions.filter(subscriber_id__gt=fanout.cursor)
        .order_by("subscriber_id")
        .values_list("subscriber_id", flat=True)
        .distinct()[:FANOUT_CHUNK]
    )
    if not subscriber_ids:
        return [], fanout.cursor
    deepest: dict[int, Subscription] = {}
    for subscription in subscriptions.filter(subscriber_id__in=subscriber_ids).select_related("subscriber", "unit"):
        held = deepest.get(subscription.subscriber_id)
        if held is None or (subscription.unit and (held.unit is None or subscription.unit.depth > held.unit.depth)):
            deepest[subscription.subscriber_id] = subscription
    new = []
    for subscriber_id in subscriber_ids:
        subscription = deepest[subscriber_id]
        new.append(AlertRecipient(
            alert=alert, subscriber_id=subscriber_id, unit=subscription.unit or units[0],
            name=str(subscription.subscriber)[:80], role=_("订阅者"), code=alert.reply_code(fanout.ordinal),
        ))  # fmt: skip
        fanout.ordinal += 1
    AlertRecipient.objects.bulk_create(new, ignore_conflicts=True)
    recipients = list(
        AlertRecipient.objects.filter(alert=alert, subscriber_id__in=subscriber_ids).select_related("subscriber")
    )
    return recipients, subscriber_ids[-1]


def _resend_chunk(alert: Alert, fanout: AlertFanout) -> tuple[list[AlertRecipient], int]:
    recipients = list(
        alert.recipients.filter(acknowledged_at__isnull=True, pk__gt=fanout.cursor)
        .select_related("user__notice_preference", "subscriber")
        .order_by("pk")[:FANOUT_CHUNK]
    )
    return recipients, (recipients[-1].pk if recipients else fanout.cursor)


def _target(alert: Alert, round_: int, recipient: AlertRecipient) -> BulkTarget:
    key = f"alert:{alert.pk}:{recipient.person_key}" + (f":resend:{round_}" if round_ else "")
    context = {
        "title": alert.title,
        "text": alert.text,
        "severity": alert.get_severity_display(),
        "issuer_unit": _issuer_unit_name(alert),
        "ack_url": _ack_url(recipient.token),
        "code": recipient.code,
        "resend": round_,
    }
    extra = ()
    if recipient.user_id:
        # A warning goes by SMS to the number in the staff member's notice preference even where they chose no SMS
        # for ordinary work notices: it is the number they reply to a warning from.
        preference = getattr(recipient.user, "notice_preference", None)
        extra = ((Notice.Channel.SMS, preference.phone),) if preference is not None and preference.phone else ()
    return BulkTarget(person=recipient.user or recipient.subscriber, key=key, context=context, extra=extra)


def _ack_url(token: str) -> str:
    # Reversed once with a placeholder: a chunk of 500 people would otherwise reverse the same route 500 times.
    return settings.SITE_URL + reverse("alerts:ack", args=["TOKEN"]).replace("TOKEN", token)


def _issuer_unit_name(alert: Alert) -> str:
    cached = getattr(alert, "_issuer_unit_name", None)
    if cached is None:
        membership = (
            Membership.objects.filter(user_id=alert.issued_by_id, is_active=True, role__in=access.issuer_roles())
            .select_related("unit")
            .order_by("unit__depth")
            .first()
        )
        cached = membership.unit.name if membership else _("平城区")
        alert._issuer_unit_name = cached
    return cached


# --- Acknowledge ---------------------------------------------------------------------------------------


def alert_acknowledge(*, recipient: AlertRecipient, via: str) -> AlertRecipient:
    """Record that the person has the warning. Idempotent: a second time keeps the first time and way."""
    now = timezone.now()
    if AlertRecipient.objects.filter(pk=recipient.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_via=via
    ):
        recipient.acknowledged_at, recipient.acknowledged_via = now, via
    else:
        recipient.refresh_from_db(fields=["acknowledged_at", "acknowledged_via"])
    return recipient


def alert_acknowledge_by_reply(*, phone: str, text: str) -> AlertRecipient:
    """Record an SMS reply: ``text`` holds the six-digit code sent to ``phone``. The hook for an SMS provider's
    inbound callback (see ``manage.py alerts_sms_reply``).

    The code must belong to a warning of the last ``REPLY_WINDOW`` sent to that same phone (a staff member's
    notice preference's number or a subscriber's number), so a guessed code from another phone acknowledges nothing
    (``alert_reply_unknown``). The newest matching warning wins.
    """
    match = _REPLY_CODE.search(text or "")
    phone = _sender_mobile(phone)
    if not match or not phone:
        raise DomainError(_("未识别到回复码。"), code="alert_reply_unknown")
    recipient = (
        AlertRecipient.objects.filter(
            Q(user__notice_preference__phone=phone) | Q(subscriber__phone=phone),
            code=match.group(1),
            alert__issued_at__gte=timezone.now() - REPLY_WINDOW,
        )  # fmt: skip
        .order_by("-alert__issued_at")
        .first()
    )
    if recipient is None:
        raise DomainError(_("回复码与该号码收到的预警不符。"), code="alert_reply_unknown")
    return alert_acknowledge(recipient=recipient, via=AlertRecipient.Via.SMS)


# --- Sweep ---------------------------------------------------------------------------------------------


def alerts_sweep() -> int:
    """Finish every unfinished fan-out (its chain of tasks may have been lost) and hand out every due warning
    notice again. Safe to run twice at once (two beats by mistake) or late. Returns the notices handed out."""
    for fanout_id in AlertFanout.objects.exclude(phase=AlertFanout.Phase.DONE).values_list("pk", flat=True)[:50]:
        alert_fanout_run(fanout_id=fanout_id)
    return notices_redrive(kinds=[ALERT_KIND])
