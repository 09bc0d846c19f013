"""Writes of the inquiry desk: submission and routing, every step of the lifecycle, reveal and erasure of
personal data, and the scheduled sweeps.

Each step locks the inquiry row, checks ``INQUIRY_WORKFLOW`` (state, who, note), writes the change and one
append-only ``InquiryEvent`` per step, and enqueues its notices in the same transaction (the outbox delivers
them after commit). Deadlines are counted in Chinese working days (``pingcheng.workdays``) and stored when
the clock starts or moves. The resident's phone is read from the encrypted column only to write an SMS
notice, whose address is blanked once it is delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import access
from grievances.errors import InquiryActionRefused
from grievances.models import (
    CoHandling,
    DeadlinePolicy,
    Extension,
    Inquiry,
    InquiryEvent,
    InquiryPhoto,
    Reply,
    Topic,
)
from grievances.workflow import INQUIRY_WORKFLOW
from pingcheng.audit.services import personal_data_export_logged
from pingcheng.directory.models import Membership, Unit
from pingcheng.notices.services import notice_enqueue, notice_enqueue_sms, notices_erase_sent_addresses
from pingcheng.page_cache import page_product_changed
from pingcheng.personal_data import personal_data_digest
from pingcheng.phones import mobile_number
from pingcheng.redaction import redact
from pingcheng.workdays import SHANGHAI, deadline_set, workday_after, workday_today, workdays_between

logger = logging.getLogger(__name__)

GRIEVANCES = "grievances"
S = Inquiry.Status
A = InquiryEvent.Action
# 退单 is allowed within this many working days of assignment.
RETURN_WINDOW_WORKING_DAYS = 1
# An answered inquiry the resident has not rated within this many working days is closed.
RATING_WINDOW_WORKING_DAYS = 5
MAX_REDO_ROUNDS = 1
MAX_EXTENSION_DAYS = 30
KINDS_NEEDING_NAME = frozenset({Inquiry.Kind.COMPLAINT, Inquiry.Kind.HELP})
TITLE_MAX = 80
TEXT_MAX = 2000


# --- helpers ---------------------------------------------------------------------------------------------


def _refuse(message: str, code: str) -> InquiryActionRefused:
    return InquiryActionRefused(message, code=code)


def phone_normalise(phone: str) -> str:
    """A mainland mobile number as 11 digits (spaces, hyphens, +86, full-width digits accepted), or refused."""
    if not (compact := mobile_number(phone)):
        raise _refuse(_("请填写 11 位手机号码，例如 13812345678。"), "phone_invalid")
    return compact


def inquiry_phone_digest(phone: str) -> str:
    """The one keyed digest of a resident's phone (``pingcheng.personal_data``), as stored on
    ``Inquiry.phone_digest``: the phone code's rows, the public draft, the duplicate check and the per-phone
    limits all use it, so they find the same resident whichever way the number was typed and whichever side
    (web or desk) filed first. Raises ``InquiryActionRefused`` (code ``phone_invalid``) for a number that is
    not a mainland mobile."""
    return personal_data_digest(phone_normalise(phone), purpose="inquiry.phone")


def inquiry_working_days(*, kind: str, topic: Topic | None) -> int:
    """Working days an inquiry of ``kind`` and ``topic`` gets: the topic's policy, else the kind's, else the
    built-in default (咨询 3, 投诉 10, 建议 10, 求助 5)."""
    general = Q(topic__isnull=True)
    rows = DeadlinePolicy.objects.filter(general | Q(topic=topic) if topic else general, kind=kind)
    policies = dict(rows.order_by().values_list("topic_id", "working_days"))
    if topic is not None and topic.pk in policies:
        return policies[topic.pk]
    if None in policies:
        return policies[None]
    return DeadlinePolicy.DEFAULT_WORKING_DAYS[Inquiry.Kind(kind)]


def _lock(inquiry: Inquiry) -> Inquiry:
    return (
        Inquiry.objects.select_for_update(no_key=True, of=("self",))
        .select_related("topic", "lead_unit")
        .get(pk=inquiry.pk)
    )


def _event(
    inquiry: Inquiry,
    action: str,
    *,
    by=None,
    unit: Unit | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    visible: bool = False,
) -> InquiryEvent:
    return InquiryEvent.objects.create(
        inquiry=inquiry, action=action, actor=by, actor_unit=unit, from_status=from_status, to_status=to_status,
        note=note, visible_to_resident=visible,
    )  # fmt: skip


def _move(inquiry: Inquiry, target: str, fields: Iterable[str] = ()) -> str:
    """Set the new status and save the given fields with it; return the status it came from."""
    before = inquiry.status
    inquiry.status = target
    inquiry.save(update_fields=["status", "updated_at", *fields])
    return before


def _chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _public_changed() -> None:
    transaction.on_commit(lambda: page_product_changed(GRIEVANCES))


def _handlers_of(unit: Unit | None) -> list:
    if unit is None:
        return []
    memberships = Membership.objects.filter(
        unit=unit, role__in=access.HANDLER_ROLES, is_active=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def _dispatchers() -> list:
    users = (
        get_user_model()
        .objects.filter(is_active=True, memberships__role__in=access.DISPATCHER_ROLES, memberships__is_active=True)
        .distinct()
    )
    return list(users)


def _staff_context(inquiry: Inquiry, **extra) -> dict:
    return {
        "inquiry_id": inquiry.pk,
        "tracking_code": inquiry.tracking_code_display,
        # Staff notices are kept after delivery: a phone or name the resident typed into the title stays out of them.
        "title": redact(inquiry.title),
        "kind": inquiry.get_kind_display(),
        "unit": inquiry.lead_unit.name if inquiry.lead_unit_id else "",
        "due": _chinese_date(inquiry.deadline_due),
        "url": f"/desk/{inquiry.pk}/",
        # An e-mail needs the whole address; the inbox links ``link`` (a path on this site).
        "site_url": settings.SITE_URL,
        "link": f"/desk/{inquiry.pk}/",
        **extra,
    }


def _notify_handlers(inquiry: Inquiry, kind: str, key: str, **extra) -> None:
    for user in _handlers_of(inquiry.lead_unit):
        notice_enqueue(kind=kind, recipient=user, key=key, context=_staff_context(inquiry, **extra))


def _notify_dispatchers(inquiry: Inquiry, kind: str, key: str, *, skip=None, **extra) -> None:
    for user in _dispatchers():
        if skip is not None and user.pk == skip.pk:
            continue
        notice_enqueue(kind=kind, recipient=user, key=key, context=_staff_context(inquiry, **extra))


def _extensions_lapse(inquiry: Inquiry, why: str) -> None:
    """End a pending extension whose round or unit is over: left pending, a supervisor could later approve it and
    stretch a redo round's (or another unit's) fresh deadline, and it would block that round's own request."""
    inquiry.extensions.filter(status=Extension.Status.PENDING).update(
        status=Extension.Status.REFUSED, decision_note=why, decided_at=timezone.now()
    )


