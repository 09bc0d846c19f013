"""Redaction of what identifies a person in free Chinese text that is about to be published.

A resident's question is published next to the official answer only with their consent, and even then without
what points at them: ``我是御锦源社区的张秀英，电话13812345678，身份证140202…，住3号楼2单元501`` becomes
``我是御锦源社区的[姓名]，电话[电话]，身份证[身份证号]，住[地址]``.

What is replaced, in this order (a longer, more certain pattern first, so that an ID number is not read as a
phone number with digits around it):

* ID numbers: the 18-character resident ID (17 digits and a digit or X) and the old 15-digit one;
* e-mail addresses and phone numbers: mainland mobiles (with or without +86, spaces or hyphens between the
  groups) and landlines with an area code (``0352-5209130``, ``(0352)5209130``); a bare 7–8 digit number after
  a word that announces one (电话, 手机, 联系方式 …) too;
* addresses below the community: a building, unit, room or house number (``3号楼2单元501室``, ``12栋``,
  ``文兴路18号``), with the estate or road name written in front of it. The street office and the community
  stay: they say where the problem is, which the answer usually needs, and they do not single out a household;
* names: after the words that introduce one (``我是``/``我叫``/``本人``/``联系人``/``姓名：`` …, and ``…社区的``
  in a self-introduction), and a common surname followed by a form of address (``王先生``, ``李阿姨``,
  ``张主任``); a full name cannot be recognised by a pattern anywhere else, which is why the question is also
  read by the handler who publishes it;
* a salutation at the very start (``尊敬的领导：``, ``王主任您好！``): it addresses a person, not the public.

Each replacement is a bracketed placeholder, so a reader sees that something was removed. Pure functions, no
Django: usable in services, in a migration and in tests.
"""

from __future__ import annotations

import re
import unicodedata

NAME = "[姓名]"
PHONE = "[电话]"
ID_NUMBER = "[身份证号]"
ADDRESS = "[地址]"
EMAIL = "[邮箱]"
ACCOUNT = "[账号]"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_FULL_WIDTH_ALNUM = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFF10, 0xFF5B)
                     if chr(code).isalnum()}  # fmt: skip

# The commonest Han surnames (the first ~120 cover nine tenths of the population), compound ones first.
COMPOUND_SURNAMES = "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 令狐 夏侯 轩辕 宇文 司徒 端木".split()
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲"
    "翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫"
    "米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{SURNAMES}])"
# Forms of address that follow a surname: 王先生, 李阿姨, 张主任 …
TITLES = (
    "先生 女士 小姐 阿姨 大爷 大妈 大叔 大姐 大哥 奶奶 爷爷 师傅 老师 医生 主任 书记 科长 局长 所长 站长 经理 "
    "同志 警官 网格员 社工 老人 婆婆 姐 哥"
).split()
_TITLE = "(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + ")"
# What ends a name: punctuation, a space, the end, or a word that commonly follows one in a self-introduction.
_AFTER_NAME = (
    r"(?=[，,。.；;：:、！!？?\s（(）)]|$|电话|手机|联系|身份证|住|家住|现住|今年|年龄|男|女|反映|想|要|请|的)"
)

ID_RE = re.compile(r"(?<![0-9A-Za-z])(?:\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]|\d{15})(?![0-9A-Za-z])")
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,8}"
)
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}(?!\d)")
LANDLINE_RE = re.compile(r"(?<!\d)(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[\s\-－—]?)\d{7,8}(?:[\-－转]\d{1,5})?(?!\d)")
# A local number without its area code, said to be a phone number by the word in front of it.
ANNOUNCED_NUMBER_RE = re.compile(
    r"(电话|手机|手机号|联系方式|联系电话|号码|固话|座机|微信|QQ|qq)(\s*(?:是|为|[:：])?\s*)(\d[\d\s\-]{5,14}\d)"
)

# A messaging account (WeChat, QQ) reaches the person as surely as a phone number does.
ACCOUNT_RE = re.compile(
    r"(微信号?|微信账号|QQ号?|qq号?)(\s*(?:是|为|[:：])?\s*)([A-Za-z][A-Za-z0-9_\-]{5,19}|\d{5,12})(?![A-Za-z0-9_\-])"
)

# A place name never starts with the verb or pronoun in front of it (住在, 我家, 位于 …).
_NAME_CHAR = f"(?:(?![住在于到是的我家和与位找向从])[{_HAN}A-Za-z])"
_PLACE_NAME = f"(?:{_NAME_CHAR}{{1,12}}?(?:小区|花园|家园|公寓|大厦|新村|新城|嘉园|雅苑|苑|院|城|府|里|庄园|宿舍))?"
_ROAD = f"{_NAME_CHAR}{{1,10}}?(?:大街|大道|街|路|巷|胡同|道)"
_NUM = "[0-9０-９一二三四五六七八九十百零〇两]{1,5}"
_BUILDING_PARTS = (
    f"(?:{_NUM}(?:号楼|幢|栋|座|楼|号院|期|区|排)|{_NUM}(?:单元)|{_NUM}(?:层|楼层)|[0-9]{{2,5}}(?:室|号|户)?)"
)
ADDRESS_RE = re.compile(
    # An estate (optional) with building numbers: 御锦源小区3号楼2单元501室 / 12栋3单元 / 3号楼501
    f"{_PLACE_NAME}{_NUM}(?:号楼|幢|栋|座|号院)(?:{_BUILDING_PARTS})*"
    # or a road with a house number: 文兴路18号(院)(3号楼 …)
    f"|{_ROAD}{_NUM}号(?:院)?(?:{_BUILDING_PARTS})*"
    # or a unit and room without the building: 2单元501室
    f"|{_NUM}单元(?:{_BUILDING_PARTS})*"
)

