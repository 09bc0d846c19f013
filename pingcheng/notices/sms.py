"""SMS backends. A backend has ``send(phone, text, *, idempotency_key)`` and raises on failure; the setting
SMS_BACKEND picks one.

``idempotency_key`` is the same for every attempt at one notice: a provider that de-duplicates by a
client-supplied id (most Chinese SMS gateways take an ``outId``/``extend`` or request id) drops the second
copy when a worker died after the provider accepted the message and before we recorded it. Production plugs
in a provider's client behind the same interface and passes the key along.
"""

import logging
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsMessage(NamedTuple):
    phone: str
    text: str
    idempotency_key: str


# Filled by LocmemSmsBackend, like django.core.mail.outbox, for tests.
outbox: list[SmsMessage] = []


class SmsError(Exception):
    pass


class ConsoleSmsBackend:
    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        logger.info("SMS %s to %s: %s", idempotency_key, phone, text)


class FileSmsBackend:
    """Appends each message to a dated file under SMS_FILE_PATH, for inspection in development."""

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{timezone.localdate():%Y%m%d}.log", "a", encoding="utf-8") as handle:
            handle.write(f"{timezone.now().isoformat()}\t{idempotency_key}\t{phone}\t{text}\n")


class LocmemSmsBackend:
    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        outbox.append(SmsMessage(phone, text, idempotency_key))


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
