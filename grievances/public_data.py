"""What the resident's pages read from and write to the inquiry desk's core (models, services, access), shaped
for the public templates.

The public views go through this module only, so the core's names are used in one place; where the core
offers no function yet, the small adapter here says so.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import access, selectors
from grievances.models import FaqEntry, Inquiry, InquiryEvent, Reply, Topic, tracking_code_display
from grievances.services import inquiry_phone_digest, phone_normalise
from pingcheng.chinese import mask_name, mask_phone
from pingcheng.directory.models import Unit
from pingcheng.errors import DomainError
from pingcheng.personal_data import personal_data_decrypt, personal_data_encrypt

KINDS_NEEDING_NAME = frozenset({Inquiry.Kind.COMPLAINT, Inquiry.Kind.HELP})
ANSWER_SEARCH_FIELDS = ("public_title", "public_question")
FAQ_SEARCH_FIELDS = ("question", "answer")
DUPLICATE_WINDOW = timedelta(hours=24)
EXCERPT_CHARS = 80


def _services():
    # Imported late: the core's services import notices and workflow machinery the public forms do not need.
    return importlib.import_module("grievances.services")


# --- Choices ---------------------------------------------------------------------------------------------------


def kind_choices():
    return list(Inquiry.Kind.choices)


def topics_public() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True).order_by("sort_order", "name")


def topic_choices():
    return list(topics_public().values_list("pk", "name"))


def rating_choices():
    return list(Inquiry.Rating.choices)


# --- Landing, directory ----------------------------------------------------------------------------------------


def departments() -> QuerySet[Unit]:
    """Units a resident may call: every active unit that lists a public phone, those routing a topic first."""
    return selectors.units_with_phones()


# --- Public answers --------------------------------------------------------------------------------------------


@dataclass
class PublicAnswer:
    pk: int
    title: str
    question: str
    answer: str
    kind_label: str
    topic_name: str
    unit_name: str
    unit: Unit | None
    asked_at: datetime | None
    answered_at: datetime | None
    excerpt: str = ""


def answers_published(*, topic: Topic | None = None, unit: Unit | None = None) -> QuerySet[Inquiry]:
    """Inquiries whose resident consented and whose answer a handler published, newest publication first."""
    rows = Inquiry.objects.filter(is_published=True, publish_consent=True).order_by("-published_at", "-pk")
    if topic is not None:
        rows = rows.filter(topic=topic)
    if unit is not None:
        rows = rows.filter(lead_unit=unit)
    return rows.only("pk", "public_title", "public_question", "kind", "topic", "lead_unit", "published_at",
                     "submitted_at", "answered_at")  # fmt: skip


def answering_units() -> QuerySet[Unit]:
    published = Inquiry.objects.filter(is_published=True, publish_consent=True, lead_unit=OuterRef("pk"))
    return Unit.objects.filter(Exists(published)).only("pk", "name", "code", "path").order_by("path")


def _official_answers(inquiries) -> dict[int, Reply]:
    replies = Reply.objects.filter(inquiry__in=[row.pk for row in inquiries], is_public=True, is_official_answer=True)
    latest: dict[int, Reply] = {}
    for reply in replies.select_related("unit").order_by("at", "pk"):
        latest[reply.inquiry_id] = reply
    return latest


def answer_cards(rows) -> list[PublicAnswer]:
    """A page of published inquiries as cards: two queries for the page whatever its size (topics and units
    joined once, answers read in one go)."""
    rows = list(rows)
    if not rows:
        return []
    topics = {topic.pk: topic.name for topic in Topic.objects.filter(pk__in={row.topic_id for row in rows})}
    units = {
        unit.pk: unit for unit in Unit.objects.filter(pk__in={row.lead_unit_id for row in rows if row.lead_unit_id})
    }
    replies = _official_answers(rows)
    return [_public_answer(row, topics.get(row.topic_id, ""), units.get(row.lead_unit_id), replies.get(row.pk))
            for row in rows]  # fmt: skip


def _public_answer(row: Inquiry, topic_name: str, unit: Unit | None, reply: Reply | None) -> PublicAnswer:
    question = row.public_question
    return PublicAnswer(
        pk=row.pk, title=row.public_title or _("（无标题）"), question=question, answer=reply.text if reply else "",
        kind_label=Inquiry.Kind(row.kind).label if row.kind in Inquiry.Kind.values else "",
        topic_name=topic_name, unit_name=(reply.unit.name if reply else (unit.name if unit else "")), unit=unit,
        asked_at=row.submitted_at, answered_at=row.published_at or row.answered_at,
        excerpt=(question[:EXCERPT_CHARS] + "…") if len(question) > EXCERPT_CHARS else question,
    )  # fmt: skip


def answers_recent(*, limit: int) -> list[PublicAnswer]:
    return answer_cards(answers_published()[:limit])


def answer_public(pk: int) -> PublicAnswer | None:
    row = answers_published().filter(pk=pk).select_related("topic", "lead_unit").first()
    if row is None:
        return None
    return _public_answer(row, row.topic.name, row.lead_unit, _official_answers([row]).get(row.pk))


def answer_title(row: Inquiry) -> str:
    return row.public_title


def answer_body(row: Inquiry) -> str:
    return row.public_question


# --- FAQ --------------------------------------------------------------------------------------------------------


def faq_queryset() -> QuerySet[FaqEntry]:
    return FaqEntry.objects.filter(is_published=True, topic__is_active=True).order_by(
        "topic__sort_order", "sort_order", "pk"
    )


def faq_entries() -> list[FaqEntry]:
    return list(faq_queryset()[:50])


def faq_groups() -> list[tuple[str, list[FaqEntry]]]:
    groups: dict[str, list[FaqEntry]] = {}
    for entry in faq_queryset().select_related("topic"):
        groups.setdefault(entry.topic.name, []).append(entry)
    return list(groups.items())


def faq_question(entry: FaqEntry) -> str:
    return entry.question


def faq_answer(entry: FaqEntry) -> str:
    return entry.answer


# --- The draft between the two steps -------------------------------------------------------------------------


def draft_from(data: dict, *, photo_ids: list[int]) -> dict:
    """The session's copy of step 1. Name and phone are encrypted like the inquiry's own columns: the session
    table is a database table too."""
    return {
        "kind": data["kind"], "topic": data["topic"], "place": data["place"], "title": data["title"],
        "text": data["text"], "name": personal_data_encrypt(data.get("name") or ""),
        "phone": personal_data_encrypt(data["phone"]), "phone_digest": inquiry_phone_digest(data["phone"]),
        "publish_consent": bool(data.get("publish_consent")), "photo_ids": photo_ids,
    }  # fmt: skip


def draft_phone(draft: dict) -> str:
    return personal_data_decrypt(draft.get("phone", ""))


def draft_initial(draft: dict) -> dict:
    """Step 1's form filled again from the draft (the resident went back to change something)."""
    return {
        "kind": draft.get("kind"), "topic": draft.get("topic"), "place": draft.get("place"),
        "title": draft.get("title"), "text": draft.get("text"), "name": personal_data_decrypt(draft.get("name", "")),
        "phone": draft_phone(draft), "publish_consent": draft.get("publish_consent"), "data_consent": True,
    }  # fmt: skip


