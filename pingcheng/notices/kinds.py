"""The registry of notice kinds: what a product may send, through which channels, from which templates.

A product registers its kinds once, from its ``AppConfig.ready()`` (the newsroom's are in
``articles/notice_kinds.py``), and enqueues by kind name. An unknown name is refused at enqueue, inside the
caller's transaction, so a typo fails the test that exercises it instead of becoming a row that fails eight
times in the outbox. The ``notices.E001`` system check makes sure every template a kind needs exists.

Templates live under ``templates/notices/``: ``<template>.subject.txt`` and ``<template>.body.txt`` for
e-mail and the in-site inbox, ``<template>.sms.txt`` for SMS. They are plain text, rendered without HTML
escaping.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingcheng.errors import DomainError
from pingcheng.notices.models import Notice

Channel = Notice.Channel
# The template files each channel renders.
CHANNEL_TEMPLATES = {Channel.EMAIL: ("subject", "body"), Channel.SMS: ("sms",), Channel.INBOX: ("subject", "body")}


@dataclass(frozen=True)
class NoticeKind:
    """What one kind of notice is. ``urgent`` kinds will be exempt from quiet hours when those arrive."""

    name: str
    description: str
    channels: frozenset[str]
    template: str = ""
    urgent: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", frozenset(self.channels))
        object.__setattr__(self, "template", self.template or self.name)

    def template_names(self, channel: str) -> list[str]:
        return [f"notices/{self.template}.{part}.txt" for part in CHANNEL_TEMPLATES[channel]]


_registry: dict[str, NoticeKind] = {}


def kind_register(
    *, name: str, description: str, channels: Iterable[str], template: str = "", urgent: bool = False
) -> NoticeKind:
    """Add a kind to the registry. Registering the same definition again (a second ``ready()``) is harmless;
    a different definition under a name already taken is a configuration error."""
    kind = NoticeKind(name=name, description=description, channels=frozenset(channels), template=template,
                      urgent=urgent)  # fmt: skip
    if not kind.channels or not kind.channels <= set(Channel.values):
        raise ImproperlyConfigured(
            f"Notice kind {name!r} needs channels from {Channel.values}, got {sorted(kind.channels)}"
        )
    existing = _registry.get(name)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"Notice kind {name!r} is already registered with another definition")
    _registry[name] = kind
    return kind


def kind_get(name: str) -> NoticeKind:
    """The registered kind called ``name``; a name nobody registered is refused with ``notice_kind_unknown``."""
    try:
        return _registry[name]
    except KeyError:
        raise DomainError(
            _("未登记的通知类型“%(name)s”。请在产品的 notice_kinds.py 中登记后再发送。") % {"name": name},
            code="notice_kind_unknown",
        ) from None


def kinds_all() -> list[NoticeKind]:
    return sorted(_registry.values(), key=lambda kind: kind.name)


@checks.register(checks.Tags.templates)
def check_kind_templates(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every template a registered kind may render exists, so a missing file fails ``manage.py check``."""
    errors = []
    for kind in kinds_all():
        for channel in sorted(kind.channels):
            for name in kind.template_names(channel):
                try:
                    get_template(name, using="django")
                except TemplateDoesNotExist:
                    errors.append(checks.Error(
                        f"Notice kind {kind.name!r} sends by {channel} but the template {name} does not exist.",
                        id="notices.E001",
                    ))  # fmt: skip
    return errors


# The platform's own kind: a message whose subject and body are given in the context (announcements to
# staff, messages written in the back office, tests of the channels).
kind_register(
    name="generic", template="generic", channels=Channel.values,
    description=gettext_lazy("通用通知：标题和正文由发送方给出"),
)  # fmt: skip
