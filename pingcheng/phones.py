"""Phone numbers that readers see become tap-to-call links (``tel:``), for every product.

A resident reading on a phone taps ``0352-5209130`` to call it. The link carries ``class="tel"``, which
static/css/site.css sets ``white-space: nowrap`` and ``display: inline-block`` on: the number never wraps
across two lines and a justified paragraph (``text-justify: inter-character``) never spreads its digits.

``phone_links`` finds numbers in stored HTML (an article body, after the cleaner): full numbers anywhere —
a landline with its area code (``0352-5209130``, ``（0352）5209130``), a mobile (``18535257842``, ``+86``
allowed), a 400/800 service number — and, after a label such as 电话 / 热线 / 拨打, the short and local
numbers that only the label tells from other figures (``拨打12345``, ``电话：5209130、5209131``), and a short
number right before 热线 (``12345热线``). Years, sums and counts are left alone.
"""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_DASH = r"[-－‐–—]"
# What follows a count, a sum or a date, never a phone number: 热线3000件, 15000000000元, 2025年.
_COUNTED = "年月日号时点万亿元角个名人户次家余多件条起宗张份台辆处场项期天岁米吨克篇位%％"
# Written with its area code, or a mobile or service number: a phone number wherever it stands, unless a unit
# of measure follows it.
_FULL = (
    rf"(?:(?:[（(]0\d{{2,3}}[）)]\s?|0\d{{2,3}}{_DASH}?)\d{{7,8}}"
    rf"|(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{{4}}){{2}}"
    rf"|[48]00{_DASH}?\d{{3}}{_DASH}?\d{{4}})(?![\d{_COUNTED}])"
)
# A short or local number is one only where a label says so, and not when a unit of measure follows it.
_SHORT = rf"\d{{3,8}}(?![\d.{_COUNTED}])"
_NUMBER = rf"(?<![\d+])(?:{_FULL}|{_SHORT})(?!\d)"
_LABEL = r"(?:电话|热线|拨打|致电|电话号码)(?:是|为)?[：:]?\s*"
_SEPARATOR = r"\s*(?:[、，,/／]|或|和|及)\s*"
_LABELLED_LIST = re.compile(rf"{_LABEL}(?P<list>{_NUMBER}(?:{_SEPARATOR}{_NUMBER})*)")
_NUMBER_RE = re.compile(_NUMBER)
_FULL_RE = re.compile(rf"(?<![\d+])(?:{_FULL})(?!\d)")
_HOTLINE_RE = re.compile(r"(?<![\d+])\d{3,5}(?=(?:政务服务便民|服务|投诉|举报)?热线)")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
# Punctuation that may not begin a line (Chinese line-breaking rules).
_CLOSING = frozenset("、，。；：！？）」』”’》〉")


# A mainland mobile however a person types it or a provider writes it: 13900000001, 139 0000 0001, 139-0000-0001,
# +86 139…, 86139…, 0086139…, full-width digits.
_MOBILE_TYPED = re.compile(r"^(?:(?:00|\+)?86)?(1[3-9]\d{9})$")
_TYPED_PUNCTUATION = re.compile(r"[\s\-－—()（）]")


def mobile_number(text: str | None) -> str:
    """The 11 digits of a mainland mobile number written any of the ways above, or "" if ``text`` is none.

    The one reading of a typed or received number for every product, so a resident who subscribed as
    ``+86 139 0000 0001`` and one who asks as ``13900000001`` are the same number everywhere."""
    compact = _TYPED_PUNCTUATION.sub("", unicodedata.normalize("NFKC", text or ""))
    match = _MOBILE_TYPED.match(compact)
    return match.group(1) if match else ""


def tel_uri(number: str) -> str:
    """``tel:`` URI of a number as printed: its digits, with a leading + kept (``tel:03525209130``)."""
    digits = re.sub(r"\D", "", number)
    return f"tel:{'+' if number.strip().startswith('+') else ''}{digits}"


def phone_link(number: str | None) -> SafeString:
    """One number of a contact block as a tap-to-call link; text with fewer than three digits stays text."""
    number = (number or "").strip()
    if len(re.sub(r"\D", "", number)) < 3:
        return escape(number)
    # Safe: the number is escaped and the URI holds only digits and +.
    return mark_safe(f'<a class="tel" href="{tel_uri(number)}">{escape(number)}</a>')


def _spans(text: str) -> list[tuple[int, int]]:
    """Where the phone numbers of a text node are, in order, without overlaps."""
    found: list[tuple[int, int]] = []
    for listed in _LABELLED_LIST.finditer(text):
        start = listed.start("list")
        found += [(start + m.start(), start + m.end()) for m in _NUMBER_RE.finditer(listed.group("list"))]
    found += [(m.start(), m.end()) for m in _FULL_RE.finditer(text)]
    found += [(m.start(), m.end()) for m in _HOTLINE_RE.finditer(text)]
    spans: list[tuple[int, int]] = []
    for start, end in sorted(set(found)):
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    return spans


def _link_text(text: str) -> str:
    pieces, last = [], 0
    for start, end in _spans(text):
        number = text[start:end]
        link = f'<a class="tel" href="{tel_uri(number)}">{number}</a>'
        if end < len(text) and text[end] in _CLOSING:
            # The mark after the number goes with it (a line never starts with 、 or ，): one unbreakable run.
            link = f'<span class="tel-run">{link}{text[end]}</span>'
            end += 1
        pieces += [text[last:start], link]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def phone_links(html: str) -> str:
    """``html`` (cleaned, well-formed) with every phone number in its text outside links made a ``tel:`` link.

    Text inside an existing ``<a>`` is left as it is, and so is every tag with its attributes. The numbers are
    copied from the (already escaped) text, which holds only digits, brackets, dashes, spaces and + there.
    """
    pieces, in_link = [], 0
    for piece in _TAG_OR_TEXT.split(html):
        if piece.startswith("<"):
            name = piece[1:].lstrip("/").split(None, 1)[0].rstrip(">/").lower() if len(piece) > 2 else ""
            if name == "a":
                in_link += -1 if piece.startswith("</") else 1
            pieces.append(piece)
        elif piece and not in_link:
            pieces.append(_link_text(piece))
        else:
            pieces.append(piece)
    return "".join(pieces)
