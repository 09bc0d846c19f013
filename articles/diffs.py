"""What changed between two versions of an article, shown to reviewers in the back office.

Both sides are ``articles.services._snapshot`` dicts (kept on each ``ReviewDecision`` and ``DraftRevision``).
Chinese is compared character by character, since it has no spaces to compare words by; the body is first
read as paragraphs of plain text (a picture becomes ``［图片：说明］``), paired paragraph by paragraph, so a
reviewer sees the sentence that changed inside the paragraph that holds it, with deletions struck through
and insertions marked, and the untouched paragraphs left out.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from articles.models import Article

# The parts of a snapshot, in the order a reviewer reads an article, with their labels.
LABELS = {
    "kicker": _("引题"),
    "headline": _("主题"),
    "subtitle": _("副题"),
    "series": _("系列"),
    "series_part": _("系列篇次"),
    "dateline": _("电头"),
    "lead": _("导语/摘要"),
    "body": _("正文"),
    "credits": _("署名"),
    "figures": _("配图"),
    "inline_photos": _("正文插图"),
    "tags": _("标签"),
    "units": _("涉及单位"),
    "responsible_editor": _("责任编辑"),
    "source": _("转载来源"),
    "original_author": _("原作者"),
    "original_title": _("原标题"),
}
TOKEN = re.compile(r"[0-9A-Za-z]+(?:[.,:%][0-9A-Za-z]+)*%?|\s+|.", re.DOTALL)
# Below this share of characters in common, two paragraphs are shown as one removed and one written anew:
# a character diff of unrelated sentences is noise.
SIMILAR_ENOUGH = 0.4
BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "figure", "tr",
                        "div", "br", "ul", "ol", "table"})  # fmt: skip


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    html: SafeString  # the change marked up with <del>/<ins>, escaped


def field_labels(keys) -> list[str]:
    """The Chinese names of snapshot keys, in reading order (unknown keys last, by name)."""
    order = list(LABELS)
    known = sorted((key for key in keys if key in LABELS), key=order.index)
    return [str(LABELS[key]) for key in known] + sorted(key for key in keys if key not in LABELS)


def snapshot_changes(before: dict, after: dict) -> list[FieldChange]:
    """Each part that differs between two snapshots, in reading order, as marked-up text."""
    changes = []
    for key in [*LABELS, *sorted(set(after) - set(LABELS))]:
        if key not in after and key not in before:
            continue
        old, new = _as_text(key, before.get(key)), _as_text(key, after.get(key))
        if old == new:
            continue
        if key == "body":
            html = _paragraphs_diff(_body_paragraphs(before.get(key) or ""), _body_paragraphs(after.get(key) or ""))
        else:
            html = format_html("<p>{}</p>", _chars_diff(old, new))
        changes.append(FieldChange(key=key, label=str(LABELS.get(key, key)), html=html))
    return changes


def _as_text(key: str, value) -> str:
    """A snapshot value as the words a reader sees."""
    if value is None:
        return ""
    if key == "credits":
        return "、".join(f"{credit.get('role', '')} {credit.get('name', '')}".strip() for credit in value)
    if key in ("figures", "inline_photos"):
        return "；".join(_photo_text(photo) for photo in value)
    if key == "units":
        return "、".join(unit.get("name", "") for unit in value)
    if key == "dateline" and value in Article.Dateline.values:
        return str(Article.Dateline(value).label)
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


def _photo_text(photo: dict) -> str:
    words = photo.get("caption") or photo.get("alt") or _("（无说明）")
    return f"{words}（{photo['credit']}）" if photo.get("credit") else str(words)


class _Paragraphs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []

    def _close(self):
        text = "".join(self._current).strip()
        if text:
            self.paragraphs.append(" ".join(text.split()))
        self._current = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._close()
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self._close()
            self.paragraphs.append(f"［{_('图片')}：{alt}］" if alt else f"［{_('图片')}］")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._close()

    def handle_data(self, data):
        self._current.append(data)


def _body_paragraphs(html: str) -> list[str]:
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    parser._close()
    return parser.paragraphs


def _paragraphs_diff(old: list[str], new: list[str]) -> SafeString:
    """Changed, removed and added paragraphs; unchanged ones are left out (with a count, so the reader knows)."""
    parts = []
    unchanged = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            unchanged += i2 - i1
            continue
        pairs = list(zip(old[i1:i2], new[j1:j2], strict=False))
        for before, after in pairs:
            parts.append(format_html("<p>{}</p>", _chars_diff(before, after)))
        for before in old[i1 + len(pairs) : i2]:
            parts.append(format_html("<p><del>{}</del></p>", before))
        for after in new[j1 + len(pairs) : j2]:
            parts.append(format_html("<p><ins>{}</ins></p>", after))
    if unchanged:
        parts.append(format_html('<p class="diff-unchanged">{}</p>', _("其余 %(n)s 段未改动。") % {"n": unchanged}))
    return mark_safe("".join(parts))  # every part went through format_html


def _tokens(text: str) -> list[str]:
    # A Chinese character is a token on its own; a number or a Latin word is one token, so 12 → 15 reads as
    # a changed number, not as a changed last digit.
    return TOKEN.findall(text)


def _chars_diff(old: str, new: str) -> SafeString:
    if not old:
        return format_html("<ins>{}</ins>", new)
    if not new:
        return format_html("<del>{}</del>", old)
    before, after = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    if matcher.ratio() < SIMILAR_ENOUGH:
        return format_html("<del>{}</del><ins>{}</ins>", old, new)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(escape("".join(before[i1:i2])))
            continue
        if i2 > i1:
            out.append(format_html("<del>{}</del>", "".join(before[i1:i2])))
        if j2 > j1:
            out.append(format_html("<ins>{}</ins>", "".join(after[j1:j2])))
    return mark_safe("".join(out))  # escaped or format_html'd piece by piece