_KIN = "(?:老伴|爱人|丈夫|妻子|老公|老婆|媳妇|儿子|女儿|孙子|孙女|父亲|母亲|我爸|我妈|孩子|家属)"
_INTRO = rf"(?:{_KIN}(?:名叫|叫做|叫)|我是|我叫|本人是|本人|我的名字是|名字是|名叫|联系人|联系人是|姓名|反映人|来电人|居民)\s*[:：]?\s*"
INTRO_NAME_RE = re.compile(f"({_INTRO})({_SURNAME}[{_HAN}]{{1,2}}){_AFTER_NAME}")
# "…社区的张秀英" / "…小区居民李桂兰": a name right after where the person lives.
RESIDENT_NAME_RE = re.compile(
    f"((?:社区|小区|村|街道|网格|楼)(?:的|居民|村民)\\s*)({_SURNAME}[{_HAN}]{{1,2}}){_AFTER_NAME}"
)
# A self-description that opens with the name: 张秀英，女，65岁 …
DESCRIBED_NAME_RE = re.compile(f"((?:^|[。！？!?\\n])\\s*)({_SURNAME}[{_HAN}]{{1,2}})(?=[，,、\\s]+[男女][，,、\\s])")
TITLE_RE = re.compile(_TITLE)
# Characters that may stand right before a name: a name is not glued to another word's last character except these.
_BEFORE_NAME = set("的是叫找和跟给与向请问位名了被让帮对把由即称老小区村楼会站院所局队办")
_SURNAME_SET = set(SURNAMES)
_ORGANISATION_ENDS = set("部会委处科局办站所院室司队组中厂校")
SALUTATION_RE = re.compile(
    f"^\\s*(?:(?:尊敬的|敬爱的|亲爱的)[^，,。：:！!\\n]{{0,12}}[，,：:！!]\\s*"
    f"|(?:{_SURNAME}[{_HAN}]{{0,2}})?(?:{_TITLE}|领导|同志们|工作人员)?(?:您好|你好|们好)[，,：:！!。]?\\s*)"
)


def redact(text: str | None) -> str:
    """``text`` with names, phone numbers, ID numbers, e-mail addresses, household addresses and a leading
    salutation replaced by placeholders (see the module docstring)."""
    if not text:
        return ""
    # Full-width digits and letters become ASCII, so one pattern reads both; punctuation stays as typed.
    text = text.translate(_FULL_WIDTH_ALNUM)
    for _ in range(2):  # 尊敬的领导：您好！ is two salutations
        text = SALUTATION_RE.sub("", text, count=1)
    text = ID_RE.sub(ID_NUMBER, text)
    text = EMAIL_RE.sub(EMAIL, text)
    text = MOBILE_RE.sub(PHONE, text)
    text = LANDLINE_RE.sub(PHONE, text)
    text = ACCOUNT_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{ACCOUNT}", text)
    text = ANNOUNCED_NUMBER_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{PHONE}", text)
    text = ADDRESS_RE.sub(ADDRESS, text)
    text = INTRO_NAME_RE.sub(lambda m: m.group(1) + NAME, text)
    text = RESIDENT_NAME_RE.sub(lambda m: m.group(1) + NAME, text)
    text = DESCRIBED_NAME_RE.sub(lambda m: m.group(1) + NAME, text)
    text = _redact_titled(text)
    return text


def _redact_titled(text: str) -> str:
    """A surname, with or without the given name, right before a form of address: 王先生 → [姓名]先生,
    王桂兰阿姨 → [姓名]阿姨. The longest reading whose first character is a surname and which starts at a word
    boundary wins, so 和王阿姨 keeps 和 and loses 王."""
    out: list[str] = []
    last = 0
    for match in TITLE_RE.finditer(text):
        end = match.start()
        start = _name_start(text, last, end)
        if start is None:
            continue
        out.append(text[last:start])
        out.append(NAME)
        out.append(match.group())
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _name_start(text: str, floor: int, end: int) -> int | None:
    for length in (4, 3, 2, 1):
        start = end - length
        if start < floor:
            continue
        candidate = text[start:end]
        if not re.fullmatch(f"[{_HAN}]+", candidate):
            continue
        surname = candidate[:2] if candidate[:2] in COMPOUND_SURNAMES else candidate[0]
        if len(surname) == 1 and surname not in _SURNAME_SET:
            continue
        if length > 1 and candidate[-1] in _ORGANISATION_ENDS:
            continue  # 党支部书记, 居委会主任: an office, not a person
        if length == 4 and len(surname) == 1:
            continue  # four characters with a one-character surname is a phrase, not a name
        before = text[start - 1] if start > 0 else ""
        if not before or not re.fullmatch(f"[{_HAN}]", before) or before in _BEFORE_NAME:
            return start
    return None
