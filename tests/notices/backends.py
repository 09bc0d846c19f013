"""Stand-ins for an outside SMS provider or mail server (not for our database or broker)."""

import os
import smtplib
import threading
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from pingcheng.notices import sms
from pingcheng.notices.models import Notice

_lock = threading.Lock()
# Set by SlowSmsBackend when a send begins, so a test knows the channel call is under way.
sending = threading.Event()


class FailingSmsBackend(sms.SmsBackend):
    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        raise sms.SmsError("provider answered 503")


class SlowLocmemSmsBackend(sms.SmsBackend):
    """Takes half a second per message, so that two concurrent sweeps overlap."""

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        time.sleep(0.5)
        with _lock:
            sms.outbox.append(sms.SmsMessage(phone, text, idempotency_key))


class SlowSmsBackend(sms.SmsBackend):
    """A provider that takes 2.5 seconds to answer, like a gateway under load."""

    seconds = 2.5

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        sending.set()
        time.sleep(self.seconds)
        with _lock:
            sms.outbox.append(sms.SmsMessage(phone, text, idempotency_key))


class TakenOverSmsBackend(sms.SmsBackend):
    """While it sends, another worker claims the notice again (as if this one's lease had run out)."""

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        Notice.objects.filter(uuid=idempotency_key).update(claim_token=uuid.uuid4())
        sms.outbox.append(sms.SmsMessage(phone, text, idempotency_key))


class BlockingFileSmsBackend(sms.SmsBackend):
    """A provider shared by processes: every accepted message is a line in ``sent.log`` under the folder
    PINGCHENG_TEST_SMS_DIR. While a file ``block`` holding a number N exists there, the N-th message is
    accepted and then the call never returns (the worker hangs mid-send and can be killed there); a file
    ``blocked`` says which message that was."""

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        folder = Path(os.environ["PINGCHENG_TEST_SMS_DIR"])
        log = folder / "sent.log"
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{idempotency_key}\t{phone}\t{text}\n")
            handle.flush()
            os.fsync(handle.fileno())
        block = folder / "block"
        if block.exists() and len(log.read_text(encoding="utf-8").splitlines()) >= int(block.read_text()):
            (folder / "blocked").write_text(idempotency_key)
            while block.exists():
                time.sleep(0.05)


class RecipientRefusedEmailBackend(BaseEmailBackend):
    """An SMTP server that refuses every recipient, as smtplib reports it: the address is in the exception."""

    def send_messages(self, email_messages) -> int:
        refused = {
            address: (550, f"5.1.1 <{address}>: mailbox unavailable; reply to postmaster@mail.example.cn".encode())
            for message in email_messages
            for address in message.recipients()
        }
        raise smtplib.SMTPRecipientsRefused(refused)


class NumberInErrorSmsBackend(sms.SmsBackend):
    """A provider whose error message repeats the number it refused, and another one for good measure."""

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        raise sms.SmsError(f"number {phone} is on the blocklist (as is 13912345678)")