def _tell_resident(inquiry: Inquiry, what: str, message: str) -> None:
    """An SMS to the resident (never the phone in the context; the address is blanked once delivered)."""
    if not inquiry.phone or inquiry.personal_data_erased_at is not None:
        return
    notice_enqueue_sms(
        kind="inquiry_resident_update",
        phone=inquiry.phone,
        key=f"inquiry:{inquiry.pk}:{what}",
        context={"tracking_code": inquiry.tracking_code_display, "message": message},
    )


# --- submission and routing -----------------------------------------------------------------------------


def inquiry_submit(
    *,
    kind: str,
    topic: Topic,
    place_unit: Unit | None,
    title: str,
    text: str,
    name: str,
    phone: str,
    channel: str = Inquiry.Channel.WEB,
    publish_consent: bool = False,
    idempotency_key: str,
    photos: Iterable = (),
    by=None,
) -> Inquiry:
    """File a resident's inquiry and route it to the topic's default unit; return it.

    Idempotent on ``idempotency_key``: a second call with the same key (a double submit, a resend) returns the
    inquiry the first call created and writes nothing. The deadline (``inquiry_working_days`` working days
    from today in Shanghai) is computed and stored now. ``phone`` is required on the web (the public side has
    confirmed it with a one-time code) and optional for a letter or visit recorded by staff (``by``); ``name``
    is required for 投诉 and 求助. ``photos`` are ``pingcheng.photos.Photo`` rows already re-encoded.

    Side effects: events ``submitted`` (or ``recorded`` by staff) and ``assigned``; notices to the lead unit's
    handlers (inbox + e-mail) and an SMS to the resident with the tracking code and the deadline.
    """
    key = (idempotency_key or "").strip()[:64]
    if not key:
        raise _refuse(_("提交缺少幂等键，请刷新页面后重试。"), "idempotency_key_required")
    existing = Inquiry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_submission(existing, by=by, channel=channel)
    if kind not in Inquiry.Kind.values:
        raise _refuse(_("请选择诉求类型。"), "kind_invalid")
    if topic is None or not topic.is_active:
        raise _refuse(_("请选择诉求类别。"), "topic_invalid")
    if channel not in Inquiry.Channel.values:
        raise _refuse(_("来源渠道无效。"), "channel_invalid")
    if channel != Inquiry.Channel.WEB and (by is None or not access.user_works_on_inquiries(by)):
        raise _refuse(_("电话、来访和来信诉求须由工作人员登记。"), "staff_intake_only")
    title, text, name = (title or "").strip(), (text or "").strip(), (name or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise _refuse(_("请填写标题（不超过 %(max)d 字）。") % {"max": TITLE_MAX}, "title_invalid")
    if not text or len(text) > TEXT_MAX:
        raise _refuse(_("请填写诉求内容（不超过 %(max)d 字）。") % {"max": TEXT_MAX}, "text_invalid")
    if kind in KINDS_NEEDING_NAME and not name:
        raise _refuse(_("投诉和求助请留下姓名，以便承办单位联系您。"), "name_required")
    if len(name) > 40:
        raise _refuse(_("姓名不超过 40 字。"), "name_invalid")
    if phone or channel == Inquiry.Channel.WEB:
        phone = phone_normalise(phone)
    now = timezone.now()
    try:
        with transaction.atomic():
            inquiry = Inquiry(
                kind=kind, topic=topic, place_unit=place_unit, title=title, text=text, channel=channel,
                name=name, phone=phone or "", phone_digest=inquiry_phone_digest(phone) if phone else "",
                phone_tail=phone[-4:] if phone else "", publish_consent=bool(publish_consent),
                idempotency_key=key, submitted_at=now, created_by=by if channel != Inquiry.Channel.WEB else None,
                status=S.ASSIGNED, lead_unit=topic.default_unit, assigned_at=now,
            )  # fmt: skip
            deadline_set(obj=inquiry, start=now, working_days=inquiry_working_days(kind=kind, topic=topic))
            inquiry.save()
            for order, photo in enumerate(photos):
                InquiryPhoto.objects.create(inquiry=inquiry, photo=photo, sort_order=order)
            if channel == Inquiry.Channel.WEB:
                _event(inquiry, A.SUBMITTED, to_status=S.SUBMITTED, visible=True)
            else:
                _event(inquiry, A.RECORDED, by=by, unit=access.user_acting_unit(by, inquiry),
                       to_status=S.SUBMITTED, note=inquiry.get_channel_display(), visible=True)  # fmt: skip
            _event(
                inquiry, A.ASSIGNED, from_status=S.SUBMITTED, to_status=S.ASSIGNED, unit=inquiry.lead_unit,
                note=_("按类别转交%(unit)s办理。") % {"unit": inquiry.lead_unit.name}, visible=True,
            )  # fmt: skip
            _notify_handlers(inquiry, "inquiry_assigned", f"inquiry:{inquiry.pk}:assigned:{inquiry.lead_unit_id}")
            _tell_resident(
                inquiry, "submitted",
                _("您的诉求已受理，由%(unit)s办理，将在%(due)s前答复。")
                % {"unit": inquiry.lead_unit.name,
                   "due": _chinese_date(inquiry.deadline_due)},
            )  # fmt: skip
    except IntegrityError:
        # The same key committed by a concurrent request first: that one is the inquiry.
        existing = Inquiry.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _same_submission(existing, by=by, channel=channel)
    return inquiry


def _same_submission(existing: Inquiry, *, by, channel: str) -> Inquiry:
    """The inquiry an idempotency key already filed, returned only to whoever filed it. A staff form's key is a
    hidden field the staff member can edit: answered for anyone, a known key (seen in a log, an old page, another
    unit's form) would hand back someone else's inquiry and its tracking code. A web key is the server's own
    per-draft token in the resident's session, so a web repeat is the same draft."""
    if channel == Inquiry.Channel.WEB:
        same = existing.channel == Inquiry.Channel.WEB
    else:
        same = existing.channel != Inquiry.Channel.WEB and by is not None and existing.created_by_id == by.pk
    if not same:
        raise _refuse(_("这份登记已失效，请重新提交。"), "idempotency_key_taken")
    return existing


@transaction.atomic
def inquiry_assign(*, inquiry: Inquiry, unit: Unit, by, note: str = "") -> Inquiry:
    """Route a waiting or returned inquiry to ``unit`` (a dispatcher's step); the unit's handlers are told."""
    inquiry = _lock(inquiry)
    target = INQUIRY_WORKFLOW.check("assign", user=by, obj=inquiry)
    if unit is None or not unit.is_active:
        raise _refuse(_("请选择承办单位。"), "unit_required")
    inquiry.lead_unit = unit
    inquiry.assigned_at = timezone.now()
    before = _move(inquiry, target, ["lead_unit", "assigned_at"])
    _event(inquiry, A.ASSIGNED, by=by, unit=access.user_acting_unit(by, inquiry), from_status=before,
           to_status=target, note=note or _("转交%(unit)s办理。") % {"unit": unit.name}, visible=True)  # fmt: skip
    _notify_handlers(
        inquiry, "inquiry_assigned", f"inquiry:{inquiry.pk}:assigned:{unit.pk}:{int(inquiry.assigned_at.timestamp())}"
    )
    return inquiry


@transaction.atomic
def inquiry_reassign(*, inquiry: Inquiry, unit: Unit, by, note: str) -> Inquiry:
    """Move an open inquiry to another lead unit (a dispatcher's step); the deadline stays the resident's."""
    inquiry = _lock(inquiry)
    target = INQUIRY_WORKFLOW.check("reassign", user=by, obj=inquiry, note=note)
    if unit is None or not unit.is_active:
        raise _refuse(_("请选择承办单位。"), "unit_required")
    if unit.pk == inquiry.lead_unit_id:
        raise _refuse(_("诉求已由该单位办理。"), "same_unit")
    old = inquiry.lead_unit
    _extensions_lapse(inquiry, _("诉求已改派，申请不再审批。"))
    inquiry.lead_unit = unit
    inquiry.assigned_at = timezone.now()
    inquiry.accepted_at = None
    before = _move(inquiry, target, ["lead_unit", "assigned_at", "accepted_at"])
    _event(inquiry, A.REASSIGNED, by=by, unit=access.user_acting_unit(by, inquiry), from_status=before,
           to_status=target, note=_("由%(old)s改派%(new)s：%(note)s") % {"old": old.name, "new": unit.name, "note": note},
           visible=True)  # fmt: skip
    _notify_handlers(
        inquiry, "inquiry_assigned", f"inquiry:{inquiry.pk}:assigned:{unit.pk}:{int(inquiry.assigned_at.timestamp())}"
    )
    return inquiry


@transaction.atomic
def inquiry_accept(*, inquiry: Inquiry, by) -> Inquiry:
    """The lead unit takes the inquiry on; the resident is told it is being handled."""
    inquiry = _lock(inquiry)
    target = INQUIRY_WORKFLOW.check("accept", user=by, obj=inquiry)
    inquiry.accepted_at = timezone.now()
    before = _move(inquiry, target, ["accepted_at"])
    _event(inquiry, A.ACCEPTED, by=by, unit=inquiry.lead_unit, from_status=before, to_status=target, visible=True)
    _tell_resident(
        inquiry,
        f"accepted:{inquiry.redo_round}:{inquiry.lead_unit_id}",
        _("%(unit)s已受理您的诉求，正在办理，将在%(due)s前答复。")
        % {"unit": inquiry.lead_unit.name, "due": _chinese_date(inquiry.deadline_due)},
    )
    return inquiry


@transaction.atomic
def inquiry_return(*, inquiry: Inquiry, by, reason: str) -> Inquiry:
    """退单: the lead unit gives the inquiry back to the dispatchers with a reason, within one working day
    of assignment. It leaves the unit's list; dispatchers are told."""
    inquiry = _lock(inquiry)
    target = INQUIRY_WORKFLOW.check("return", user=by, obj=inquiry, note=reason)
    assigned = inquiry.assigned_at or inquiry.submitted_at
    if workdays_between(start=assigned, end=timezone.now()).count > RETURN_WINDOW_WORKING_DAYS:
        raise _refuse(_("分派已超过 1 个工作日，不能退单；如确需改派，请联系督办人。"), "return_too_late")
    unit = inquiry.lead_unit
    _extensions_lapse(inquiry, _("诉求已退单，申请不再审批。"))
    inquiry.lead_unit = None
    inquiry.accepted_at = None
    before = _move(inquiry, target, ["lead_unit", "accepted_at"])
    _event(inquiry, A.RETURNED, by=by, unit=unit, from_status=before, to_status=target, note=reason.strip())
    _notify_dispatchers(inquiry, "inquiry_returned", f"inquiry:{inquiry.pk}:returned:{int(timezone.now().timestamp())}",
                        returned_by=unit.name, reason=reason.strip())  # fmt: skip
    return inquiry


@transaction.atomic
def inquiry_reject(*, inquiry: Inquiry, by, reason: str, note: str, duplicate_of: Inquiry | None = None) -> Inquiry:
    """不予受理 with a reason the resident sees (out of scope, duplicate, abusive); ends the inquiry."""
    inquiry = _lock(inquiry)
    target = INQUIRY_WORKFLOW.check("reject", user=by, obj=inquiry, note=note)
    if reason not in Inquiry.RejectReason.values:
        raise _refuse(_("请选择不予受理的原因。"), "reject_reason_required")
    if duplicate_of is not None and duplicate_of.pk == inquiry.pk:
        raise _refuse(_("诉求不能与自己重复。"), "duplicate_of_self")
    inquiry.reject_reason = reason
    inquiry.duplicate_of = duplicate_of if reason == Inquiry.RejectReason.DUPLICATE else None
    inquiry.closed_at = timezone.now()
    before = _move(inquiry, target, ["reject_reason", "duplicate_of", "closed_at"])
    label = Inquiry.RejectReason(reason).label
    _event(inquiry, A.REJECTED, by=by, unit=access.user_acting_unit(by, inquiry), from_status=before,
           to_status=target, note=f"{label}：{note.strip()}", visible=True)  # fmt: skip
    _tell_resident(inquiry, "rejected", _("您的诉求不予受理：%(why)s。") % {"why": label})
    return inquiry


@transaction.atomic
def inquiry_co_unit_add(*, inquiry: Inquiry, unit: Unit, by) -> CoHandling:
    """Ask another unit to co-handle; its handlers are told and see the inquiry in their list."""
    inquiry = _lock(inquiry)
    INQUIRY_WORKFLOW.check("add_co_unit", user=by, obj=inquiry)
    if unit is None or unit.pk == inquiry.lead_unit_id:
        raise _refuse(_("协办单位不能是主办单位。"), "co_unit_is_lead")
    co, created = CoHandling.objects.get_or_create(inquiry=inquiry, unit=unit, defaults={"added_by": by})
    if not created:
        raise _refuse(_("该单位已是协办单位。"), "co_unit_exists")
    _event(inquiry, A.CO_ADDED, by=by, unit=access.user_acting_unit(by, inquiry), note=unit.name)
    for user in _handlers_of(unit):
        notice_enqueue(kind="inquiry_co_handling", recipient=user, key=f"inquiry:{inquiry.pk}:co:{unit.pk}",
                       context=_staff_context(inquiry))  # fmt: skip
    return co


@transaction.atomic
def inquiry_co_opinion(*, inquiry: Inquiry, by, text: str) -> Reply:
    """A co-handling unit's opinion for the lead unit (internal, never shown to the resident)."""
    inquiry = _lock(inquiry)
    INQUIRY_WORKFLOW.check("co_opinion", user=by, obj=inquiry, note=text)
    unit = access.user_acting_unit(by, inquiry)
    reply = Reply.objects.create(inquiry=inquiry, kind=Reply.Kind.CO_OPINION, unit=unit, author=by,
                                 text=text.strip(), round=inquiry.redo_round)  # fmt: skip
    CoHandling.objects.filter(inquiry=inquiry, unit=unit, done_at__isnull=True).update(done_at=timezone.now())
    _event(inquiry, A.CO_OPINION, by=by, unit=unit)
    return reply


@transaction.atomic
def extension_request(*, inquiry: Inquiry, by, working_days: int, reason: str) -> Extension:
    """The lead unit asks for more working days; dispatchers are told. One pending request at a time."""
    inquiry = _lock(inquiry)
    INQUIRY_WORKFLOW.check("request_extension", user=by, obj=inquiry, note=reason)
    if (
        isinstance(working_days, bool)
        or not isinstance(working_days, int)
        or not 1 <= working_days <= MAX_EXTENSION_DAYS
    ):
        raise _refuse(
            _("延期天数须在 1 至 %(max)d 个工作日之间。") % {"max": MAX_EXTENSION_DAYS}, "extension_days_invalid"
        )
    if inquiry.extensions.filter(status=Extension.Status.PENDING).exists():
        raise _refuse(_("已有一项延期申请待审批。"), "extension_pending")
    extension = Extension.objects.create(inquiry=inquiry, unit=inquiry.lead_unit, requested_by=by,
                                         working_days=working_days, reason=reason.strip(), old_due=inquiry.deadline_due)  # fmt: skip
    _event(inquiry, A.EXTENSION_REQUESTED, by=by, unit=inquiry.lead_unit,
           note=_("申请延长 %(days)d 个工作日：%(reason)s") % {"days": working_days, "reason": reason.strip()})  # fmt: skip
    _notify_dispatchers(inquiry, "inquiry_extension_requested", f"inquiry:{inquiry.pk}:extension:{extension.pk}",
                        days=working_days, reason=reason.strip())  # fmt: skip
    return extension


@transaction.atomic
def extension_decide(*, extension: Extension, by, approve: bool, note: str = "") -> Extension:
    """A dispatcher approves (the deadline moves by the requested working days, the resident is told the new
    date) or refuses a pending extension."""
    inquiry = _lock(extension.inquiry)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    INQUIRY_WORKFLOW.check("decide_extension", user=by, obj=inquiry)
    if extension.status != Extension.Status.PENDING:
        raise _refuse(_("这项延期申请已审批。"), "extension_decided")
    if by is not None and extension.requested_by_id == by.pk:
        raise _refuse(_("不能审批自己提出的延期申请，请由其他督办人审批。"), "extension_own_request")
    extension.decided_by, extension.decided_at, extension.decision_note = by, timezone.now(), note.strip()
    if approve:
        due = deadline_set(obj=inquiry, start=inquiry.deadline_start,
                           working_days=inquiry.deadline_working_days + extension.working_days)  # fmt: skip
        inquiry.save(update_fields=["deadline_start", "deadline_working_days", "deadline_due", "deadline_provisional",
                                    "updated_at"])  # fmt: skip
        extension.status, extension.new_due = Extension.Status.APPROVED, due.date
        _event(inquiry, A.EXTENSION_APPROVED, by=by, unit=access.user_acting_unit(by, inquiry), visible=True,
               note=_("答复期限延至%(due)s。") % {"due": _chinese_date(due.date)})  # fmt: skip
        _tell_resident(inquiry, f"extended:{extension.pk}",
                       _("您的诉求办理期限已延长，将在%(due)s前答复。") % {"due": _chinese_date(due.date)})  # fmt: skip
    else:
        extension.status = Extension.Status.REFUSED
        _event(inquiry, A.EXTENSION_REFUSED, by=by, unit=access.user_acting_unit(by, inquiry), note=note.strip())
    extension.save()
    return extension


@transaction.atomic
def inquiry_supervise(*, inquiry: Inquiry, by, note: str) -> Inquiry:
    """督办: a dispatcher marks an open inquiry for supervision; the lead unit is told."""
    inquiry = _lock(inquiry)
    INQUIRY_WORKFLOW.check("supervise", user=by, obj=inquiry, note=note)
    inquiry.is_supervised = True
    inquiry.save(update_fields=["is_supervised", "updated_at"])
    event = _event(inquiry, A.SUPERVISED, by=by, unit=access.user_acting_unit(by, inquiry), note=note.strip())
    _notify_handlers(inquiry, "inquiry_supervised", f"inquiry:{inquiry.pk}:supervised:{event.pk}", note=note.strip())
    return inquiry


@transaction.atomic
def inquiry_answer(*, inquiry: Inquiry, by, text: str) -> Reply:
    """The lead unit's official answer: the resident is told by SMS and can read it with the tracking code."""
    inquiry = _lock(inquiry)
    target = INQUIRY_WORKFLOW.check("answer", user=by, obj=inquiry, note=text)
    if len(text.strip()) > 5000:
        raise _refuse(_("答复不超过 5000 字。"), "answer_too_long")
    reply = Reply.objects.create(inquiry=inquiry, kind=Reply.Kind.ANSWER, unit=inquiry.lead_unit, author=by,
                                 text=text.strip(), is_official_answer=True, round=inquiry.redo_round)  # fmt: skip
    _extensions_lapse(inquiry, _("诉求已答复，申请不再审批。"))
    inquiry.answered_at = timezone.now()
    inquiry.is_supervised = False
    # The redo round's answer is rated afresh: the first round's rating (and its words) stay in its RATED event.
    inquiry.rating, inquiry.rating_note, inquiry.rated_at = "", "", None
    before = _move(inquiry, target, ["answered_at", "is_supervised", "rating", "rating_note", "rated_at"])
    _event(inquiry, A.ANSWERED, by=by, unit=inquiry.lead_unit, from_status=before, to_status=target, visible=True)
    _tell_resident(inquiry, f"answered:{inquiry.redo_round}",
                   _("%(unit)s已答复您的诉求，请凭查询码查看答复并评价。") % {"unit": inquiry.lead_unit.name})  # fmt: skip
    return reply


@transaction.atomic
def inquiry_rate(*, inquiry: Inquiry, rating: str, note: str = "") -> Inquiry:
    """The resident's rating of the answer. "Unsatisfied" the first time sends it back to the lead unit for
    one redo round (重办) with a fresh deadline; otherwise the inquiry is rated and closes at the next sweep."""
    inquiry = _lock(inquiry)
    target = INQUIRY_WORKFLOW.check("rate", user=None, obj=inquiry)
    if rating not in Inquiry.Rating.values:
        raise _refuse(_("请选择评价。"), "rating_invalid")
    note = (note or "").strip()[:500]
    inquiry.rating, inquiry.rating_note, inquiry.rated_at = rating, note, timezone.now()
    redo = rating == Inquiry.Rating.UNSATISFIED and inquiry.redo_round < MAX_REDO_ROUNDS
    said = Inquiry.Rating(rating).label + (f"：{note}" if note else "")
    if not redo:
        before = _move(inquiry, target, ["rating", "rating_note", "rated_at"])
        _event(inquiry, A.RATED, from_status=before, to_status=target, visible=True, note=said)
        return inquiry
    inquiry.redo_round += 1
    inquiry.accepted_at = timezone.now()
    deadline_set(obj=inquiry, start=timezone.now(),
                 working_days=inquiry_working_days(kind=inquiry.kind, topic=inquiry.topic))  # fmt: skip
    before = _move(inquiry, S.ACCEPTED, ["rating", "rating_note", "rated_at", "redo_round", "accepted_at",
                                         "deadline_start", "deadline_working_days", "deadline_due",
                                         "deadline_provisional"])  # fmt: skip
    _event(inquiry, A.RATED, from_status=before, to_status=S.RATED, visible=True, note=said)
    _event(inquiry, A.REDO, from_status=S.RATED, to_status=S.ACCEPTED, unit=inquiry.lead_unit, visible=True,
           note=_("居民不满意，%(unit)s重新办理，%(due)s前答复。")
           % {"unit": inquiry.lead_unit.name, "due": _chinese_date(inquiry.deadline_due)})  # fmt: skip
    _notify_handlers(inquiry, "inquiry_redo", f"inquiry:{inquiry.pk}:redo:{inquiry.redo_round}", note=redact(note))
    return inquiry


@transaction.atomic
def inquiry_close(*, inquiry: Inquiry, by) -> Inquiry:
    """A dispatcher closes an answered or rated inquiry (办结)."""
    inquiry = _lock(inquiry)
    target = INQUIRY_WORKFLOW.check("close", user=by, obj=inquiry)
    inquiry.closed_at = timezone.now()
    before = _move(inquiry, target, ["closed_at"])
    _event(inquiry, A.CLOSED, by=by, unit=access.user_acting_unit(by, inquiry), from_status=before, to_status=target,
           visible=True)  # fmt: skip
    return inquiry


@transaction.atomic
def inquiry_publish(*, inquiry: Inquiry, by, public_title: str = "", public_question: str = "") -> Inquiry:
    """Publish the question (redacted: names, phones, ID numbers, addresses, salutations) and the official
    answer, with the resident's consent only."""
    inquiry = _lock(inquiry)
    INQUIRY_WORKFLOW.check("publish", user=by, obj=inquiry)
    answer = inquiry.replies.filter(is_official_answer=True).order_by("-at", "-pk").first()
    if answer is None:
        raise _refuse(_("还没有正式答复，不能公开。"), "no_answer")
    inquiry.public_title = redact(public_title.strip() or inquiry.title)[:80]
    inquiry.public_question = redact(public_question.strip() or inquiry.text)
    inquiry.is_published = True
    inquiry.published_at = timezone.now()
    inquiry.save(update_fields=["public_title", "public_question", "is_published", "published_at", "updated_at"])
    inquiry.replies.filter(is_official_answer=True).exclude(pk=answer.pk).update(is_public=False)
    Reply.objects.filter(pk=answer.pk).update(is_public=True)
    _event(inquiry, A.PUBLISHED, by=by, unit=access.user_acting_unit(by, inquiry))
    _public_changed()
    return inquiry


@transaction.atomic
def inquiry_unpublish(*, inquiry: Inquiry, by, note: str = "") -> Inquiry:
    inquiry = _lock(inquiry)
    INQUIRY_WORKFLOW.check("unpublish", user=by, obj=inquiry)
    if not inquiry.is_published:
        raise _refuse(_("这件诉求没有公开。"), "not_published")
    inquiry.is_published = False
    inquiry.save(update_fields=["is_published", "updated_at"])
    inquiry.replies.update(is_public=False)
    _event(inquiry, A.UNPUBLISHED, by=by, unit=access.user_acting_unit(by, inquiry), note=note)
    _public_changed()
    return inquiry


@transaction.atomic
def inquiry_contact_reveal(*, inquiry: Inquiry, by) -> tuple[str, str]:
    """The resident's name and phone in clear, for the lead unit's handler who calls back; logged as an event
    and in the personal-data audit (``PersonalDataExport``)."""
    inquiry = _lock(inquiry)
    INQUIRY_WORKFLOW.check("reveal", user=by, obj=inquiry)
    _event(inquiry, A.REVEALED, by=by, unit=inquiry.lead_unit)
    personal_data_export_logged(user=by, what=f"诉求 {inquiry.tracking_code_display} 联系方式（回电）", count=1)
    return inquiry.name, inquiry.phone


@transaction.atomic
def inquiry_personal_data_erase(*, inquiry: Inquiry, by_resident: bool = True, by=None) -> Inquiry:
    """Delete the resident's personal data: name, phone, its digest and tail, photos; SMS notices not yet
    sent are cancelled and any address left on them blanked. The inquiry and its history stay (anonymous).
    Idempotent: erasing an erased inquiry changes nothing.

    Once erased, the tracking code no longer opens the inquiry (the phone tail is gone) and the resident gets
    no more SMS. An open inquiry stays open: its unit can still answer; the answer is published only with
    the consent already given.
    """
    inquiry = _lock(inquiry)
    if inquiry.personal_data_erased_at is not None:
        return inquiry
    from pingcheng.photos.models import Photo
    from pingcheng.photos.services import photo_delete_files

    photos = list(Photo.objects.filter(pk__in=inquiry.photos.values("photo_id")))
    InquiryPhoto.objects.filter(inquiry=inquiry).delete()
    for photo in photos:
        photo.delete()
        transaction.on_commit(lambda photo=photo: photo_delete_files(photo))
    inquiry.name = inquiry.phone = inquiry.phone_digest = inquiry.phone_tail = ""
    inquiry.personal_data_erased_at = timezone.now()
    inquiry.save(update_fields=["name", "phone", "phone_digest", "phone_tail", "personal_data_erased_at", "updated_at"])
    notices_erase_sent_addresses(key_prefix=f"inquiry:{inquiry.pk}:")
    note = _("应居民要求删除个人信息。") if by_resident else _("保存期满，删除个人信息。")
    _event(inquiry, A.PERSONAL_DATA_ERASED, by=by, note=note, visible=by_resident)
    return inquiry


# --- scheduled sweeps (idempotent, safe to run twice or at once) ------------------------------------------


def _open_due_on(day: date):
    return Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES, deadline_due=day)


