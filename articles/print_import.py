"""Turn the pasted plain text of a printed newspaper page into draft articles.

Pure Python on purpose: no models and no settings (only the text helpers of ``pingcheng.chinese``), so the
parser can be used from a management command, an admin action or a test without settings. The caller turns a :class:`DraftArticle` into model rows.

The input is what OCR or a PDF text export gives for one printed page: one line per printed paragraph or
heading, blank lines in between, and the columns read in an order that does not always follow the stories.
:func:`parse_page` reads it in four passes:

1. **Clean** every line: drop stray bold markers (``**``), strip indentation, skip blank lines.
2. **Classify** every line, first match wins:

   * a *photo credit* — a whole line ``曹飞摄``, ``（曹飞/摄）``, ``摄影：曹飞`` (see :func:`parse_photo_credit`);
   * a *staff line* — ``责任编辑：刘某``, ``本版编辑 王某 校对：李某`` (see :func:`parse_staff_line`): never body
     text; the responsible editor goes to the story it is printed after (or, printed before any story, to
     every story of the page), the page editor to the page, the rest into the story's notes;
   * a *byline* — ``本报讯（记者 郝雨）…``, ``本报讯 记者王五 通讯员赵六``, another outlet's
     ``大同日报讯（记者 张三）`` or ``新华社北京11月30日电（记者 李四）``, a standalone ``本报记者 邱东芳``
     (see :func:`parse_byline`);
   * a *caption* — a line starting with ``图为``, a line of at most ``CAPTION_MAX_LEN`` characters
     directly followed by a photo credit (the credit is consumed with it), or one that ends in a photo credit
     (``…功课。 本报记者 曹飞 摄``, ``…活动（曹飞/摄）``);
   * a *heading* — at most ``heading_max_len`` characters, no sentence-final punctuation (。！？；) anywhere,
     not ending in a comma and holding at most one, neither opening a paragraph nor starting mid-sentence
     (see 4.): a short line cut by a column break must not pass for a headline;
   * otherwise a *text fragment*.

3. **Headings.** Consecutive heading lines open one new article. A line in the form of
   :func:`series_heading` gives the series and part; a line starting with a dash (——) is the subtitle; of
   the remaining lines the last is the headline and any before it form the kicker. A lone heading line that
   is a unit name (short, ending in 街道/社区/村/镇/乡/局/院/委/工会/办) is a kicker, not a headline: such
   column labels name who the story is about, the story's own headline is missing.

4. **Text flow.** Fragments flow into the *flow article*: normally the one whose heading came last.

   * A byline fills the flow article if that has neither byline nor body yet, otherwise it opens a new
     article without headings; the text after its closing parenthesis is the first paragraph.
   * A paragraph is *unfinished* when it does not end (before closing quotes or brackets) in 。！？；…
     and is not a short numbered subhead (一、…) — a column break cut it. The next fragment continues it, joined without a separator and keeping
     the text exactly as printed, unless that fragment *opens a paragraph*: its first clause is a common
     opener (近日、另外、同时、与此同时 …) or an ordinal (一是, （一）, 1.).
   * A fragment *starts mid-sentence* when it starts with punctuation or the particle 的/们, or its first
     clause (up to ，、；) is only one or two characters and not a known opener (``作用，…``, ``序、…``).
     When such a fragment cannot continue the flow article, it is the continuation of a story printed
     further up: it joins the most recent other article that is unfinished — its last paragraph is
     unfinished, or it has no body at all — and the flow switches to that article, so the paragraphs that
     follow go there too until the next heading or byline. A printed page continues a story in a later
     column exactly this way.
   * Credits printed in parentheses at the end of a paragraph (``…活动。（记者 张三 通讯员 李四）``, the
     form of short news) are taken off the text and become the byline of the story that paragraph went to,
     unless it already has credits; in a run of short news whose credits all come this way, such a paragraph
     after a credited one opens the next story.
   * Captions belong to the flow article (the story they are printed in).

Nothing is glued silently: every fragment joined to a story printed elsewhere on the page is recorded in
the story's ``joins``, and a story whose text starts or ends mid-sentence (its beginning or its end is on
another page, or missing) says so through :attr:`DraftArticle.starts_mid_sentence` and
:attr:`DraftArticle.ends_mid_sentence`, so the importer can show the editor what to check.

Finally, a trailing heading group with nothing under it — no byline, body or photo — is the page
slogan (``城市管理精细化 创建全国文明城市``): :func:`parse_page` drops it and :func:`parse_page_slogan`
returns it. :func:`parse_printed_page` returns the stories with the page's slogan and editor.
"""

import re
from dataclasses import dataclass, field, replace

from pingcheng.chinese import HANZI

