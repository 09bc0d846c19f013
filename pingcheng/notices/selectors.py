"""Reads of the in-site inbox. The role dashboard shows ``inbox_unread_count`` and ``inbox_list``."""

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.template import TemplateDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from pingcheng.errors import DomainError
from pingcheng.notices import channels
from pingcheng.notices.kinds import kind_get
from pingcheng.notices.models import Notice
from pingcheng.safe_paths import local_path

logger = logging.getLogger(__name__)

# A link in a plain-text message. Chinese text puts it right after full-width punctuation (请确认收到：http://…),
# where Django's ``urlize`` (which splits words on spaces) finds none; it ends at a space or at punctuation.
_URL = re.compile(r"https?://[^\s<>\"'，。；：、！？）】」》]+")


def linked_text(text: str) -> SafeString:
    """``text`` HTML-escaped, with each http(s) link in it made a link."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        parts += [escape(text[last : match.start()]), format_html('<a href="{}">{}</a>', url, url)]
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece escaped above


@dataclass(frozen=True)
class InboxMessage:
    """One inbox notice as its reader sees it: rendered subject and body (plain text, not yet HTML-escaped)."""

    id: int
    kind: str
    kind_label: str
    subject: str
    body: str
    created_at: datetime  # when the event wrote it
    sent_at: datetime  # when it showed in the inbox (later for a scheduled notice)
    read_at: datetime | None
    link: str = ""  # a path on this site the message is about (the article to revise …), or ""

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def body_html(self) -> SafeString:
        return linked_text(self.body)

    @property
    def url(self) -> str:
        return f"{reverse('notices:inbox')}#notice-{self.id}"


def _inbox(user) -> QuerySet[Notice]:
    # Scheduled rows show from their time on.
    return Notice.objects.filter(user=user, channel=Notice.Channel.INBOX, sent_at__lte=timezone.now())


def inbox_unread_count(*, user) -> int:
    return _inbox(user).filter(read_at__isnull=True).count()


def inbox_list(*, user, limit: int = 50, unread_only: bool = False) -> list[InboxMessage]:
    """The user's newest inbox notices first, at most ``limit``, in one query."""
    notices = _inbox(user)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    notices = notices.order_by("-sent_at", "-pk").only(
        "pk", "kind", "template", "context", "created_at", "sent_at", "read_at"
    )
    return [_message(notice) for notice in notices[:limit]]


def _message(notice: Notice) -> InboxMessage:
    try:
        label = str(kind_get(notice.kind).description)
    except DomainError:  # a kind retired since: the message still shows
        label = notice.kind
    try:
        subject, body = channels.render_subject(notice), channels.render_body(notice)
    except TemplateDoesNotExist:
        # One message whose template went away must not take the whole inbox (or the dashboard) down.
        logger.exception("Inbox notice %s cannot be rendered", notice.pk)
        subject, body = label, ""
    return InboxMessage(id=notice.pk, kind=notice.kind, kind_label=label, subject=subject, body=body,
                        created_at=notice.created_at, sent_at=notice.sent_at, read_at=notice.read_at,
                        link=local_path(notice.context.get("link")))  # fmt: skip