def inquiries_close_unrated(*, today: date | None = None) -> int:
    """Close rated inquiries, and answered ones not rated within 5 working days; return how many closed.

    Each row moves through a guarded ``UPDATE … WHERE status = …``: a second sweep running at the same time
    (or a resident rating at that moment) finds it moved and writes no second event.
    """
    today = today or workday_today()
    closed = 0
    now = timezone.now()
    window_ends: dict[date, date] = {}  # one calendar walk per answer date, not per inquiry
    for pk, status, answered_at in Inquiry.objects.filter(status__in=(S.ANSWERED, S.RATED)).values_list(
        "pk", "status", "answered_at"
    ):
        if status == S.ANSWERED:
            if answered_at is None:
                continue
            answered_on = timezone.localdate(answered_at, timezone=SHANGHAI)
            if answered_on not in window_ends:
                window_ends[answered_on] = workday_after(
                    start=answered_on, working_days=RATING_WINDOW_WORKING_DAYS
                ).date
            if window_ends[answered_on] > today:
                continue
        with transaction.atomic():
            if not Inquiry.objects.filter(pk=pk, status=status).update(status=S.CLOSED, closed_at=now, updated_at=now):
                continue
            auto = status == S.ANSWERED
            _event(Inquiry(pk=pk), A.AUTO_CLOSED if auto else A.CLOSED, from_status=status, to_status=S.CLOSED,
                   visible=True)  # fmt: skip
            closed += 1
    return closed


