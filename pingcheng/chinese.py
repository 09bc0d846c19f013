"""Chinese text for every product: the Hanzi range, list splitting, character counts, jieba segmentation
with the civic dictionary, highlighting, and masking of what identifies a resident.

One definition of each, so the newsroom, campaigns, the inquiry desk and notices agree on what a Hanzi is,
how "防汛、网格员,创城" splits, how 平城区网格员 is cut into words and how a phone number is shown.

Segmentation
    Text is NFKC-normalised (full-width Latin and digits become ASCII) and lower-cased, then cut by jieba with
    the civic user dictionary ``civic_dict.txt`` (平城区, 网格员, 接诉即办 …; without it jieba cuts
    ``平城区网格员筑牢`` into ``平 / 城区 / 网格 / 员筑牢``), every unit name and short name of the directory,
    and the words products register with ``register_words``. jieba and these dictionaries are loaded once per process
    on first use (about a second) — never at import, so processes that never segment do not pay for it;
    ``warm_up`` loads them ahead of the first reader (deploy/gunicorn.conf.py calls it in each web worker).

    ``words`` is jieba's precise cut (what a query means); ``index_tokens`` is what a document is indexed
    under: words plus, as in jieba's search mode, the dictionary words inside each longer word, and the CJK
    character bigrams of every run of Hanzi, so that a word the dictionary lacks is still found. Both keep
    only runs of letters and digits and drop stop words.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    import jieba

# 〇 (U+3007, the zero of 二〇二六), CJK Unified Ideographs with Extension A, the compatibility ideographs and
# Extensions B–I (SIP and TIP); radicals and punctuation are not Hanzi. Meant to be placed inside a character
# class: f"[{HANZI}]".
HANZI = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ee5f\U00030000-\U000323af"
HANZI_RE = re.compile(f"[{HANZI}]")
HANZI_RUN_RE = re.compile(f"[{HANZI}]+")

CIVIC_DICT = Path(__file__).resolve().with_name("civic_dict.txt")
# Directory names and registered words join the dictionary with at least this frequency, enough to keep a
# name in one piece.
EXTRA_WORD_FREQ = 300
# Longer runs of letters or digits are noise (URLs, serial numbers) and PostgreSQL would skip them anyway.
MAX_TOKEN_LENGTH = 40
# Function words that would match almost every text. Only whole words are dropped; bigrams keep them.
STOP_WORDS = frozenset(
    "的 地 得 了 着 过 和 与 及 或 在 是 为 对 把 被 从 向 也 都 就 而 之 其 这 那 吗 呢 吧 啊 呀 并 且 但 又 所 于 不 没 "
    "我们 你们 他们 以及 或者 并且 还是 什么 怎么 如何 哪些 哪里 为什么 这个 那个 一个 关于 没有 "
    "a an and are as at be by for from in is of on or the to with".split()
)

# jieba's sub-word expansion is quadratic in the word length; its dictionary words are far shorter.
_MAX_EXPANDED_WORD = 20
_ASCII_TOKEN = re.compile("[a-z0-9]+")
# A token is a run of Hanzi or a run of other letters/digits: PostgreSQL's parser reads each as one lexeme.
_SEGMENT = re.compile(f"[{HANZI}]+|[^\\W_{HANZI}]+")
# What editors type between list items: the enumeration comma 、 and full- and half-width commas. Whitespace
# is not one ("平城区 城市管理局" may be one name), nor are semicolons: stored lists (Article.tags) are matched
# in SQL with these same three characters, e.g. articles.selectors.article_list_for_tag.
LIST_SEPARATORS = "、，,"
_LIST_SEPARATOR_RE = re.compile(f"[{LIST_SEPARATORS}]")
# Kept in place by mask_name: the middle dot of transliterated names (买买提·艾力) and spaces of Latin names.
_NAME_SEPARATORS = frozenset("·•・ ")
# What people type inside phone numbers; dropped before masking.
_PHONE_PUNCTUATION = re.compile(r"[\s\-－—()（）]")

_lock = threading.RLock()
_segmenter_ready = False
_extra_words_loaded = False
_extra_words: set[str] = set()
_word_sources: list[Callable[[], Iterable[str]]] = []


def split_list(text: str | None) -> list[str]:
    """Items of a list typed by a person: "防汛、网格员，创城" or "0351-1234567, 0351-7654321".

    Splits at ``LIST_SEPARATORS`` (、，,); each item is stripped, blanks are dropped, order and repeats kept.
    """
    if not text:
        return []
    return [item.strip() for item in _LIST_SEPARATOR_RE.split(text) if item.strip()]


def char_count(text: str | None) -> int:
    """字数 of plain text as Chinese newsrooms count it: one for every character, whitespace excluded.

    Hanzi, full-width punctuation, Latin letters and digits each count one (``2026年`` is 5); spaces of any
    kind (including the ideographic space U+3000 and no-break space) and invisible format characters such as
    zero-width spaces pasted from WeChat count nothing. For HTML, use ``pingcheng.richtext.char_count``.
    """
    if not text:
        return 0
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def normalise(text: str) -> str:
    """NFKC (full-width Latin and digits become ASCII) and lower case: how text is compared and segmented."""
    return unicodedata.normalize("NFKC", text).lower()


# --- Segmentation ---------------------------------------------------------------------------------------


def segmenter() -> jieba.Tokenizer:
    """jieba's tokenizer with the civic dictionary, initialised on first use (about a second, once a process).

    Never at import or in ``AppConfig.ready()``: management commands and workers that never segment should
    not pay for it. The directory's names and registered words are added by ``words``/``index_tokens`` on
    their first call (``_ensure_extra_words``), not here, so this never queries the database.
    """
    global _segmenter_ready
    # Imported here, not at the top: importing jieba costs ~80 ms (it pulls in pkg_resources), and every
    # process imports this module.
    import jieba

    if not _segmenter_ready:
        with _lock:
            if not _segmenter_ready:
                # jieba logs its cache loading at DEBUG on a handler of its own, i.e. onto stderr.
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                jieba.load_userdict(str(CIVIC_DICT))
                _segmenter_ready = True
    return jieba.dt


def register_words(source: Callable[[], Iterable[str]]) -> None:
    """Add a product's own vocabulary (campaign names, place names …) to the dictionary.

    ``source`` is called on first use of the segmenter in each process and again at every
    ``dictionary_refresh``, so it may read the database; call this from ``AppConfig.ready()``. Words shorter
    than two characters are ignored.
    """
    with _lock:
        if source not in _word_sources:
            _word_sources.append(source)


def dictionary_refresh() -> int:
    """Add the directory's unit names and short names and every registered word; return how many were new.

    Runs once per process on first use and whenever called (``search_reindex`` does). A unit created later
    is still found through bigrams; it becomes a word at the next restart or refresh.
    """
    tokenizer = segmenter()
    names = set(_directory_words())
    with _lock:
        sources = list(_word_sources)
    for source in sources:
        names.update(source())
    names = {normalise(name.strip()) for name in names if name and len(name.strip()) >= 2}
    with _lock:
        new = names - _extra_words
        for name in sorted(new):
            tokenizer.add_word(name, freq=max(tokenizer.FREQ.get(name) or 0, EXTRA_WORD_FREQ))
        _extra_words.update(new)
    return len(new)


def warm_up() -> None:
    """Load jieba and every dictionary now, e.g. in a web worker after fork, so no reader waits for it."""
    segmenter()
    _ensure_extra_words()


def words(text: str) -> list[str]:
    """jieba's precise cut of ``text``, normalised: letters-and-digits tokens only, stop words dropped."""
    if not text or text.isspace():
        return []
    _ensure_extra_words()
    return list(_clean(segmenter().cut(normalise(text))))


