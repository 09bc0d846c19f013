"""Reads of the inquiry desk: the resident's view of one inquiry, the public answers, the staff lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from grievances import access
from grievances.models import AnswerTemplate, Extension, FaqEntry, Inquiry, InquiryEvent, Reply, Topic
from pingcheng.directory.models import Unit
from pingcheng.workdays import workday_after, workday_today

S = Inquiry.Status


def inquiry_by_tracking(*, code: str, phone_tail: str) -> Inquiry | None:
    """The resident's inquiry by tracking code and last four phone digits; None for any mismatch (see
    ``access.inquiry_access_by_code``)."""
    return access.inquiry_access_by_code(code=code, phone_tail=phone_tail)


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    label: str
    note: str


def inquiry_public_history(inquiry: Inquiry) -> list[PublicStep]:
    """The steps the resident sees, oldest first: what happened and when, never who on the staff did it,
    never an internal note."""
    steps = InquiryEvent.objects.filter(inquiry=inquiry, visible_to_resident=True).order_by("at", "pk")
    return [PublicStep(at=event.at, label=event.get_action_display(), note=event.note) for event in steps]


def inquiry_deadline_extended(inquiry: Inquiry) -> bool:
    """Whether the current deadline is an extended one: an extension approved in this round. A redo (重办)
    starts a fresh deadline, so an extension approved before it no longer says anything about the date shown."""
    approved = inquiry.extensions.filter(status=Extension.Status.APPROVED)
    if inquiry.redo_round:
        redo_at = inquiry.events.filter(action=InquiryEvent.Action.REDO).aggregate(at=Max("at"))["at"]
        if redo_at is not None:
            approved = approved.filter(decided_at__gt=redo_at)
    return approved.exists()


def inquiry_official_answers(inquiry: Inquiry) -> list[Reply]:
    """The official answers given to the resident (one per round), oldest first, with their unit."""
    return list(inquiry.replies.filter(is_official_answer=True).select_related("unit").order_by("at", "pk"))


def answers_public(topic: Topic | None = None, unit: Unit | None = None) -> QuerySet[Inquiry]:
    """Published inquiries (redacted question + public official answer), newest first, with their topic, unit
    and public answers prefetched. Only ``public_title``, ``public_question`` and the public replies may be
    shown from these rows."""
    rows = Inquiry.objects.filter(is_published=True, publish_consent=True)
    if topic is not None:
        rows = rows.filter(topic=topic)
    if unit is not None:
        rows = rows.filter(lead_unit=unit)
    return (
        rows.select_related("topic", "lead_unit")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Reply.objects.filter(is_public=True).select_related("unit"),
                to_attr="public_replies",
            )
        )  # fmt: skip
        .only(
            "pk",
            "tracking_code",
            "kind",
            "public_title",
            "public_question",
            "published_at",
            "submitted_at",
            "answered_at",
            "topic__name",
            "topic__slug",
            "lead_unit__name",
            "lead_unit__public_phones",
            "topic_id",
            "lead_unit_id",
        )  # fmt: skip
        .order_by("-published_at", "-pk")
    )


def topics_active() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True).select_related("default_unit")


def faq_published(topic: Topic | None = None) -> QuerySet[FaqEntry]:
    rows = FaqEntry.objects.filter(is_published=True, topic__is_active=True).select_related("topic", "unit")
    return rows.filter(topic=topic) if topic is not None else rows


def units_with_phones() -> QuerySet[Unit]:
    """The department directory: active units that publish consultation phones, routing some topic first."""
    return (
        Unit.objects.filter(is_active=True)
        .exclude(public_phones="")
        .annotate(topics=Count("inquiry_topics", filter=Q(inquiry_topics__is_active=True)))
        .order_by("-topics", "kind", "sort_order", "name")
    )


# --- staff ----------------------------------------------------------------------------------------------


def desk_inquiries(*, user, scope: str = "mine", status: str = "") -> QuerySet[Inquiry]:
    """The desk list for ``user``: their units' inquiries (or every inquiry for a dispatcher with
    ``scope="all"``), open ones first by deadline, with what the list shows joined."""
    rows = access.inquiries_for_user(user)
    if scope == "mine" and access.user_is_handler(user):
        units = access.units_handled_by(user)
        rows = rows.filter(Q(lead_unit__in=units) | Q(co_handlings__unit__in=units)).distinct()
    if status == "open":
        rows = rows.filter(status__in=Inquiry.OPEN_STATUSES)
    elif status == "overdue":
        rows = rows.filter(status__in=Inquiry.OPEN_STATUSES, deadline_due__lt=workday_today())
    elif status == "waiting":
        rows = rows.filter(status__in=(S.SUBMITTED, S.RETURNED))
    elif status in S.values:
        rows = rows.filter(status=status)
    return rows.select_related("topic", "lead_unit").order_by("deadline_due", "pk")


@dataclass(frozen=True)
class DeskCounts:
    open: int
    overdue: int
    due_soon: int
    waiting: int
    extensions_pending: int


def desk_counts(*, user, today: date | None = None) -> DeskCounts:
    """The numbers a handler or dispatcher sees first (one query)."""
    today = today or workday_today()
    soon = workday_after(start=today, working_days=1).date
    rows = access.inquiries_for_user(user)
    if access.user_is_handler(user) and not access.user_is_dispatcher(user):
        rows = rows.filter(lead_unit__in=access.units_handled_by(user))
    open_q = Q(status__in=Inquiry.OPEN_STATUSES)
    figures = rows.aggregate(
        open=Count("pk", distinct=True, filter=open_q),
        overdue=Count("pk", distinct=True, filter=open_q & Q(deadline_due__lt=today)),
        due_soon=Count("pk", distinct=True, filter=open_q & Q(deadline_due__gte=today, deadline_due__lte=soon)),
        waiting=Count("pk", distinct=True, filter=Q(status__in=(S.SUBMITTED, S.RETURNED))),
        extensions=Count("extensions", distinct=True, filter=Q(extensions__status="pending")),
    )
    return DeskCounts(
        open=figures["open"], overdue=figures["overdue"], due_soon=figures["due_soon"],
        waiting=figures["waiting"], extensions_pending=figures["extensions"],
    )  # fmt: skip


def deadline_flag(inquiry: Inquiry, *, today: date, soon: date) -> str:
    """ "overdue", "due_soon" or "" for an open inquiry's row."""
    if inquiry.status not in Inquiry.OPEN_STATUSES or inquiry.deadline_due is None:
        return ""
    if inquiry.deadline_due < today:
        return "overdue"
    if inquiry.deadline_due <= soon:
        return "due_soon"
    return ""


def answer_templates_for(inquiry: Inquiry) -> QuerySet[AnswerTemplate]:
    """The active templates a handler may start the answer from: the inquiry's topic or every topic, its lead unit
    or every unit. (``__in=[x, None]`` would not do: SQL's IN never matches NULL, so the shared ones vanished.)"""
    rows = AnswerTemplate.objects.filter(Q(topic=inquiry.topic_id) | Q(topic__isnull=True), is_active=True)
    if inquiry.lead_unit_id:
        rows = rows.filter(Q(unit=inquiry.lead_unit_id) | Q(unit__isnull=True))
    else:
        rows = rows.filter(unit__isnull=True)
    return rows.order_by("title", "pk")