def inquiries_remind_due(*, today: date | None = None) -> int:
    """Tell the lead unit one working day before an open inquiry's deadline; once per deadline."""
    today = today or workday_today()
    tomorrow = workday_after(start=today, working_days=1).date
    reminded = 0
    rows = Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES, deadline_due__gt=today, deadline_due__lte=tomorrow)
    for inquiry in rows.select_related("lead_unit"):
        with transaction.atomic():
            claimed = (
                Inquiry.objects.filter(pk=inquiry.pk, deadline_due=inquiry.deadline_due)
                .exclude(reminded_due=inquiry.deadline_due)
                .update(reminded_due=inquiry.deadline_due)
            )
            if not claimed:
                continue
            _notify_handlers(inquiry, "inquiry_due_soon", f"inquiry:{inquiry.pk}:due-soon:{inquiry.deadline_due}")
            reminded += 1
    return reminded


def inquiries_escalate_overdue(*, today: date | None = None) -> int:
    """Tell the dispatchers (督办人) of open inquiries past their deadline; once per deadline."""
    today = today or workday_today()
    escalated = 0
    for inquiry in Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES, deadline_due__lt=today).select_related(
        "lead_unit"
    ):
        with transaction.atomic():
            claimed = (
                Inquiry.objects.filter(pk=inquiry.pk, deadline_due=inquiry.deadline_due)
                .exclude(overdue_notified_due=inquiry.deadline_due)
                .update(overdue_notified_due=inquiry.deadline_due)
            )
            if not claimed:
                continue
            _notify_dispatchers(inquiry, "inquiry_overdue", f"inquiry:{inquiry.pk}:overdue:{inquiry.deadline_due}")
            escalated += 1
    return escalated


def inquiries_erase_expired(*, now=None) -> int:
    """Delete the personal data of inquiries closed or rejected more than ``INQUIRY_RETENTION_DAYS`` ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.INQUIRY_RETENTION_DAYS)
    erased = 0
    for inquiry in Inquiry.objects.filter(
        status__in=(S.CLOSED, S.REJECTED), closed_at__lt=cutoff, personal_data_erased_at__isnull=True
    ).only("pk"):
        inquiry_personal_data_erase(inquiry=inquiry, by_resident=False)
        erased += 1
    return erased


def inquiry_notices_erase_addresses() -> int:
    """Blank the phone on resident SMS notices as soon as they are delivered (or given up)."""
    return notices_erase_sent_addresses(kinds=["inquiry_resident_update"])