__all__ = [
    "CAPTION_MAX_LEN",
    "HEADING_MAX_LEN",
    "ROLES",
    "Byline",
    "Credit",
    "DraftArticle",
    "PhotoCaption",
    "PrintedPage",
    "chinese_numeral",
    "ends_mid_sentence",
    "format_byline",
    "format_photo_credit",
    "parse_byline",
    "parse_chinese_numeral",
    "parse_page",
    "parse_page_slogan",
    "parse_photo_credit",
    "parse_printed_page",
    "parse_staff_line",
    "series_heading",
    "split_trailing_credits",
    "starts_mid_sentence",
]

HEADING_MAX_LEN = 30
CAPTION_MAX_LEN = 80

# Longest first, so that 实习记者 is not read as 实习 + 记者.
ROLES: tuple[str, ...] = ("实习记者", "特约记者", "见习记者", "通讯员", "记者", "摄影")
# Titles other papers print for these roles, read as the role itself.
# Unknown, such a title would be read as a name (实习生) or as a name and a role (特约 + 通讯员).
ROLE_ALIASES = {
    "摄影记者": "摄影", "全媒体记者": "记者", "融媒体记者": "记者", "首席记者": "记者", "实习生": "实习记者",
    "特约通讯员": "通讯员",
}  # fmt: skip


@dataclass(frozen=True)
class Credit:
    """One person credited on an article; ``order`` is the 0-based position in the printed byline."""

    role: str
    name: str
    order: int


@dataclass
class Byline:
    """A parsed dateline: ``dateline`` is "本报讯" (or a dated/placed 本报…讯/电), "本报记者" (or 本报 + another
    role), another outlet's ``大同日报讯`` / ``新华社北京11月30日电`` (then ``outlet`` names it: 大同日报, 新华社)
    or "" for a bare credit line; ``rest`` is the text printed after it on the same line."""

    dateline: str
    credits: list[Credit] = field(default_factory=list)
    rest: str = ""
    outlet: str = ""


@dataclass(frozen=True)
class PhotoCaption:
    """A picture caption as printed and the photographer's name (empty when none was printed)."""

    caption: str
    credit: str = ""


@dataclass
class DraftArticle:
    """One story found on the page, ready to become an unpublished article.

    ``responsible_editor`` comes from a 责任编辑 line; ``notes`` keeps other staff lines printed with the
    story (``校对：李某``), which are not body text; ``joins`` holds the start of every fragment that was
    joined to this story from elsewhere on the page, for the editor to check.
    """

    kicker: str = ""
    headline: str = ""
    subtitle: str = ""
    series: str = ""
    series_part: int | None = None
    byline: Byline | None = None
    paragraphs: list[str] = field(default_factory=list)
    captions: list[PhotoCaption] = field(default_factory=list)
    responsible_editor: str = ""
    notes: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)

    @property
    def starts_mid_sentence(self) -> bool:
        """The text starts inside a sentence: its beginning is on another page, or missing."""
        return bool(self.paragraphs) and starts_mid_sentence(self.paragraphs[0])

    @property
    def ends_mid_sentence(self) -> bool:
        """The text stops inside a sentence: it goes on on another page, or its end is missing."""
        return bool(self.paragraphs) and ends_mid_sentence(self.paragraphs[-1])


@dataclass
class PrintedPage:
    """What :func:`parse_printed_page` finds: the stories, the page slogan and the page editor (本版编辑)."""

    articles: list[DraftArticle]
    slogan: str | None = None
    editor: str = ""


# --- Chinese numerals ---------------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"
_NUMERAL_RE = re.compile(r"([一二三四五六七八九]?)(十?)([一二三四五六七八九]?)")


