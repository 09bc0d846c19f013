"""Residents' subscriptions, without an account: subscribe with an e-mail address or a phone number, confirm
it (a link by e-mail, a six-digit code by SMS), manage and end it from the links every message carries.

Nothing reaches a subscriber before confirmation (``Subscriber.confirmed_at``, double opt-in). Subscribing with
an address that is already confirmed changes nothing: its owner is sent the link to manage it instead, so a
stranger cannot change someone else's subscriptions, and the page answers the same either way (it does not
tell whether an address is subscribed).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from pingcheng.directory.models import Unit
from pingcheng.errors import DomainError
from pingcheng.notices import streams as streams_module
from pingcheng.notices.masking import mask_address
from pingcheng.notices.models import DigestItem, Frequency, Notice, Subscriber, SubscriberCode, Subscription
from pingcheng.notices.services import DUE_STATUSES, _dispatch
from pingcheng.phones import mobile_number

CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
# Confirmations and manage links go out at once, day or night and past the daily SMS cap (someone is waiting for
# them), to any address typed on the subscribe page: at most this many to one address in 24 hours, so nobody can
# make us text a stranger's number without end. Past it the page answers the same and nothing is sent.
ADDRESS_MESSAGES_PER_DAY = 5
ADDRESS_KINDS = ("subscription_confirm", "subscription_code", "subscription_manage_link")


def address_normalize(address: str) -> str:
    """An e-mail address in lower case, a mobile as its 11 digits (``+86 139 …`` too); anything else compacted,
    for the form to refuse with its message."""
    address = address.strip()
    if "@" in address:
        return address.lower()
    return mobile_number(address) or address.replace(" ", "").replace("-", "")


def subscriber_by_address(address: str) -> Subscriber | None:
    address = address_normalize(address)
    field = "email" if "@" in address else "phone"
    return Subscriber.objects.filter(**{field: address}).order_by("pk").first()


def _code_hash(subscriber: Subscriber, code: str) -> str:
    return salted_hmac("pingcheng.notices.subscriber_code", f"{subscriber.pk}:{code}").hexdigest()


def _send_to_address(*, kind: str, channel: str, address: str, key: str, context: dict) -> None:
    """A notice to an address that is not (yet) a confirmed subscriber: the confirmation itself, or the link
    to manage a subscription. Addressed to the address alone, so delivery does not wait for the confirmation.
    Nothing is written past ``ADDRESS_MESSAGES_PER_DAY`` to this address."""
    now = timezone.now()
    recent = Notice.objects.filter(kind__in=ADDRESS_KINDS, recipient=address, created_at__gte=now - timedelta(days=1))
    if recent.count() >= ADDRESS_MESSAGES_PER_DAY:
        return
    notice = Notice.objects.create(
        key=key, kind=kind, template=kind, channel=channel, recipient=address, recipient_hint=mask_address(address),
        context=context, send_after=now, next_attempt_at=now,
    )  # fmt: skip
    transaction.on_commit(lambda: _dispatch(notice.pk))


def _subscriptions_replace(*, subscriber: Subscriber, units, topics, frequency: str, streams=()) -> None:
    """Topics × units (no unit: the whole district), plus one row per stream (of its source's topic): a resident
    who follows only a section's news ticks that section and no topic."""
    if not topics and not streams:
        raise DomainError(_("请至少选择一项订阅内容或一个栏目。"), code="topics_required")
    if frequency not in Frequency.values:
        raise DomainError(_("请选择接收频率。"), code="frequency_invalid")
    stream_topics = streams_module.stream_topics(streams)
    if set(streams) - set(stream_topics):
        raise DomainError(_("所选栏目不存在或已停用。"), code="stream_unknown")
    subscriber.subscriptions.all().delete()
    rows = [
        Subscription(subscriber=subscriber, unit=unit, topic=topic, frequency=frequency)
        for topic in topics
        for unit in (list(units) or [None])
    ]
    rows += [Subscription(subscriber=subscriber, topic=stream_topics[key], stream=key, frequency=frequency)
             for key in sorted(set(streams))]  # fmt: skip
    Subscription.objects.bulk_create(rows)


def _confirmation_send(subscriber: Subscriber) -> None:
    nonce = secrets.token_hex(4)
    if subscriber.email:
        link = settings.SITE_URL + reverse("subscriptions:confirm", args=[subscriber.token])
        _send_to_address(kind="subscription_confirm", channel=Notice.Channel.EMAIL, address=subscriber.email,
                         key=f"subscriber:{subscriber.pk}:confirm:{nonce}", context={"link": link})  # fmt: skip
    else:
        code = f"{secrets.randbelow(10**6):06d}"
        subscriber.codes.filter(used_at__isnull=True).update(used_at=timezone.now())
        SubscriberCode.objects.create(subscriber=subscriber, code_hash=_code_hash(subscriber, code),
                                      expires_at=timezone.now() + CODE_TTL)  # fmt: skip
        _send_to_address(kind="subscription_code", channel=Notice.Channel.SMS, address=subscriber.phone,
                         key=f"subscriber:{subscriber.pk}:code:{nonce}",
                         context={"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)})  # fmt: skip


@transaction.atomic
def subscriber_subscribe(
    *, address: str, units: list[Unit], topics: list[str], frequency: str, streams: list[str] = ()
) -> Subscriber:
    """Ask for subscriptions. A new or unconfirmed address gets them as asked, pending its confirmation, which
    is sent now; a confirmed one keeps what it has and is sent the link to manage it."""
    address = address_normalize(address)
    field = "email" if "@" in address else "phone"
    subscriber = Subscriber.objects.select_for_update().filter(**{field: address}).order_by("pk").first()
    if subscriber is not None and subscriber.is_active and subscriber.confirmed_at is not None:
        link = settings.SITE_URL + reverse("subscriptions:manage", args=[subscriber.token])
        channel = Notice.Channel.EMAIL if field == "email" else Notice.Channel.SMS
        _send_to_address(
            kind="subscription_manage_link",
            channel=channel,
            address=address,
            key=f"subscriber:{subscriber.pk}:manage:{secrets.token_hex(4)}",
            context={"link": link},
        )
        return subscriber
    if subscriber is None:
        subscriber = Subscriber.objects.create(**{field: address})
    else:
        subscriber.is_active = True
        subscriber.confirmed_at = None
        subscriber.save(update_fields=["is_active", "confirmed_at", "updated_at"])
    _subscriptions_replace(subscriber=subscriber, units=units, topics=topics, frequency=frequency, streams=streams)
    _confirmation_send(subscriber)
    return subscriber


@transaction.atomic
def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    """Confirm by the link sent to the e-mail address (the token in it proves the address). Idempotent."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.is_active = True
        subscriber.save(update_fields=["confirmed_at", "is_active", "updated_at"])
    return subscriber


def subscriber_confirm_code(*, subscriber: Subscriber, code: str) -> Subscriber:
    """Confirm a phone number by the code sent to it. A wrong, expired or overused code is refused; each wrong
    try counts (committed on its own, whatever the caller does next)."""
    if subscriber.confirmed_at is not None:
        return subscriber
    current = subscriber.codes.filter(used_at__isnull=True, expires_at__gt=timezone.now()).first()
    if current is None or current.attempts >= CODE_MAX_ATTEMPTS:
        raise DomainError(_("验证码已失效，请重新获取。"), code="code_expired")
    if not constant_time_compare(current.code_hash, _code_hash(subscriber, code.strip())):
        SubscriberCode.objects.filter(pk=current.pk).update(attempts=F("attempts") + 1)
        raise DomainError(_("验证码不正确。"), code="code_wrong")
    with transaction.atomic():
        if SubscriberCode.objects.filter(pk=current.pk, used_at__isnull=True).update(used_at=timezone.now()):
            Subscriber.objects.filter(pk=subscriber.pk).update(confirmed_at=timezone.now(), is_active=True,
                                                               updated_at=timezone.now())  # fmt: skip
    subscriber.refresh_from_db()
    return subscriber


@transaction.atomic
def subscriber_update(
    *, subscriber: Subscriber, units: list[Unit], topics: list[str], frequency: str, streams: list[str] = ()
) -> Subscriber:
    """Replace a confirmed subscriber's subscriptions (the manage page)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    _subscriptions_replace(subscriber=subscriber, units=units, topics=topics, frequency=frequency, streams=streams)
    if not subscriber.is_active:
        subscriber.is_active = True
        subscriber.save(update_fields=["is_active", "updated_at"])
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """End every subscription of this address at once (one click): nothing more is sent, pending notices and
    digest items are dropped. Idempotent."""
    Subscriber.objects.filter(pk=subscriber.pk).update(is_active=False, updated_at=timezone.now())
    subscriber.is_active = False
    subscriber.notices.filter(status__in=DUE_STATUSES).update(status=Notice.Status.CANCELED, recipient="")
    DigestItem.objects.filter(subscriber=subscriber, digest_key="").delete()
    return subscriber
