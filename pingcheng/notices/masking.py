"""Masking of residents' contacts for everything that is not delivery: the outbox, errors and logs.

Kept apart from ``models.py`` so that migrations can use it without importing the models.
"""

import re

from pingcheng.chinese import mask_email, mask_phone

# ASCII on purpose: a class that took Hanzi would swallow the Chinese words around an address in a message.
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# A mainland mobile number, with or without +86, not inside a longer run of digits (a timestamp, an id).
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ \-]?)?1[3-9]\d{9}(?!\d)")


def mask_address(address: str) -> str:
    """Enough of an e-mail address or phone number to tell two apart, not enough to reach the person."""
    if not address:
        return ""
    return mask_email(address) if "@" in address else mask_phone(address)


def mask_contacts(text: str, *, known: tuple[str, ...] = ()) -> str:
    """``text`` with the ``known`` addresses and anything that looks like an e-mail address or a mobile number
    masked, for an error message or a log line. Idempotent: masked text stays as it is."""
    for address in known:
        if address:
            text = text.replace(address, mask_address(address))
    text = _EMAIL.sub(lambda match: mask_email(match.group()), text)
    return _MOBILE.sub(lambda match: mask_phone(match.group()), text)
