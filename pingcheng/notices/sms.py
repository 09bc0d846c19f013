"""SMS backends. A backend is an ``SmsBackend``: ``send(phone, text, *, idempotency_key)`` raises on failure;
the setting SMS_BACKEND picks one.

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

from pingcheng.chinese import mask_phone

logger = logging.getLogger(__name__)


class SmsMessage(NamedTuple):
    phone: str
    text: str
    idempotency_key: str


# Filled by LocmemSmsBackend, like django.core.mail.outbox, for tests.
outbox: list[SmsMessage] = []


class SmsError(Exception):
    pass


class SmsBackend:
    """The interface every SMS backend follows.

    ``send`` must return or raise within ``timeout`` seconds, all retries inside it included: a provider's
    client passes the value to its HTTP calls (connect and read). A worker holds a notice for
    NOTICE_SEND_LEASE_SECONDS; if a send outlasted that, the sweep would hand the notice to a second worker
    and the person would get it twice. The ``notices.E002`` check requires the lease to be at least three
    times this timeout, and ``notices.W001`` warns about a backend that does not declare one.
    """

    timeout: float = 10

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Logs that a message would go out, for a first run: the masked number and the key, never the text (a
    message to a resident can say what their inquiry was about)."""

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        logger.info("SMS %s to %s", idempotency_key, mask_phone(phone))


class FileSmsBackend(SmsBackend):
    """Appends each message to a dated file under SMS_FILE_PATH, for inspection in development.

    For development only: the files keep residents' full numbers and the whole text, beyond the reach of the
    address retention (NOTICE_ADDRESS_RETENTION_DAYS). Never point production at it.
    """

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{timezone.localdate():%Y%m%d}.log", "a", encoding="utf-8") as handle:
            handle.write(f"{timezone.now().isoformat()}\t{idempotency_key}\t{phone}\t{text}\n")


class LocmemSmsBackend(SmsBackend):
    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        outbox.append(SmsMessage(phone, text, idempotency_key))


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