def index_tokens(text: str) -> tuple[list[str], list[str]]:
    """(words, bigrams) of ``text`` in text order, repeats kept, for a search index.

    Words: jieba's cut with the dictionary words inside each longer word before it (平城区 → 平城, 城区, 平城区).
    jieba's own search mode stops at 2–3 character parts; here every length is tried, so 环境治理 inside the
    unit name 平城区城市管理局环境治理监督大队 is still a word. Bigrams: ``hanzi_bigrams``.
    """
    _ensure_extra_words()
    text = normalise(text)
    return list(_clean(_search_mode(text))), hanzi_bigrams(text)


def hanzi_bigrams(text: str) -> list[str]:
    """Every pair of adjacent Hanzi, in text order; no pair spans punctuation, Latin text or a line break."""
    return [run[i : i + 2] for run in HANZI_RUN_RE.findall(text) for i in range(len(run) - 1)]


def _directory_words() -> Iterator[str]:
    # Unit names are the district's own vocabulary; every product segments them.
    from pingcheng.directory.models import Unit

    for name, short_name in Unit.objects.values_list("name", "short_name"):
        yield name
        if short_name:
            yield short_name


def _ensure_extra_words() -> None:
    # Read on first use, not at start-up: importing this module must not query the database.
    global _extra_words_loaded
    if not _extra_words_loaded:
        with _lock:
            if not _extra_words_loaded:
                dictionary_refresh()
                _extra_words_loaded = True