def draft_labels(draft: dict) -> dict:
    kind = draft.get("kind")
    topic = Topic.objects.filter(pk=draft.get("topic")).values_list("name", flat=True).first()
    place = Unit.objects.filter(pk=draft.get("place")).values_list("name", flat=True).first()
    return {
        "kind_label": Inquiry.Kind(kind).label if kind in Inquiry.Kind.values else "",
        "topic_name": topic or "",
        "place_name": place or "",
    }


def _photos(ids):
    from pingcheng.photos.models import Photo

    found = {photo.pk: photo for photo in Photo.objects.filter(pk__in=ids or [], uploaded_by__isnull=True)}
    return [found[pk] for pk in ids or [] if pk in found]


def draft_photos_discard(ids) -> None:
    """Delete the pictures a draft held when the resident chose others: never linked to an inquiry, nobody else's."""
    from django.db import transaction

    from grievances.models import InquiryPhoto
    from pingcheng.photos.services import photo_delete_files

    for photo in _photos(ids):
        if not InquiryPhoto.objects.filter(photo=photo).exists():
            photo.delete()
            transaction.on_commit(lambda photo=photo: photo_delete_files(photo))


def inquiry_submit_draft(*, draft: dict, phone: str) -> Inquiry:
    """File the draft through the core's ``inquiry_submit`` (idempotent by the draft's key)."""
    topic = Topic.objects.filter(pk=draft.get("topic"), is_active=True).first()
    place = Unit.objects.filter(pk=draft.get("place"), is_active=True).first()
    if topic is None or place is None:
        raise DomainError(_("所选类别或地点已经停用，请返回修改。"), code="draft_stale")
    return _services().inquiry_submit(
        kind=draft["kind"], topic=topic, place_unit=place, title=draft["title"], text=draft["text"],
        name=personal_data_decrypt(draft.get("name", "")), phone=phone_normalise(phone), channel=Inquiry.Channel.WEB,
        publish_consent=bool(draft.get("publish_consent")), idempotency_key=draft["key"],
        photos=_photos(draft.get("photo_ids")), by=None,
    )  # fmt: skip