def chinese_numeral(n: int) -> str:
    """Write 1..99 the way a series part is printed: 一 … 十, 十一 … 二十, … 九十九."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 99:
        raise ValueError(f"only 1..99 can be written, got {n!r}")
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[units] if units else "")


def parse_chinese_numeral(s: str) -> int:
    """Read a Chinese numeral 1..99 (一 … 九十九; 一十 is accepted for 十). Raises ValueError otherwise."""
    match = _NUMERAL_RE.fullmatch(s.strip())
    if match is None or not s.strip():
        raise ValueError(f"not a Chinese numeral from 1 to 99: {s!r}")
    tens_digit, ten, units_digit = match.groups()
    if not ten:
        # Without 十 only a single digit is a number; "五五" is not.
        if tens_digit and units_digit:
            raise ValueError(f"not a Chinese numeral from 1 to 99: {s!r}")
        return _DIGITS.index(tens_digit or units_digit)
    tens = _DIGITS.index(tens_digit) if tens_digit else 1
    return tens * 10 + (_DIGITS.index(units_digit) if units_digit else 0)


_SERIES_RE = re.compile(r"(?P<name>.*?\S)\s*[（(](?P<part>[一二三四五六七八九十]{1,3}|\d{1,2})[）)]")


def series_heading(text: str) -> tuple[str, int] | None:
    """Split a series heading ``继往开来担使命 砥砺奋进新征程（五）`` into (name, part) → (…, 5).

    The part is a Chinese numeral or Arabic digits in full-width or ASCII parentheses at the end of the
    line. Returns None for anything else, including a name that reads like a sentence.
    """
    match = _SERIES_RE.fullmatch(_collapse_spaces(text))
    if match is None:
        return None
    name, part_text = match.group("name"), match.group("part")
    if any(mark in name for mark in _SENTENCE_FINAL) or len(name) > 40:
        return None
    try:
        part = int(part_text) if part_text.isdigit() else parse_chinese_numeral(part_text)
    except ValueError:
        return None
    return (name, part) if part >= 1 else None


# --- Credits ------------------------------------------------------------------------------------------

_HAN = f"[{HANZI}]"
# 2–4 Han characters covers Han names (including compound surnames); minority names are printed with a
# middle dot (阿不都·热合曼).
_NAME_RE = re.compile(rf"{_HAN}{{2,4}}|{_HAN}{{1,6}}[·•・]{_HAN}{{1,6}}")
# Longest first, so that 摄影记者 is one role and not 摄影 + 记者.
_ROLE_ALT = "|".join(sorted([*ROLES, *ROLE_ALIASES], key=len, reverse=True))
# A role inside a run of credits, also where OCR dropped the spaces (记者宋芳通讯员马向英).
_ROLE_IN_TOKEN_RE = re.compile(rf"(?:本报)?({_ROLE_ALT})")
_PHOTO_ROLE = rf"(?:(?:本报)?(?:{_ROLE_ALT})\s*)?"
_PHOTO_CREDIT_FORMS = (
    # 曹飞摄, 本报记者 曹飞 摄, 曹飞/摄
    re.compile(rf"{_PHOTO_ROLE}(?P<name>{_HAN}{{2,4}})\s*[/／]?\s*摄"),
    # 摄影：曹飞, 图/本报记者 曹飞
    re.compile(rf"(?:摄影|图片|图)\s*[：:/／]\s*{_PHOTO_ROLE}(?P<name>{_HAN}{{2,4}})"),
)
# "拍摄" and "所摄" end ordinary sentences ("正在拍摄"), never names.
_NOT_NAME_ENDINGS = ("拍", "所", "被")
# 本报讯, and its dated or placed forms 本报大同7月20日讯 / 本报北京11月30日电; the look-ahead keeps 本报通讯员 out.
_DATELINE_RE = re.compile(r"本报[^\s（）()，。、]{0,12}?(?:讯(?!员)|电(?=[\s（(]|$))")
# Another outlet's dateline: 大同日报讯, 山西晚报讯, 新华社北京11月30日电, 中新网大同11月30日电. The outlet
# ends in what outlets are called; "据新华社电，" quotes a source inside a story and is not a dateline.
_OUTLET_DATELINE_RE = re.compile(
    rf"(?P<outlet>(?!据|本报){_HAN}{{0,10}}?(?:日报|晚报|早报|报|通讯社|新闻社|社|网|电视台|台|客户端|融媒体中心))"
    rf"(?P<where>{_HAN}{{0,6}}?(?P<date>\d{{1,2}}月\d{{1,2}}日)?)(?:讯(?!员)|电)"
)
_STANDALONE_RE = re.compile(rf"(本报)?({_ROLE_ALT})(.*)", re.DOTALL)
_OPEN_PARENS = "（("
_CLOSE_PARENS = "）)"
_TOKEN_SPLIT_RE = re.compile(r"[\s、，,]+")
_STANDALONE_MAX_LEN = 40
_TRAILING_PARENS_RE = re.compile(r"(?P<text>.*?)\s*[（(](?P<inner>[^（）()]+)[）)]\s*", re.DOTALL)


def _role(printed: str) -> str:
    return ROLE_ALIASES.get(printed, printed)


def parse_photo_credit(line: str) -> str | None:
    """Return the photographer of a whole-line photo credit (``曹飞摄`` → ``曹飞``), else None.

    Forms: 2–4 Han characters followed by 摄, optionally with a role in front and a slash before 摄
    (``本报记者 曹飞 摄``, ``曹飞/摄``); ``摄影：曹飞`` and ``图/曹飞``; any of them in parentheses
    (``（曹飞/摄）``). A sentence that merely ends in 拍摄 is not a credit.
    """
    text = line.strip()
    if text.startswith(tuple(_OPEN_PARENS)) and text.endswith(tuple(_CLOSE_PARENS)):
        text = text[1:-1].strip()
    for form in _PHOTO_CREDIT_FORMS:
        match = form.fullmatch(text)
        if match is None:
            continue
        name = match.group("name")
        if name.endswith(_NOT_NAME_ENDINGS) or "拍" in name:
            return None
        return name
    return None


def format_photo_credit(name: str) -> str:
    """Render a photo credit the way the paper prints it: ``曹飞`` → ``曹飞摄``."""
    name = name.strip()
    if not name:
        raise ValueError("a photo credit needs a name")
    return f"{name}摄"


def _credit_pieces(text: str) -> list[tuple[bool, str]]:
    """``记者 宋芳 通讯员马向英`` → [(True, 记者), (False, 宋芳), (True, 通讯员), (False, 马向英)]: each piece
    is a role (True, already read as one of :data:`ROLES`) or a would-be name. Spaces are often missing
    from OCR, so roles are also found inside a token (记者宋芳通讯员马向英)."""
    pieces: list[tuple[bool, str]] = []
    for token in _TOKEN_SPLIT_RE.split(text.strip()):
        start = 0
        for match in _ROLE_IN_TOKEN_RE.finditer(token):
            if match.start() > start:
                pieces.append((False, token[start : match.start()]))
            pieces.append((True, _role(match.group(1))))
            start = match.end()
        if start < len(token):
            pieces.append((False, token[start:]))
    return pieces


def _parse_credits(text: str, *, role: str | None = None) -> list[Credit] | None:
    """Read ``记者 宋芳 李明 通讯员 马向英`` into credits; None unless every role has at least one name.

    ``role`` is the role already implied by the dateline (本报记者 …).
    """
    credits: list[Credit] = []
    names_for_role = 0
    for is_role, piece in _credit_pieces(text):
        if is_role:
            if role is not None and names_for_role == 0:
                return None  # the previous role was left without a name
            role, names_for_role = piece, 0
            continue
        if role is None or not _NAME_RE.fullmatch(piece):
            return None
        credits.append(Credit(role=role, name=piece, order=len(credits)))
        names_for_role += 1
    if role is None or names_for_role == 0:
        return None
    return credits


def _starts_with_role(text: str) -> bool:
    pieces = _credit_pieces(text)
    return bool(pieces) and pieces[0][0]


def _leading_credits(text: str) -> tuple[list[Credit], str] | None:
    """``记者王五 通讯员赵六 近日，…`` → the credits and the text after them (``近日，…``).

    The run is read word by word (words separated by spaces) while every word is roles and names; None
    unless it starts with a role. A word that starts with a role but does not read as credits
    (``通讯员赵六近日，…``, the space before the text lost) makes it None: where the name ends is a guess.
    """
    words = list(re.finditer(r"\S+", text))
    if not words or not _starts_with_role(words[0].group()):
        return None
    end = 0
    for word in words:
        pieces = _credit_pieces(word.group())
        if all(is_role or (_NAME_RE.fullmatch(piece) and piece not in _OPENERS) for is_role, piece in pieces):
            end = word.end()
            continue
        if pieces and pieces[0][0]:
            return None
        break
    credits = _parse_credits(text[:end])
    if credits is None:
        return None
    return credits, text[end:].lstrip()


def split_trailing_credits(paragraph: str) -> tuple[str, list[Credit]] | None:
    """``…开展活动。（记者 张三 通讯员 李四）`` → (``…开展活动。``, credits); None without such credits.

    Short news prints its credits in parentheses at the end of its paragraph; only parentheses that start
    with a role and hold nothing but roles and names count, so ``（筹备金）`` stays in the text.
    """
    match = _TRAILING_PARENS_RE.fullmatch(paragraph.strip())
    if match is None or not _starts_with_role(match.group("inner")):
        return None
    credits = _parse_credits(match.group("inner"))
    if credits is None:
        return None
    return match.group("text"), credits


def _dated_byline(dateline: str, after: str, *, outlet: str = "", credits_required: bool = False) -> Byline | None:
    """The byline of a dateline followed by ``after``: credits in parentheses, bare credits or none."""
    after = after.lstrip()
    if after.startswith(tuple(_OPEN_PARENS)):
        close = min((i for i in (after.find(p) for p in _CLOSE_PARENS) if i != -1), default=-1)
        if close == -1:
            return None
        credits = _parse_credits(after[1:close])
        if credits is None:
            return None
        return Byline(dateline=dateline, credits=credits, rest=after[close + 1 :].lstrip(), outlet=outlet)
    leading = _leading_credits(after)
    if leading is not None:
        return Byline(dateline=dateline, credits=leading[0], rest=leading[1], outlet=outlet)
    if credits_required:
        return None
    return Byline(dateline=dateline, credits=[], rest=after, outlet=outlet)


def parse_byline(text: str) -> Byline | None:
    """Recognise the credit line a story opens with; None when the text does not start with one.

    Forms, with full-width or ASCII parentheses and several names per role separated by spaces or 、 (or
    nothing, as OCR gives ``记者宋芳通讯员马向英``):

    * ``本报讯（记者 宋芳 通讯员 马向英）为激励…`` → dateline 本报讯, credits, ``rest`` = ``为激励…``;
      dated or placed datelines (``本报大同7月20日讯``, ``本报北京11月30日电``), credits without
      parentheses (``本报讯 记者王五 通讯员赵六 近日，…``) and a bare ``本报讯`` without credits also count;
    * another outlet's dateline with credits (``大同日报讯（记者 张三）``, ``新华社北京11月30日电（记者 李四）``)
      → ``outlet`` 大同日报 / 新华社; without credits only a wire dateline with its date
      (``新华社北京11月30日电 …``) or a newspaper's 讯 (``大同日报讯 近日，…``), followed by a space, since a
      sentence may start with something shaped like an outlet's name;
    * ``本报记者 邱东芳`` (or 本报 + another role) as a whole line → dateline 本报记者, the role implied;
    * a whole line of roles and names ``记者 宋芳 通讯员 马向英`` → dateline "".

    Roles are those in :data:`ROLES` and their :data:`ROLE_ALIASES` (摄影记者, 全媒体记者 …). An unclosed
    parenthesis, a role without a name or a name that is not 2–4 Han characters refuse the whole line.
    """
    text = text.strip()
    dateline_match = _DATELINE_RE.match(text)
    if dateline_match is not None:
        return _dated_byline(dateline_match.group(), text[dateline_match.end() :])
    outlet_match = _OUTLET_DATELINE_RE.match(text)
    if outlet_match is not None:
        after = text[outlet_match.end() :]
        # Without credits only a dated wire dateline or a newspaper's 讯 followed by a space is taken:
        # 社区电动车… is a sentence.
        dateline, outlet = outlet_match.group(), outlet_match.group("outlet")
        wire = outlet_match.group("date") is not None
        newspaper = outlet.endswith(("日报", "晚报", "早报")) and dateline.endswith("讯")
        return _dated_byline(dateline, after, outlet=outlet,
                             credits_required=not ((wire or newspaper) and after[:1].isspace()))  # fmt: skip

    # Standalone forms: the whole line is the byline, so nothing of a sentence may follow the names.
    if len(text) > _STANDALONE_MAX_LEN:
        return None
    standalone = _STANDALONE_RE.fullmatch(text)
    if standalone is None:
        return None
    paper, printed_role, names = standalone.groups()
    role = _role(printed_role)
    credits = _parse_credits(names, role=role)
    if credits is None:
        return None
    return Byline(dateline=f"本报{role}" if paper else "", credits=credits, rest="")


def _credit_groups(credits: list[Credit]) -> list[tuple[str, list[str]]]:
    groups: list[tuple[str, list[str]]] = []
    for credit in sorted(credits, key=lambda c: c.order):
        if groups and groups[-1][0] == credit.role:
            groups[-1][1].append(credit.name)
        else:
            groups.append((credit.role, [credit.name]))
    return groups


def format_byline(byline: Byline) -> str:
    """Render a byline exactly as the paper prints it, without ``rest``.

    ``本报讯（记者 宋芳 通讯员 马向英）``, ``本报讯（记者 郝雨）``, ``本报记者 邱东芳``,
    ``新华社北京11月30日电（记者 李四）``; names of one role are
    separated by spaces. The inverse of :func:`parse_byline` for these forms.
    """
    groups = _credit_groups(byline.credits)
    rendered = [f"{role} {' '.join(names)}" for role, names in groups]
    if byline.dateline.endswith(("讯", "电")):
        return f"{byline.dateline}（{' '.join(rendered)}）" if rendered else byline.dateline
    parts = []
    implied_role = byline.dateline.removeprefix("本报")
    if byline.dateline and groups and groups[0][0] == implied_role:
        # 本报记者 already says the role of the first names.
        parts.append(f"{byline.dateline} {' '.join(groups[0][1])}")
        rendered = rendered[1:]
    elif byline.dateline:
        parts.append(byline.dateline)
    return " ".join(parts + rendered)


# --- Page structure -----------------------------------------------------------------------------------

_SENTENCE_FINAL = "。！？；…!?;"
_CLOSERS = "”’」』）)》】\"'"
_CLAUSE_END_RE = re.compile(r"[，、；,;]")
_QUOTES_RE = re.compile(r"[“”‘’「」『』《》\"'\s]")
_NO_PARAGRAPH_START = set("，、。；：！？）》」』】”’…,.;:!?)") | {"的", "们"}
# Words a paragraph commonly opens with; two characters, so without this list they would look like the
# tail of a cut sentence ("作用，" is a tail, "另外，" is an opening).
_OPENERS = frozenset(
    """
    近日 近来 日前 目前 当前 如今 眼下 今年 去年 今天 昨天 昨日 当天 当日 此前 此后 随后 之后 之前 其间 期间
    同时 与此同时 另外 此外 其中 为此 对此 因此 所以 但是 然而 不过 而且 首先 其次 再次 最后 最终 据悉
    据了解 据介绍 据统计 会上 会后 截至目前 近年 近年来 近期 下一步 接下来 总之 可见 今后 未来 此次 本次
    上午 下午 中午 晚上 早上 清晨 傍晚 凌晨 夜间 连日 连日来 日前 节日 春节 假期 暑期 年初 年底 月初 月底
    """.split()
)
_ORDINAL_RE = re.compile(
    r"第?[一二三四五六七八九十]+是|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]"
)
_SUBTITLE_DASHES = ("——", "—", "--")
_UNIT_SUFFIXES = ("街道", "社区", "村", "镇", "乡", "局", "院", "委", "工会", "办")
_UNIT_MAX_LEN = 12


def _collapse_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _first_clause(fragment: str) -> str:
    return _QUOTES_RE.sub("", _CLAUSE_END_RE.split(fragment, maxsplit=1)[0])


def ends_mid_sentence(paragraph: str) -> bool:
    """The paragraph stops inside a sentence: no 。！？；… at its end (before closing quotes or brackets)
    and it is not a short numbered subhead (一、强化督促指导)."""
    return not _is_finished(paragraph)


def starts_mid_sentence(paragraph: str) -> bool:
    """The paragraph starts inside a sentence: with punctuation or the particle 的/们, or with a first clause
    of one or two characters that is not a common opener (``作用，…``, ``序、…``)."""
    paragraph = paragraph.strip()
    return bool(paragraph) and _starts_mid_sentence(paragraph)


def _is_finished(paragraph: str) -> bool:
    stripped = paragraph.rstrip(_CLOSERS + " ")
    if not stripped:
        return False
    # A short numbered line ("一、强化督促指导") is an in-body subhead: complete without a full stop.
    is_subhead = len(stripped) <= HEADING_MAX_LEN and _ORDINAL_RE.match(stripped) is not None
    return is_subhead or stripped[-1] in _SENTENCE_FINAL


def _opens_paragraph(fragment: str) -> bool:
    clause = _first_clause(fragment)
    return clause in _OPENERS or clause.endswith("以来") or bool(_ORDINAL_RE.match(fragment))


def _starts_mid_sentence(fragment: str) -> bool:
    if fragment[0] in _NO_PARAGRAPH_START:
        return True
    if _opens_paragraph(fragment):
        return False
    has_clause_end = _CLAUSE_END_RE.search(fragment) is not None
    return has_clause_end and len(_first_clause(fragment)) <= 2


def _is_heading(line: str, *, max_len: int) -> bool:
    return (
        len(line) <= max_len
        and re.search(_HAN, line) is not None
        and not any(mark in line for mark in "。！？；!?;")
        and not line.endswith(("，", "、", ",", "：", ":"))
        # Headlines separate their halves with a space; two commas mean a sentence cut by a column break.
        and line.count("，") + line.count(",") <= 1
        # "今年以来，…" or "一、…" opens a paragraph (or an in-body subhead), never a story.
        and not _opens_paragraph(line)
        and not _starts_mid_sentence(line)
        # "（记者 尚丽）" on a line of its own credits the story above it.
        and split_trailing_credits(line) is None
    )


def _is_unit_name(line: str) -> bool:
    return len(line) <= _UNIT_MAX_LEN and " " not in line and line.endswith(_UNIT_SUFFIXES)


_CREDIT_SPLIT_AFTER = set("。！？；）)”’") | {" ", "\u3000"}
_INLINE_CREDIT_MAX_LEN = 24


def _split_inline_credit(line: str) -> tuple[str, str]:
    """A caption with its photo credit on the same line → (caption, credit); (line, "") without one.

    ``图为…功课。 曹飞摄``, ``图为…功课。 本报记者 曹飞 摄``, ``图为…功课（曹飞/摄）``, ``…活动。摄影：曹飞``.
    """
    match = _TRAILING_PARENS_RE.fullmatch(line)
    if match is not None:
        credit = parse_photo_credit(match.group("inner"))
        if credit is not None and match.group("text").strip():
            return match.group("text").strip(), credit
    # The longest tail that is a credit: ``本报记者 曹飞 摄`` rather than ``曹飞 摄`` with 本报记者 left over.
    # A credit is short, so only the end of the line is searched (every line of the page comes here).
    for i in range(max(0, len(line) - _INLINE_CREDIT_MAX_LEN), len(line) - 1):
        if line[i] in _CREDIT_SPLIT_AFTER:
            credit = parse_photo_credit(line[i + 1 :])
            if credit is not None and line[: i + 1].strip():
                return line[: i + 1].strip(), credit
    return line, ""


# Who made the page besides the reporters, as printed in a staff line: 责任编辑：刘某 校对：李某.
_RESPONSIBLE_EDITOR_KEYS = ("责任编辑", "本版责编", "责编", "编辑")
_PAGE_EDITOR_KEYS = ("本版编辑", "版面编辑")
_STAFF_KEYS = (*_RESPONSIBLE_EDITOR_KEYS, *_PAGE_EDITOR_KEYS, "美术编辑", "美编", "校对", "审核", "审校", "值班编辑")
_STAFF_KEY_ALT = "|".join(sorted(_STAFF_KEYS, key=len, reverse=True))
# A key is followed by a colon, or by a space when it opens the line (责任编辑 刘某); a key inside a name
# (王编辑) is neither.
_STAFF_KEY_RE = re.compile(rf"({_STAFF_KEY_ALT})\s*[：:]\s*|^({_STAFF_KEY_ALT})\s+")


def parse_staff_line(line: str) -> list[tuple[str, list[str]]] | None:
    """``责任编辑：刘某 校对：李某 王某`` → [(责任编辑, [刘某]), (校对, [李某, 王某])]; None for anything else.

    The whole line must be such pairs, starting with a key, each with at least one 2–4 character name;
    it may be printed in parentheses (``（责任编辑：刘某）``).
    """
    text = line.strip()
    if text.startswith(tuple(_OPEN_PARENS)) and text.endswith(tuple(_CLOSE_PARENS)):
        text = text[1:-1].strip()
    keys = list(_STAFF_KEY_RE.finditer(text))
    if not keys or keys[0].start() != 0:
        return None
    pairs: list[tuple[str, list[str]]] = []
    for key, following in zip(keys, [*keys[1:], None], strict=True):
        value = text[key.end() : following.start() if following is not None else len(text)]
        names = [name for name in _TOKEN_SPLIT_RE.split(value) if name]
        if not names or not all(_NAME_RE.fullmatch(name) for name in names):
            return None
        pairs.append((key.group(1) or key.group(2), names))
    return pairs


@dataclass
class _Block:
    kind: str  # "heading" | "byline" | "caption" | "staff" | "text"
    text: str = ""
    byline: Byline | None = None
    caption: PhotoCaption | None = None
    staff: list[tuple[str, list[str]]] | None = None


def _classify(text: str, *, heading_max_len: int) -> list[_Block]:
    lines = [line.replace("**", "").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    blocks: list[_Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        credit = parse_photo_credit(line)
        if credit is not None:
            blocks.append(_Block("caption", caption=PhotoCaption(caption="", credit=credit)))
            i += 1
            continue
        staff = parse_staff_line(line)
        if staff is not None:
            blocks.append(_Block("staff", staff=staff))
            i += 1
            continue
        byline = parse_byline(line)
        if byline is not None:
            blocks.append(_Block("byline", byline=byline))
            i += 1
            continue
        following_credit = parse_photo_credit(following) if following else None
        caption, credit = _split_inline_credit(line)
        if (
            line.startswith("图为")
            or (following_credit is not None and len(line) <= CAPTION_MAX_LEN)
            or (credit and len(caption) <= CAPTION_MAX_LEN)
        ):
            if not credit and following_credit is not None:
                credit = following_credit
                i += 1
            blocks.append(_Block("caption", caption=PhotoCaption(caption=caption, credit=credit)))
            i += 1
            continue
        if _is_heading(line, max_len=heading_max_len):
            blocks.append(_Block("heading", text=_collapse_spaces(line)))
        else:
            blocks.append(_Block("text", text=line))
        i += 1
    return blocks


def _article_from_headings(lines: list[str]) -> DraftArticle:
    article = DraftArticle()
    titles: list[str] = []
    subtitles: list[str] = []
    for line in lines:
        series = series_heading(line) if not article.series else None
        if series is not None:
            article.series, article.series_part = series
        elif line.startswith(_SUBTITLE_DASHES):
            subtitles.append(line.lstrip("—-").strip())
        else:
            titles.append(line)
    if len(titles) == 1 and _is_unit_name(titles[0]):
        article.kicker = titles[0]
    elif titles:
        article.kicker = " ".join(titles[:-1])
        article.headline = titles[-1]
    article.subtitle = " ".join(subtitles)
    return article


class _PageAssembler:
    """Builds the articles from classified blocks; see the module docstring for the rules."""

    def __init__(self) -> None:
        self.articles: list[DraftArticle] = []
        self.heading_lines: list[list[str]] = []  # parallel to articles, for the page slogan
        self.flow: DraftArticle | None = None
        self.pending_captions: list[PhotoCaption] = []
        # Stories whose credits were printed at the end of their text (short news), by id().
        self.credited_at_end: set[int] = set()
        self.page_editor = ""
        self.page_responsible_editor = ""

    def open_article(self, heading_lines: list[str]) -> DraftArticle:
        article = _article_from_headings(heading_lines) if heading_lines else DraftArticle()
        # Captions printed above the first story belong to it.
        article.captions.extend(self.pending_captions)
        self.pending_captions.clear()
        self.articles.append(article)
        self.heading_lines.append(heading_lines)
        self.flow = article
        return article

    def add_byline(self, byline: Byline) -> None:
        article = self.flow
        if article is None or article.byline is not None or article.paragraphs:
            article = self.open_article([])
        trailing = split_trailing_credits(byline.rest) if byline.rest and not byline.credits else None
        if trailing is not None:
            # 本报讯 近日，…。（记者 尚丽）: the names come at the end of the lead.
            byline = replace(byline, rest=trailing[0], credits=trailing[1])
            self.credited_at_end.add(id(article))
        article.byline = byline
        if byline.rest:
            article.paragraphs.append(byline.rest)

    def add_caption(self, caption: PhotoCaption) -> None:
        if self.flow is None:
            self.pending_captions.append(caption)
        else:
            self.flow.captions.append(caption)

    def add_staff(self, pairs: list[tuple[str, list[str]]]) -> None:
        for key, names in pairs:
            value = " ".join(names)
            if key in _PAGE_EDITOR_KEYS:
                self.page_editor = self.page_editor or value
            elif key in _RESPONSIBLE_EDITOR_KEYS and self.flow is None:
                # Printed above every story: the page's responsible editor, for each story without its own.
                self.page_responsible_editor = self.page_responsible_editor or value
            elif key in _RESPONSIBLE_EDITOR_KEYS and not self.flow.responsible_editor:
                self.flow.responsible_editor = value
            elif self.flow is not None:
                self.flow.notes.append(f"{key}：{value}")

    def add_text(self, fragment: str) -> None:
        trailing = split_trailing_credits(fragment)
        if trailing is None:
            self._add_fragment(fragment)
            return
        text, credits = trailing
        flow = self.flow
        if (
            text
            and flow is not None
            and id(flow) in self.credited_at_end
            and flow.paragraphs
            and _is_finished(flow.paragraphs[-1])
        ):
            # The next item of a run of short news, each credited at its end.
            self.open_article([])
        if text:
            self._add_fragment(text)
        article = self.flow if self.flow is not None else self.open_article([])
        if article.byline is not None and article.byline.credits:
            # Credited already: the parentheses are part of the text after all.
            suffix = fragment.strip()[len(text) :]
            if text:
                article.paragraphs[-1] += suffix
            else:
                self._add_fragment(suffix)
            return
        if article.byline is None:
            article.byline = Byline(dateline="", credits=credits)
        else:
            article.byline = replace(article.byline, credits=credits)  # 本报讯 … （记者 张三）
        self.credited_at_end.add(id(article))

    def _add_fragment(self, fragment: str) -> None:
        article = self.flow if self.flow is not None else self.open_article([])
        if article.paragraphs and not _is_finished(article.paragraphs[-1]) and not _opens_paragraph(fragment):
            article.paragraphs[-1] += fragment
            return
        if _starts_mid_sentence(fragment):
            host = self._unfinished_other_than(article)
            if host is not None:
                if host.paragraphs:
                    host.paragraphs[-1] += fragment
                else:
                    host.paragraphs.append(fragment)
                host.joins.append(_excerpt(fragment))
                self.flow = host
                return
        article.paragraphs.append(fragment)

    def _unfinished_other_than(self, article: DraftArticle) -> DraftArticle | None:
        for candidate in reversed(self.articles):
            if candidate is article:
                continue
            if not candidate.paragraphs or not _is_finished(candidate.paragraphs[-1]):
                return candidate
        return None


_EXCERPT_LEN = 16


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT_LEN else text[:_EXCERPT_LEN] + "…"


def parse_printed_page(text: str, *, heading_max_len: int = HEADING_MAX_LEN) -> PrintedPage:
    """Read one printed page: its stories in page order (:func:`parse_page`), its slogan and its editor."""
    assembler = _PageAssembler()
    headings: list[str] = []
    for block in _classify(text, heading_max_len=heading_max_len):
        if block.kind == "heading":
            headings.append(block.text)
            continue
        if headings:
            assembler.open_article(headings)
            headings = []
        if block.byline is not None:
            assembler.add_byline(block.byline)
        elif block.caption is not None:
            assembler.add_caption(block.caption)
        elif block.staff is not None:
            assembler.add_staff(block.staff)
        else:
            assembler.add_text(block.text)
    if headings:
        assembler.open_article(headings)

    articles = assembler.articles
    slogan = None
    if articles:
        last = articles[-1]
        if last.byline is None and not last.paragraphs and not last.captions:
            slogan = " ".join(assembler.heading_lines[-1]) or None
            articles = articles[:-1]
    for article in articles:
        article.responsible_editor = article.responsible_editor or assembler.page_responsible_editor
    return PrintedPage(articles=articles, slogan=slogan, editor=assembler.page_editor)


def parse_page(text: str, *, heading_max_len: int = HEADING_MAX_LEN) -> list[DraftArticle]:
    """Split the plain text of one printed page into draft articles, in page order.

    Headings, bylines, captions and photo credits are recognised, paragraphs cut by column breaks are
    joined again (also when the continuation is printed after other stories) and the page slogan is
    dropped; the module docstring describes the heuristics. ``heading_max_len`` is the longest line
    still taken for a heading.
    """
    return parse_printed_page(text, heading_max_len=heading_max_len).articles


def parse_page_slogan(text: str, *, heading_max_len: int = HEADING_MAX_LEN) -> str | None:
    """The page slogan :func:`parse_page` drops: a last heading with no story under it, else None."""
    return parse_printed_page(text, heading_max_len=heading_max_len).slogan