def _search_mode(text: str) -> Iterator[str]:
    """jieba's cut, each long word preceded by the dictionary words inside it (cf. ``jieba.cut_for_search``)."""
    tokenizer = segmenter()
    for word in tokenizer.cut(text):
        if 2 < len(word) <= _MAX_EXPANDED_WORD and HANZI_RUN_RE.fullmatch(word):
            for size in range(2, len(word)):
                for start in range(len(word) - size + 1):
                    part = word[start : start + size]
                    if tokenizer.FREQ.get(part):
                        yield part
        yield word


def _clean(pieces: Iterable[str]) -> Iterator[str]:
    for piece in pieces:
        for segment in _SEGMENT.findall(piece):
            if segment not in STOP_WORDS and len(segment) <= MAX_TOKEN_LENGTH:
                yield segment


# --- Line breaking between phrases ---------------------------------------------------------------------
# A headline on a phone must wrap between words and phrases, never inside one (``小微企 / 业``). budoux's
# Simplified Chinese model proposes the break points; jieba with the civic dictionary vetoes those inside a
# word it knows (budoux alone cuts 小微 / 企业, 经费返 / 还, 党 / 建); a short quoted or bracketed term
# (“五个必须”, （五）) stays whole; a lone Hanzi joins its neighbour (新 / 活力 → 新活力, 担 / 使命 → 担使命).
# Whitespace always stays a break. Browsers are told with ``<wbr>`` inside a ``word-break: keep-all`` span
# (static/css/site.css ``.phrases``), so no script runs on the reader's side.

# A quoted or bracketed term this short is one phrase: “安全堤”, “五个必须”, 《条例》, （五）.
_SHORT_TERM = re.compile(r"[“‘「『《〈（(【][^“”‘’「」『』《》〈〉（）()【】]{1,8}[”’」』》〉）)】]")
# A part or item number in brackets: （五）, (12).
_PART_NUMBER = re.compile(r"[（(][0-9一二三四五六七八九十百〇零]{1,4}[）)]")
_WHITESPACE_RUN = re.compile(r"(\s+)")
_PHRASE_MEMO = 8192


def phrases(text: str | None) -> list[str]:
    """``text`` cut where a line may break: ``全方位推动小微企业工会经费返还`` → 全方位 / 推动 / 小微企业 /
    工会经费返还. The pieces joined give ``text`` back; whitespace is a piece of its own."""
    if not text:
        return []
    if not HANZI_RE.search(text):
        return [text]
    _ensure_extra_words()
    return list(_phrases_memo(text, len(_extra_words)))


