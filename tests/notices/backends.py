"""Stand-ins for an outside SMS provider (not for our database or broker)."""

import threading
import time

from pingcheng.notices import sms

_lock = threading.Lock()


class FailingSmsBackend:
    def send(self, phone: str, text: str) -> None:
        raise sms.SmsError("provider answered 503")


class SlowLocmemSmsBackend:
    """Takes half a second per message, so that two concurrent sweeps overlap."""

    def send(self, phone: str, text: str) -> None:
        time.sleep(0.5)
        with _lock:
            sms.outbox.append((phone, text))
