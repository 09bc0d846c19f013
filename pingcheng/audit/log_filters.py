"""Logging filters that keep residents' contacts out of log lines we do not write ourselves.

Django logs the path of every refused or failed request (``Not Found: /…``, ``Forbidden (CSRF …): /…``) and
the development server logs each request line; a path can carry whatever a visitor typed, a phone number
included. Our own log calls mask at the source (``pingcheng.notices.masking``); these loggers get the
``ContactsMasked`` filter from ``AuditConfig.ready()``.
"""

import logging

# Loggers whose messages quote request paths. A filter on a logger applies to the records it creates, not
# to those of its children, so each is named.
REQUEST_LOGGERS = ("django.request", "django.server", "django.security.csrf")


class ContactsMasked(logging.Filter):
    """Rewrites the record's message with e-mail addresses and mobile numbers masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        from pingcheng.notices.masking import mask_contacts

        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a badly formatted record is logging's own error to report
        masked = mask_contacts(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def contacts_masked_in_request_logs() -> None:
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, ContactsMasked) for existing in logger.filters):
            logger.addFilter(ContactsMasked())