@functools.lru_cache(maxsize=_PHRASE_MEMO)
def _phrases_memo(text: str, _dictionary_size: int) -> tuple[str, ...]:
    # The dictionary's size is in the key: words added by dictionary_refresh change the cut.
    pieces: list[str] = []
    for run in _WHITESPACE_RUN.split(text):
        if run:
            pieces.extend([run] if run.isspace() or not HANZI_RE.search(run) else _run_phrases(run))
    return tuple(pieces)


def _run_phrases(run: str) -> list[str]:
    """Phrases of a run without whitespace."""
    breaks = _boundaries(_budoux_parser().parse(run)) & _boundaries(segmenter().cut(run))
    for term in _SHORT_TERM.finditer(run):
        breaks -= set(range(term.start() + 1, term.end()))
    pieces, last = [], 0
    for at in sorted(breaks):
        pieces.append(run[last:at])
        last = at
    pieces.append(run[last:])
    glued: list[str] = []
    for piece in pieces:
        if glued and len(glued[-1]) == 1 and HANZI_RE.fullmatch(glued[-1]):
            glued[-1] += piece  # a lone Hanzi leads into what follows (新活力, 担使命, 护好)
        elif glued and _PART_NUMBER.fullmatch(piece):
            glued[-1] += piece  # a part number ends the title it numbers: 新征程（五）
        else:
            glued.append(piece)
    if len(glued) > 1 and len(glued[-1]) == 1 and HANZI_RE.fullmatch(glued[-1]):
        glued[-2:] = [glued[-2] + glued[-1]]  # and a last one stays with what precedes it (幸福家)
    return glued


def _boundaries(pieces: Iterable[str]) -> set[int]:
    at, found = 0, set()
    for piece in pieces:
        at += len(piece)
        found.add(at)
    found.discard(at)
    return found


@functools.cache
def _budoux_parser():
    # Imported on first use, like jieba: the model is read from a JSON file.
    import budoux

    return budoux.load_default_simplified_chinese_parser()


def phrases_html(text: str | None) -> SafeString:
    """``text`` escaped, in a ``<span class="phrases">`` with a ``<wbr>`` between its phrases (``phrases``).

    For headlines, kickers, subtitles and series titles: the span's ``word-break: keep-all`` stops the
    browser from breaking between any two Hanzi, ``<wbr>`` and whitespace allow it between phrases, and
    ``overflow-wrap: anywhere`` still breaks a phrase wider than the line.
    """
    if not text:
        return mark_safe("")
    if not HANZI_RE.search(text):
        return _phrases_html(text, 0)
    _ensure_extra_words()
    return _phrases_html(text, len(_extra_words))


@functools.lru_cache(maxsize=_PHRASE_MEMO)
def _phrases_html(text: str, _dictionary_size: int) -> SafeString:
    # The dictionary's size is in the key, as for _phrases_memo: a headline is marked up once per process.
    html, previous = [], " "
    for piece in phrases(text):
        if not piece.isspace() and not previous.isspace():
            html.append("<wbr>")
        # The standard library's escape, as Django's does, without its check for lazy strings on each piece.
        html.append(html_escape(piece))
        previous = piece
    # Safe: every piece is escaped; only the span and the <wbr> are ours.
    return mark_safe('<span class="phrases">' + "".join(html) + "</span>")


# --- Highlighting ---------------------------------------------------------------------------------------


def term_pattern(terms: Iterable[str]) -> re.Pattern | None:
    """A case-insensitive pattern finding any of ``terms``, longest first; None when there are none.

    Latin letters and digits are whole tokens in an index, so "1" must not light up inside "2020".
    """
    return _term_pattern(tuple(terms))


