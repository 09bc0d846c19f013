"""SMS backends. A backend has ``send(phone, text)`` and raises on failure; the setting SMS_BACKEND picks one.

Production plugs in a provider's client behind the same interface.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Filled by LocmemSmsBackend, like django.core.mail.outbox, for tests.
outbox: list[tuple[str, str]] = []


class SmsError(Exception):
    pass


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class FileSmsBackend:
    """Appends each message to a dated file under SMS_FILE_PATH, for inspection in development."""

    def send(self, phone: str, text: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{timezone.localdate():%Y%m%d}.log", "a", encoding="utf-8") as handle:
            handle.write(f"{timezone.now().isoformat()}\t{phone}\t{text}\n")


class LocmemSmsBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()
