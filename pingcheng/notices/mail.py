"""An e-mail backend for a server with no mail server configured: it sends nothing and logs only a trace.

Django's console backend prints whole messages — residents' addresses and texts — into the process output,
which in production is a log. With DEBUG off and no EMAIL_HOST, settings choose this backend instead: one
INFO line per message with the masked recipients and the Message-ID, never the body. ``check --deploy`` still
warns (notices.W002) that nothing is delivered.
"""

import logging

from django.core.mail.backends.base import BaseEmailBackend

from pingcheng.notices.masking import mask_addresses

logger = logging.getLogger(__name__)


class MaskedLogEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            logger.info("E-mail not sent (no mail server configured) to %s, Message-ID %s",
                        mask_addresses(message.recipients()),
                        message.extra_headers.get("Message-ID", "—"))  # fmt: skip
        return len(email_messages)