@functools.lru_cache(maxsize=256)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    # A results page highlights sixty pieces of text with the same few words: built once, not per piece.
    unique = sorted({term for term in terms if term}, key=lambda term: (-len(term), term))
    if not unique:
        return None
    alternatives = [
        rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])" if _ASCII_TOKEN.fullmatch(term) else re.escape(term)
        for term in unique
    ]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str, terms: Iterable[str], *, phrase_breaks: bool = False) -> SafeString:
    """``text`` HTML-escaped, with each occurrence of a term wrapped in ``<mark>``.

    Matches are found in the raw text and every piece is escaped on its own: searching the escaped text
    instead would let a query such as "amp" or "quot" cut an entity in half. With ``phrase_breaks`` (a
    headline), the result breaks only between phrases, as ``phrases_html`` marks them.
    """
    text = text or ""
    pattern = term_pattern(terms)
    if pattern is None and not phrase_breaks:
        return escape(text)
    breaks = _phrase_break_offsets(text) if phrase_breaks else set()

    def piece(start: int, end: int) -> str:
        # Escaped one character run at a time, with a <wbr> at each phrase break inside the run.
        cuts = [start, *sorted(at for at in breaks if start < at < end), end]
        return "<wbr>".join(html_escape(text[a:b]) for a, b in zip(cuts, cuts[1:], strict=False))

    pieces, last = [], 0
    for match in pattern.finditer(text) if pattern is not None else ():
        # A break at the edge of a match goes outside the <mark>.
        pieces += [piece(last, match.start()), "<wbr>" if match.start() in breaks and match.start() > last else "",
                   "<mark>", piece(match.start(), match.end()), "</mark>"]  # fmt: skip
        last = match.end()
    if last in breaks and 0 < last < len(text):
        pieces.append("<wbr>")
    pieces.append(piece(last, len(text)))
    # Safe: every piece of text went through escape(); only the <mark>, <wbr> and span tags are ours.
    html = "".join(pieces)
    return mark_safe(f'<span class="phrases">{html}</span>' if phrase_breaks else html)


def _phrase_break_offsets(text: str) -> set[int]:
    """Where ``phrases_html`` puts a <wbr>: between two phrases, neither of them whitespace."""
    offsets, at, previous = set(), 0, " "
    for part in phrases(text):
        if at and not part.isspace() and not previous.isspace():
            offsets.add(at)
        at += len(part)
        previous = part
    return offsets


def snippet(text: str, terms: Iterable[str], width: int = 80) -> str:
    """About ``width`` characters of ``text`` (plain text) centred on the first match, with "…" where cut."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    pattern = term_pattern(terms)
    match = pattern.search(text) if pattern is not None else None
    start = 0
    if match is not None:
        centre = (match.start() + match.end()) // 2
        start = max(0, min(centre - width // 2, len(text) - width))
    end = start + width
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


# --- Masking --------------------------------------------------------------------------------------------
# What a page, a log line or an export shows of a resident. Masking never raises: odd input is masked
# as far as it can be, and never comes back more revealing than the rules below.

# A resident's contacts inside free text, defined once for masking them (``pingcheng.notices.masking``) and for
# finding them (``pingcheng.audit.privacy``, the suite's log check). Both run on every line Django logs about a
# request, whatever a visitor put in its URL, so each pattern must cost time linear in the text: a match may only
# begin where a run of local-part characters begins (the lookbehind), and every part is bounded (RFC 5321/1035:
# a local part has at most 64 characters, a domain label 63). Unanchored and unbounded, a 40,000-character path
# without "@" was tried from each of its characters to the end of the run: quadratic, about 2 s for one line.
# A longer local part or label than the standard allows is not an address to these patterns.
# ASCII classes on purpose: a class that took Hanzi would swallow the Chinese words around an address.
_EMAIL_LOCAL = r"A-Za-z0-9._%+\-"
_EMAIL_LABEL = r"[A-Za-z0-9\-]{1,63}"
EMAIL_RE = re.compile(rf"(?<![{_EMAIL_LOCAL}])[{_EMAIL_LOCAL}]{{1,64}}@{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL}){{1,8}}")
# A mainland mobile number, with or without +86, not inside a longer run of digits (a timestamp, an id).
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[ \-]?)?1[3-9]\d{9}(?!\d)")


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