# --- Duplicates --------------------------------------------------------------------------------------------------


def _similar(a: str, b: str) -> bool:
    """Near-identical texts: the same after dropping spaces and punctuation, or nine tenths of the bigrams shared."""
    from pingcheng.chinese import hanzi_bigrams, normalise

    def squeeze(text: str) -> str:
        return "".join(ch for ch in normalise(text) if ch.isalnum())

    sa, sb = squeeze(a), squeeze(b)
    if sa == sb:
        return True
    ga, gb = set(hanzi_bigrams(sa)), set(hanzi_bigrams(sb))
    if len(ga) < 5 or len(gb) < 5:
        return False
    return len(ga & gb) / len(ga | gb) >= 0.9


def inquiry_duplicate_of(*, phone: str, title: str, text: str, idempotency_key: str) -> Inquiry | None:
    """An inquiry the same phone filed within ``DUPLICATE_WINDOW`` with near-identical text (not this draft's own,
    which the idempotency key already returns), else None."""
    digest = inquiry_phone_digest(phone)
    since = timezone.now() - DUPLICATE_WINDOW
    recent = (Inquiry.objects.filter(phone_digest=digest, submitted_at__gte=since).exclude(idempotency_key=idempotency_key)
              .exclude(status=Inquiry.Status.REJECTED).only("pk", "title", "text").order_by("-submitted_at")[:20])  # fmt: skip
    for row in recent:
        if _similar(row.text, text) and (_similar(row.title, title) or len(text) >= 30):
            return row
    return None


# --- Tracking ------------------------------------------------------------------------------------------------------


def inquiry_by_code(*, code: str, phone_tail: str) -> Inquiry | None:
    return access.inquiry_access_by_code(code=code, phone_tail=phone_tail)


def inquiry_by_pk(pk) -> Inquiry | None:
    if not isinstance(pk, int):
        return None
    return Inquiry.objects.select_related("topic", "lead_unit").filter(pk=pk).first()


def tracked_titles(tracked: dict) -> list[tuple[str, str]]:
    pks = [pk for pk in tracked.values() if isinstance(pk, int)]
    titles = dict(Inquiry.objects.filter(pk__in=pks).values_list("pk", "title"))
    return [(token, titles[pk]) for token, pk in tracked.items() if pk in titles]


