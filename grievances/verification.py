"""Confirming a resident's phone with a one-time code sent by SMS, before their inquiry is filed.

A code is six digits, stored only as a keyed hash (``PhoneCode.code_hash``), valid for ``CODE_TTL`` and for
``MAX_ATTEMPTS`` wrong guesses; a new code for the same phone waits ``RESEND_COOLDOWN``. How many codes a phone
and an address may ask for is counted here in the database (``PHONE_HOURLY`` …), not only in the cache: the
rate limiter fails open when Redis is down (PITFALLS), and an SMS costs money and reaches a real person, so
these limits hold whatever the cache does. The phone number itself is never stored here: a keyed digest of
it is enough to find the code and to count.

A code confirms one draft (``purpose``, the draft's idempotency key): a second press of the submit button
with the same code for the same draft is accepted again, so a double-submit reaches ``inquiry_submit`` twice
with one idempotency key and files one inquiry instead of answering "wrong code" to the second press.

The SMS goes straight to the channel, not through the notice outbox: a code is worth something for ten minutes
and must not be kept, re-driven or sent late.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import unicodedata
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The digest the inquiries hold, so that codes, drafts and filed inquiries count and find one phone alike.
from grievances.services import inquiry_phone_digest, phone_normalise
from pingcheng.errors import DomainError
from pingcheng.notices.sms import SmsError, get_sms_backend

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_COOLDOWN = timedelta(seconds=60)
# Codes one phone may be sent: a resident who mistypes twice still gets through; a script does not.
PHONE_HOURLY = 5
PHONE_DAILY = 10
# Codes one address may ask for, over all phones (a street office's shared line files for many residents).
IP_HOURLY = 20
# Codes are kept this long after they expire (the counts above read a day back), then deleted.
KEEP = timedelta(days=1)


class PhoneCode(models.Model):
    phone_digest = models.CharField(gettext_lazy("手机号摘要"), max_length=64)
    ip_digest = models.CharField(gettext_lazy("来源地址摘要"), max_length=64, blank=True)
    purpose = models.CharField(gettext_lazy("用途"), max_length=64, blank=True)
    code_hash = models.CharField(gettext_lazy("验证码摘要"), max_length=96)
    created_at = models.DateTimeField(gettext_lazy("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(gettext_lazy("失效时间"))
    attempts = models.PositiveSmallIntegerField(gettext_lazy("尝试次数"), default=0)
    used_at = models.DateTimeField(gettext_lazy("使用时间"), null=True, blank=True)

    class Meta:
        app_label = "grievances"
        verbose_name = gettext_lazy("手机验证码")
        verbose_name_plural = gettext_lazy("手机验证码")
        indexes = [
            models.Index(fields=["phone_digest", "-created_at"], name="phonecode_phone_recent_idx"),
            models.Index(fields=["ip_digest", "-created_at"], name="phonecode_ip_recent_idx"),
            models.Index(fields=["expires_at"], name="phonecode_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"PhoneCode {self.pk}"


class VerificationRefused(DomainError):
    """A code not sent or not accepted; the message says why in Chinese, ``code`` says which rule."""


def address_digest(ip: str) -> str:
    return salted_hmac("grievances.verification.ip", ip or "", algorithm="sha256").hexdigest() if ip else ""


def _code_hash(code_id_salt: str, code: str) -> str:
    return salted_hmac("grievances.verification.code", f"{code_id_salt}:{code}", algorithm="sha256").hexdigest()


def phone_code_send(*, phone: str, ip: str = "", purpose: str = "") -> PhoneCode:
    """Send a fresh code to ``phone`` for the draft ``purpose``.

    Refuses (``VerificationRefused``) within the cooldown of the last code to the same phone
    (``code_cooldown``), past the phone's hourly or daily count (``phone_limit``) or the address's hourly count
    (``address_limit``), and when the SMS channel fails (``sms_failed``; the code row is removed again so it
    does not count). Side effects: one ``PhoneCode`` row, one SMS; expired codes older than ``KEEP`` deleted.
    """
    number = phone_normalise(phone)
    digest = inquiry_phone_digest(number)
    ip_key = address_digest(ip)
    now = timezone.now()
    PhoneCode.objects.filter(expires_at__lt=now - KEEP).delete()
    with transaction.atomic():
        recent = PhoneCode.objects.filter(phone_digest=digest, created_at__gte=now - timedelta(days=1))
        last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None and now - last < RESEND_COOLDOWN:
            wait = int((RESEND_COOLDOWN - (now - last)).total_seconds()) + 1
            raise VerificationRefused(
                _("验证码刚刚发出，请等 %(seconds)s 秒后再重新获取。") % {"seconds": wait}, code="code_cooldown"
            )
        if (
            recent.count() >= PHONE_DAILY
            or recent.filter(created_at__gte=now - timedelta(hours=1)).count() >= PHONE_HOURLY
        ):
            raise VerificationRefused(
                _("这个手机号获取验证码的次数太多了，请一小时后再试，或拨打咨询电话。"), code="phone_limit"
            )
        if (
            ip_key
            and PhoneCode.objects.filter(ip_digest=ip_key, created_at__gte=now - timedelta(hours=1)).count()
            >= IP_HOURLY
        ):
            raise VerificationRefused(_("您所在的网络获取验证码的次数太多了，请一小时后再试。"), code="address_limit")
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        salt = secrets.token_hex(8)
        row = PhoneCode.objects.create(
            phone_digest=digest, ip_digest=ip_key, purpose=purpose[:64], code_hash=f"{salt}${_code_hash(salt, code)}",
            created_at=now, expires_at=now + CODE_TTL,
        )  # fmt: skip
    text = _("【平城新闻】您的验证码是 %(code)s，10 分钟内有效，用于提交群众诉求。请勿告诉他人。") % {"code": code}
    try:
        get_sms_backend().send(number, text, idempotency_key=f"phone-code:{row.pk}")
    except (SmsError, OSError) as error:
        logger.warning("Phone code %s not sent: %s", row.pk, type(error).__name__)
        row.delete()
        raise VerificationRefused(
            _("短信暂时发送不出去，请稍后再试，或拨打咨询电话反映。"), code="sms_failed"
        ) from error
    return row


def phone_code_check(*, phone: str, code: str, purpose: str = "") -> None:
    """Accept ``code`` for ``phone`` (and the draft ``purpose``) or raise ``VerificationRefused``.

    Only the newest code of the phone counts. A wrong guess uses up one of its ``MAX_ATTEMPTS`` (counted in the
    database, so parallel guesses count too); an expired, used-up or missing code is refused with a sentence
    saying to ask for a new one. A code already accepted for the same ``purpose`` is accepted again (see the
    module docstring); for another purpose it is spent.
    """
    code = unicodedata.normalize("NFKC", code or "").strip()
    try:
        digest = inquiry_phone_digest(phone)
    except ValidationError as error:
        raise VerificationRefused(error.messages[0], code="phone_invalid") from error
    now = timezone.now()
    row = PhoneCode.objects.filter(phone_digest=digest).order_by("-created_at").first()
    if row is None:
        raise VerificationRefused(_("请先获取验证码。"), code="code_missing")
    if row.used_at is not None:
        if purpose and row.purpose == purpose and _matches(row, code):
            return
        raise VerificationRefused(_("这个验证码已经用过了，请重新获取。"), code="code_used")
    if row.expires_at <= now:
        raise VerificationRefused(_("验证码已过期（10 分钟内有效），请重新获取。"), code="code_expired")
    if row.attempts >= MAX_ATTEMPTS:
        raise VerificationRefused(_("验证码输错次数太多，请重新获取。"), code="code_attempts")
    # Count the attempt before comparing, in one statement: ten parallel guesses cannot all see attempts=0.
    counted = PhoneCode.objects.filter(pk=row.pk, attempts__lt=MAX_ATTEMPTS, used_at__isnull=True).update(
        attempts=F("attempts") + 1
    )
    if not counted:
        raise VerificationRefused(_("验证码输错次数太多，请重新获取。"), code="code_attempts")
    if not (code.isdigit() and len(code) == CODE_DIGITS and _matches(row, code)):
        left = MAX_ATTEMPTS - row.attempts - 1
        if left <= 0:
            raise VerificationRefused(_("验证码输错次数太多，请重新获取。"), code="code_attempts")
        raise VerificationRefused(
            _("验证码不对，请核对短信里的 6 位数字（还可以试 %(left)s 次）。") % {"left": left}, code="code_wrong"
        )
    PhoneCode.objects.filter(pk=row.pk).update(used_at=now, purpose=purpose[:64] or row.purpose)


def phone_codes_delete_expired() -> int:
    """Delete codes that expired more than ``KEEP`` ago; safe to run any time, twice or late."""
    deleted, _counts = PhoneCode.objects.filter(expires_at__lt=timezone.now() - KEEP).delete()
    return deleted


def _matches(row: PhoneCode, code: str) -> bool:
    salt, _sep, stored = row.code_hash.partition("$")
    return hmac.compare_digest(stored, _code_hash(salt, code))
