"""Chinese text for every product: the Hanzi range, list splitting, character counts and masking.

One definition of each, so the newsroom, campaigns, the inquiry desk and notices agree on what a Hanzi is,
how "防汛、网格员,创城" splits and how a resident's phone number is shown.
"""

from __future__ import annotations

import re
import unicodedata

# CJK Unified Ideographs with Extension A, the compatibility ideographs and Extensions B–F (SIP). Meant to be
# placed inside a character class: f"[{HANZI}]".
HANZI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
HANZI_RE = re.compile(f"[{HANZI}]")
HANZI_RUN_RE = re.compile(f"[{HANZI}]+")

# Separators editors type between list items: the enumeration comma 、, full- and half-width commas and
# semicolons. Whitespace is not one: "平城区 城市管理局" may be one name.
_LIST_SEPARATORS = re.compile("[、，,；;]")
# Kept in place by mask_name: the middle dot of transliterated names (买买提·艾力) and spaces of Latin names.
_NAME_SEPARATORS = frozenset("·•・ ")
# What people type inside phone numbers; dropped before masking.
_PHONE_PUNCTUATION = re.compile(r"[\s\-－—()（）]")


def split_list(text: str | None) -> list[str]:
    """Items of a list typed by a person: "防汛、网格员，创城" or "0351-1234567, 0351-7654321".

    Splits at 、，,；; — each item stripped, blanks dropped, order and repeats kept.
    """
    if not text:
        return []
    return [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]


def char_count(text: str | None) -> int:
    """字数 of plain text as Chinese newsrooms count it: one for every character, whitespace excluded.

    Hanzi, full-width punctuation, Latin letters and digits each count one (``2026年`` is 5); spaces of any
    kind (including the ideographic space U+3000 and no-break space) and invisible format characters such as
    zero-width spaces pasted from WeChat count nothing. For HTML, count its ``plain_text`` first.
    """
    if not text:
        return 0
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


# --- Masking --------------------------------------------------------------------------------------------
# What a page, a log line or an export shows of a resident. Masking never raises: odd input is masked
# as far as it can be, and never comes back more revealing than the rules below.


def mask_phone(phone: str | None) -> str:
    """A phone number with its middle hidden: ``13812341234`` → ``138****1234``.

    Spaces, hyphens and brackets are dropped and a leading +86 / 86 country code on a mobile number is removed.
    From 8 characters on, the first 3 and last 4 stay and each hidden character becomes one ``*``
    (``0351-7654321`` → ``035****4321``). Shorter input keeps only its last 2 (``12345`` → ``***45``); 2 or fewer
    characters are all hidden.
    """
    if not phone:
        return ""
    compact = _PHONE_PUNCTUATION.sub("", unicodedata.normalize("NFKC", phone))
    if compact.startswith("+"):
        compact = compact[1:]
    if len(compact) == 13 and compact.startswith("861"):
        compact = compact[2:]
    if len(compact) >= 8:
        return compact[:3] + "*" * (len(compact) - 7) + compact[-4:]
    if len(compact) > 2:
        return "*" * (len(compact) - 2) + compact[-2:]
    return "*" * len(compact)


def mask_name(name: str | None) -> str:
    """A person's name with only its first character shown: ``张三`` → ``张*``, ``王小明`` → ``王**``.

    One ``*`` for each hidden character, so ``欧阳娜娜`` is ``欧***`` (compound surnames are not recognised:
    showing less is the safe side). A one-character name is hidden entirely. The middle dot of
    transliterated names and spaces stay: ``买买提·艾力`` → ``买**·**``.
    """
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "".join(ch if ch in _NAME_SEPARATORS else "*" for ch in name[1:])


def mask_email(email: str | None) -> str:
    """An e-mail address with its local part hidden but the first character: ``zhangsan@example.com`` →
    ``z***@example.com``.

    Always three ``*``, so the length of the local part is not given away; the domain stays (it says which
    provider, not who). Input without ``@`` is masked like a local part alone (``abc`` → ``a***``).
    """
    email = (email or "").strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        local, domain = email, ""
    masked = (local[:1] + "***") if local else "***"
    return f"{masked}@{domain}" if at else masked
