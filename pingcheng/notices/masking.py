"""Masking of residents' contacts for everything that is not delivery: the outbox, errors and logs.

Kept apart from ``models.py`` so that migrations can use it without importing the models.
"""

from pingcheng.chinese import EMAIL_RE, MOBILE_RE, mask_email, mask_phone


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
    text = EMAIL_RE.sub(lambda match: mask_email(match.group()), text)
    return MOBILE_RE.sub(lambda match: mask_phone(match.group()), text)


def mask_addresses(addresses) -> str:
    """Several addresses masked, for one log line: ``z***@example.com, 138****1234``."""
    return ", ".join(mask_address(address) for address in addresses)