def receipt(inquiry: Inquiry) -> dict:
    return {
        "inquiry": inquiry,
        "tracking_code": tracking_code_display(inquiry.tracking_code),
        "tracking_groups": tracking_code_display(inquiry.tracking_code).split("-"),
        "due_date": inquiry.deadline_due,
        "due_provisional": inquiry.deadline_provisional,
        "unit": inquiry.lead_unit or inquiry.topic.default_unit,
    }


@dataclass
class ResidentEvent:
    at: datetime
    label: str
    note: str = ""


@dataclass
class ResidentView:
    title: str
    status_label: str
    kind_label: str
    topic_name: str
    unit: Unit | None
    due_date: date | None
    due_provisional: bool
    extended: bool
    submitted_at: datetime
    reject_reason: str
    rating_label: str
    events: list[ResidentEvent] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)


def resident_view(inquiry: Inquiry) -> ResidentView:
    """What the resident sees of their inquiry (the core's public history and official answers): never the name
    or the phone, never an internal note or who on the staff did what."""
    events = [ResidentEvent(at=step.at, label=step.label, note=step.note)
              for step in selectors.inquiry_public_history(inquiry)]  # fmt: skip
    answers = [{"text": reply.text, "unit_name": reply.unit.name, "at": reply.at}
               for reply in selectors.inquiry_official_answers(inquiry)]  # fmt: skip
    reject = ""
    if inquiry.status == Inquiry.Status.REJECTED:
        reject = inquiry.get_reject_reason_display() if inquiry.reject_reason else _("不予受理")
        last = next((step for step in reversed(events) if step.label == InquiryEvent.Action.REJECTED.label), None)
        if last and last.note:
            reject = last.note  # the core writes the reason's label and the handler's words: "重复诉求：…"
    return ResidentView(
        title=inquiry.title, status_label=inquiry.get_status_display(), kind_label=inquiry.get_kind_display(),
        topic_name=inquiry.topic.name, unit=inquiry.lead_unit, due_date=inquiry.deadline_due,
        due_provisional=bool(inquiry.deadline_provisional),
        extended=selectors.inquiry_deadline_extended(inquiry), submitted_at=inquiry.submitted_at,
        reject_reason=reject, rating_label=inquiry.get_rating_display() if inquiry.rating else "", events=events,
        answers=answers,
    )  # fmt: skip


def may_rate(inquiry: Inquiry) -> bool:
    return inquiry.status == Inquiry.Status.ANSWERED and not inquiry.rating


def inquiry_rate(*, inquiry: Inquiry, rating: str, comment: str) -> Inquiry:
    services = _services()
    return services.inquiry_rate(inquiry=inquiry, rating=rating, note=comment)


# --- A resident's own data --------------------------------------------------------------------------------------


def stored_about(inquiry: Inquiry) -> list[tuple[str, str]]:
    """What the desk keeps that identifies the resident, masked as staff see it, and what they wrote."""
    photo_count = inquiry.photos.count()
    return [
        (_("姓名"), mask_name(inquiry.name) if inquiry.name else ""),
        (_("手机号码"), mask_phone(inquiry.phone) if inquiry.phone else ""),
        (_("标题"), inquiry.title),
        (_("内容"), inquiry.text),
        (_("照片"), _("%(count)s 张") % {"count": photo_count} if photo_count else ""),
        (_("同意公开答复"), _("是") if inquiry.publish_consent else _("否")),
        (_("提交时间"), f"{timezone.localtime(inquiry.submitted_at):%Y-%m-%d %H:%M}"),
    ]


def is_erased(inquiry: Inquiry) -> bool:
    return inquiry.personal_data_erased_at is not None


def can_erase() -> bool:
    return hasattr(_services(), "inquiry_personal_data_erase")


def personal_data_erase(*, inquiry: Inquiry) -> None:
    _services().inquiry_personal_data_erase(inquiry=inquiry, by_resident=True, by=None)
