"""An SMS provider shared by processes, for the reliability tests and the bench: every accepted message is a
line ``<idempotency key>\t<phone>`` in ``sent.log`` under PINGCHENG_TEST_SMS_DIR, so the test counts exactly
what went out. While a file ``hang`` holding N exists there, the call that would accept the N-th message
hangs *before* accepting it (a provider that does not answer), and writes ``hung`` with its key."""

import os
import time
from pathlib import Path

from pingcheng.notices import sms


class CountingFileSmsBackend(sms.SmsBackend):
    timeout = 0.5

    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        folder = Path(os.environ["PINGCHENG_TEST_SMS_DIR"])
        log = folder / "sent.log"
        hang = folder / "hang"
        if hang.exists() and not (folder / "hung").exists():
            accepted = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
            if accepted + 1 >= int(hang.read_text()):
                (folder / "hung").write_text(idempotency_key)
                while hang.exists():
                    time.sleep(0.05)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{idempotency_key}\t{phone}\n")
