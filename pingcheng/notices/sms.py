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


class GatewaySmsBackend(SmsBackend):
    """The place for a China-hosted SMS provider: an HTTPS gateway that takes the number, the signed text and
    our idempotency key, as most domestic SMS platforms' "free text" (验证码/通知类) APIs do.

    It posts JSON ``{"phone", "content", "out_id"}`` to SMS_GATEWAY_URL with the bearer token
    SMS_GATEWAY_TOKEN, and treats any answer but 2xx as a failure (the outbox retries it; ``out_id`` lets the
    provider drop a copy). A provider with its own client library or its own request shape (template codes
    and parameters, request signing) is a subclass that overrides ``send`` and keeps ``timeout``. Keep the
    provider in mainland China: residents' numbers must not leave it (PIPL).
    """

    timeout = 5

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        import json
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"phone": phone, "content": text, "out_id": idempotency_key}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            raise SmsError(f"SMS gateway unreachable: {type(error).__name__}") from error
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered {status}")
