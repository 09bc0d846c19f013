"""Tests for the printed-page parser: pure Python, no Django settings or database needed."""

import ast
from pathlib import Path

import pytest

from articles import print_import
from articles.print_import import (
    Byline,
    Credit,
    DraftArticle,
    PhotoCaption,
    chinese_numeral,
    ends_mid_sentence,
    format_byline,
    format_photo_credit,
    parse_byline,
    parse_chinese_numeral,
    parse_page,
    parse_page_slogan,
    parse_photo_credit,
    parse_printed_page,
    parse_staff_line,
    series_heading,
    split_trailing_credits,
    starts_mid_sentence,
)

# The seed page as the repository carries it (the demo loads the same file): the suite reads nothing outside.
SEED_PAGE = Path(__file__).resolve().parents[2] / "articles" / "demo_data" / "seed_page.txt"


def test_parser_module_does_not_import_django():
    tree = ast.parse(Path(print_import.__file__).read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] == "django"]


# --- Bylines ------------------------------------------------------------------------------------------


def test_byline_with_reporter_and_correspondent_keeps_roles_order_and_rest():
    byline = parse_byline("本报讯（记者 宋芳 通讯员 马向英）为激励大学生扎根乡村建功立业、担当作为，近日，")
    assert byline == Byline(
        dateline="本报讯",
        credits=[Credit(role="记者", name="宋芳", order=0), Credit(role="通讯员", name="马向英", order=1)],
        rest="为激励大学生扎根乡村建功立业、担当作为，近日，",
    )


@pytest.mark.parametrize("name", ["郝雨", "邱东芳", "尚丽", "曹飞", "锦秀"])
def test_byline_with_single_reporter_from_the_page(name):
    byline = parse_byline(f"本报讯（记者 {name}）近来，振华街道以活动为契机。")
    assert byline is not None
    assert byline.dateline == "本报讯"
    assert byline.credits == [Credit(role="记者", name=name, order=0)]
    assert byline.rest == "近来，振华街道以活动为契机。"


def test_standalone_staff_reporter_line_is_a_byline_with_implied_role():
    assert parse_byline("本报记者 邱东芳") == Byline(
        dateline="本报记者", credits=[Credit(role="记者", name="邱东芳", order=0)], rest=""
    )


def test_standalone_staff_reporter_line_with_correspondent():
    byline = parse_byline("本报记者 邱东芳 宋芳 通讯员 马向英")
    assert byline is not None
    assert [(c.role, c.name, c.order) for c in byline.credits] == [
        ("记者", "邱东芳", 0),
        ("记者", "宋芳", 1),
        ("通讯员", "马向英", 2),
    ]


def test_standalone_correspondent_line_has_its_role_as_dateline():
    byline = parse_byline("本报通讯员 马向英")
    assert byline is not None
    assert byline.dateline == "本报通讯员"
    assert byline.credits == [Credit(role="通讯员", name="马向英", order=0)]


def test_bare_credit_line_has_empty_dateline():
    byline = parse_byline("记者 宋芳 通讯员 马向英")
    assert byline is not None
    assert byline.dateline == ""
    assert [c.role for c in byline.credits] == ["记者", "通讯员"]


def test_byline_with_ascii_parentheses():
    byline = parse_byline("本报讯(记者 郝雨)为进一步推动防非宣传落地见效，")
    assert byline is not None
    assert byline.credits == [Credit(role="记者", name="郝雨", order=0)]
    assert byline.rest == "为进一步推动防非宣传落地见效，"


def test_byline_with_mixed_width_parentheses_from_ocr():
    byline = parse_byline("本报讯（记者 郝雨)正文")
    assert byline is not None
    assert byline.rest == "正文"


@pytest.mark.parametrize(
    "text",
    [
        "本报讯（记者 宋芳 李明 通讯员 马向英）",
        "本报讯（记者 宋芳、李明 通讯员 马向英）",
        "本报讯（记者 宋芳、 李明　通讯员　马向英）",
        "本报讯（记者宋芳 李明 通讯员马向英）",
    ],
)
def test_byline_with_several_names_per_role(text):
    byline = parse_byline(text)
    assert byline is not None
    assert [(c.role, c.name, c.order) for c in byline.credits] == [
        ("记者", "宋芳", 0),
        ("记者", "李明", 1),
        ("通讯员", "马向英", 2),
    ]
    assert byline.rest == ""


@pytest.mark.parametrize("role", ["记者", "通讯员", "实习记者", "特约记者", "摄影", "见习记者"])
def test_byline_knows_every_role(role):
    byline = parse_byline(f"本报讯（{role} 宋芳）")
    assert byline is not None
    assert byline.credits == [Credit(role=role, name="宋芳", order=0)]


def test_longer_role_is_not_read_as_shorter_one():
    byline = parse_byline("本报讯（实习记者 李明 记者 宋芳）")
    assert byline is not None
    assert [(c.role, c.name) for c in byline.credits] == [("实习记者", "李明"), ("记者", "宋芳")]


@pytest.mark.parametrize(
    ("text", "credits"),
    [
        ("本报讯（记者 张三 实习生 李四）", [("记者", "张三"), ("实习记者", "李四")]),
        ("本报记者 张三 实习生 李四", [("记者", "张三"), ("实习记者", "李四")]),
        ("本报讯（记者 张三 特约通讯员 李四）", [("记者", "张三"), ("通讯员", "李四")]),
    ],
)
def test_other_papers_role_titles_are_roles_never_names(text, credits):
    # An intern printed as 实习生 became a contributor named 实习生, a 特约通讯员 one named 特约.
    byline = parse_byline(text)
    assert byline is not None
    assert [(c.role, c.name) for c in byline.credits] == credits


def test_dated_and_placed_dateline_is_kept_as_printed():
    byline = parse_byline("本报大同7月20日讯（记者 宋芳）近日，")
    assert byline is not None
    assert byline.dateline == "本报大同7月20日讯"
    assert format_byline(byline) == "本报大同7月20日讯（记者 宋芳）"


def test_dateline_without_credits():
    assert parse_byline("本报讯 近日，平城区开展活动。") == Byline(
        dateline="本报讯", credits=[], rest="近日，平城区开展活动。"
    )


def test_minority_name_with_middle_dot():
    byline = parse_byline("本报讯（记者 阿不都·热合曼）")
    assert byline is not None
    assert byline.credits[0].name == "阿不都·热合曼"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "随便一句话。",
        "平城区强化党建引领，不断提高执政能力和领导水平。",
        "本报讯（记者 郝雨",  # unclosed parenthesis
        "本报讯（记者 郝雨 近日，平城区开展活动。",  # unclosed, text runs on
        "本报讯（记者 ）",  # role without a name
        "本报讯（）",  # empty credits
        "本报讯（记者 通讯员 马向英）",  # first role left without a name
        "本报讯（记者 宋芳 通讯员）",  # last role left without a name
        "本报讯（宋芳）",  # name without a role
        "本报讯（记者 宋芳宋芳宋芳）",  # not a name
        "本报讯（记者 宋，芳）",
        "本报记者",
        "本报记者 ",
        "本报记者从区统计局获悉，今年上半年全区经济稳中有进。",  # a sentence, not a byline
        "记者从区统计局获悉",
        "本报通讯员",
        "记者",
    ],
)
def test_not_a_byline_is_refused(text):
    assert parse_byline(text) is None


@pytest.mark.parametrize(
    "printed",
    [
        "本报讯（记者 宋芳 通讯员 马向英）",
        "本报记者 邱东芳",
        "本报讯（记者 郝雨）",
        "本报讯（记者 尚丽）",
        "本报讯（记者 宋芳 李明 通讯员 马向英）",
        "本报讯（实习记者 李明 摄影 曹飞）",
        "本报记者 邱东芳 通讯员 马向英",
        "本报通讯员 马向英",
        "记者 宋芳 通讯员 马向英",
        "本报讯",
    ],
)
def test_format_byline_renders_exactly_as_printed(printed):
    byline = parse_byline(printed)
    assert byline is not None
    assert format_byline(byline) == printed


def test_format_byline_normalises_separators_and_ignores_rest():
    byline = parse_byline("本报讯(记者 宋芳、李明)为激励大学生")
    assert byline is not None
    assert format_byline(byline) == "本报讯（记者 宋芳 李明）"


def test_format_byline_from_constructed_credits_follows_order():
    byline = Byline(
        dateline="本报讯",
        credits=[Credit(role="通讯员", name="马向英", order=1), Credit(role="记者", name="宋芳", order=0)],
    )
    assert format_byline(byline) == "本报讯（记者 宋芳 通讯员 马向英）"


# --- Photo credits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("曹飞摄", "曹飞"),
        ("锦秀摄", "锦秀"),
        ("  曹飞摄  ", "曹飞"),
        ("曹飞 摄", "曹飞"),
        ("邱东芳摄", "邱东芳"),
        ("欧阳小飞摄", "欧阳小飞"),
        ("本报记者 曹飞摄", "曹飞"),
        ("记者曹飞摄", "曹飞"),
    ],
)
def test_photo_credit_is_recognised(line, name):
    assert parse_photo_credit(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "",
        "摄",
        "曹摄",  # one character is not a name
        "欧阳小飞飞摄",  # five characters is a phrase
        "曹飞摄。",
        "曹飞摄影",
        "正在拍摄",
        "他拍摄",
        "照片由曹飞摄",
        "志愿者们在社区门口合影留念时被记者摄",
        "活动现场由专业人员全程拍摄。",
        "Cao Fei摄",
    ],
)
def test_sentence_ending_in_she_is_not_a_photo_credit(line):
    assert parse_photo_credit(line) is None


def test_format_photo_credit():
    assert format_photo_credit("曹飞") == "曹飞摄"
    assert parse_photo_credit(format_photo_credit("锦秀")) == "锦秀"


def test_format_photo_credit_refuses_empty_name():
    with pytest.raises(ValueError):
        format_photo_credit(" ")


# --- Chinese numerals and series ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "written"),
    [(1, "一"), (5, "五"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"),
     (50, "五十"), (99, "九十九")],
)  # fmt: skip
def test_chinese_numeral_known_values(n, written):
    assert chinese_numeral(n) == written
    assert parse_chinese_numeral(written) == n


def test_chinese_numerals_round_trip_1_to_99():
    written = [chinese_numeral(n) for n in range(1, 100)]
    assert len(set(written)) == 99
    assert [parse_chinese_numeral(w) for w in written] == list(range(1, 100))


@pytest.mark.parametrize("n", [0, -1, 100, 1000, True, 2.0, "5"])
def test_chinese_numeral_out_of_range_is_refused(n):
    with pytest.raises(ValueError):
        chinese_numeral(n)


def test_parse_chinese_numeral_accepts_yi_shi():
    assert parse_chinese_numeral("一十") == 10
    assert parse_chinese_numeral(" 三十七 ") == 37


@pytest.mark.parametrize("text", ["", "零", "五五", "十十", "一百", "百", "5", "五个", "abc", "十一二"])
def test_parse_chinese_numeral_refuses_non_numerals(text):
    with pytest.raises(ValueError):
        parse_chinese_numeral(text)


def test_series_heading_from_the_page():
    assert series_heading("继往开来担使命 砥砺奋进新征程（五）") == ("继往开来担使命 砥砺奋进新征程", 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("继往开来担使命 砥砺奋进新征程(十二)", ("继往开来担使命 砥砺奋进新征程", 12)),
        ("继往开来担使命  砥砺奋进新征程 （二十一）", ("继往开来担使命 砥砺奋进新征程", 21)),
        ("走进平城（3）", ("走进平城", 3)),
        ("走进平城（九十九）", ("走进平城", 99)),
    ],
)
def test_series_heading_variants(text, expected):
    assert series_heading(text) == expected


def test_series_heading_round_trips_with_chinese_numeral():
    for n in range(1, 100):
        assert series_heading(f"走进平城（{chinese_numeral(n)}）") == ("走进平城", n)


@pytest.mark.parametrize(
    "text",
    [
        "继往开来担使命 砥砺奋进新征程",
        "（五）",
        "继往开来担使命（上）",
        "继往开来担使命（零）",
        "继往开来担使命（0）",
        "继往开来担使命（五",
        "继往开来担使命（五）续",
        "打造商圈（市场）党建示范点。",
        "活动结束了。（五）",
    ],
)
def test_not_a_series_heading(text):
    assert series_heading(text) is None


# --- The seed page ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_articles(seed_text) -> list[DraftArticle]:
    return parse_page(seed_text)


EXPECTED = [
    ("平城区人民检察院开展宣传活动", "守住钱袋子 护好幸福家", "本报讯（记者 郝雨）"),
    ("", "固本强基提高执政能力做到“五个必须”", "本报记者 邱东芳"),
    ("小南头街道", "引导到村工作大学生扎根农村挥洒激情", "本报讯（记者 宋芳 通讯员 马向英）"),
    ("发挥优势 冲锋在前", "平城区网格员筑牢防汛“安全堤”", "本报讯（记者 邱东芳）"),
    ("", "疏堵结合整治游商小贩 营造整洁有序古城环境", "本报讯（记者 尚丽）"),
    ("", "大学生志愿服务社区 擦亮城市文明底色", "本报讯（记者 曹飞）"),
    ("文瀛湖街道", "党建引领迸发创城新活力", None),
    ("平城区总工会", "全方位推动小微企业工会经费返还", "本报讯（记者 邱东芳）"),
    ("大庆路街道", "立足实际构建创城新常态", "本报讯（记者 锦秀）"),
    ("振华街道", "“三个强化”争取创城新成效", "本报讯（记者 锦秀）"),
]


def test_seed_page_has_ten_articles_in_page_order(seed_articles):
    found = [(a.kicker, a.headline, format_byline(a.byline) if a.byline else None) for a in seed_articles]
    assert found == EXPECTED


def test_seed_page_series_is_only_on_the_second_article(seed_articles):
    assert [(a.series, a.series_part) for a in seed_articles] == [("", None)] + [
        ("继往开来担使命 砥砺奋进新征程", 5)
    ] + [("", None)] * 8
    assert all(a.subtitle == "" for a in seed_articles)


def test_seed_page_bylines_have_structured_credits(seed_articles):
    third = seed_articles[2].byline
    assert third is not None
    assert third.credits == [Credit("记者", "宋芳", 0), Credit("通讯员", "马向英", 1)]
    second = seed_articles[1].byline
    assert second is not None
    assert second.dateline == "本报记者"
    assert second.credits == [Credit("记者", "邱东芳", 0)]


def test_seed_page_paragraph_counts(seed_articles):
    assert [len(a.paragraphs) for a in seed_articles] == [2, 5, 4, 4, 3, 3, 2, 5, 4, 2]


def test_seed_page_first_paragraph_starts_after_the_byline(seed_articles):
    assert seed_articles[0].paragraphs[0].startswith("为进一步推动防非宣传落地见效，")
    assert seed_articles[1].paragraphs[0].startswith("平城区强化党建引领，")
    assert seed_articles[2].paragraphs[0].startswith("为激励大学生扎根乡村建功立业")
    assert seed_articles[3].paragraphs[0].startswith("面对严峻的防汛形势")
    assert seed_articles[7].paragraphs[0].startswith("返还小微企业哪些经费？")


def test_seed_page_captions(seed_articles):
    assert seed_articles[5].captions == [PhotoCaption("图为柳园东院社区大学生志愿者为小学生辅导功课。", "曹飞")]
    assert seed_articles[6].captions == [PhotoCaption("西京社区联合社工站开展“邻里和睦、幸福社区”邻里节活动。", "锦秀")]
    assert [i for i, a in enumerate(seed_articles) if a.captions] == [5, 6]


def test_seed_page_wenyinghu_body_is_the_continuation_printed_after_the_union_article(seed_articles):
    wenyinghu, union = seed_articles[6], seed_articles[7]
    assert wenyinghu.byline is None
    assert wenyinghu.paragraphs[0].startswith("作用，妥善协调“党建大联盟”各方单位")
    assert wenyinghu.paragraphs[0].endswith("推动创城工作结硕果。")
    assert "协调四方”的作用，作为群众积极参与精神文明建设" in wenyinghu.paragraphs[1]
    assert wenyinghu.paragraphs[1].endswith("推动辖区精神文明建设向更高层次发展。")
    assert union.paragraphs[-1].endswith("全力做好复核检查工作。")
    assert not any("文瀛湖" in p for p in union.paragraphs)


def test_seed_page_daqinglu_body_takes_the_fragments_printed_after_zhenhua(seed_articles):
    daqinglu, zhenhua = seed_articles[8], seed_articles[9]
    assert "聚焦交通秩序、环境卫生、文明素质等内容进行治理和引导。" in daqinglu.paragraphs[1]
    assert daqinglu.paragraphs[2].startswith("坚持问题导向，攻克环境顽疾。")
    assert "共开展文明交通动导、消防安全检查、游商游贩治理等各类活动15次" in daqinglu.paragraphs[2]
    assert daqinglu.paragraphs[3].startswith("坚持价值引领，树立文明风尚。")
    assert zhenhua.paragraphs[-1].startswith("强化督促指导，认真查摆问题。")
    assert not any(p.startswith(("序、", "坚持", "导、")) for p in zhenhua.paragraphs)


def test_seed_page_joins_mid_word_column_breaks(seed_articles):
    def body(i: int) -> str:
        return "\n".join(seed_articles[i].paragraphs)

    assert "在面对高回报、低门槛的投资机会时，要冷静分析" in body(0)
    assert "补齐社区工作人员数量，达到“每万人18名”标准" in body(1)
    assert "安排到村工作大学生当好本村的报账员" in body(2)
    assert "各街道进一步强化日常巡查" in body(3)
    assert "该局环境治理监督大队还及时调整整工作时间，" in body(4)  # the printed 整整 is kept
    assert "担任“辅导老师”，在他们一对一" in body(5)


def test_seed_page_paragraphs_hold_no_bylines_captions_headings_or_markers(seed_articles):
    paragraphs = [p for a in seed_articles for p in a.paragraphs]
    assert not [p for p in paragraphs if "本报讯" in p or p.startswith("本报记者")]
    assert not [p for p in paragraphs if parse_photo_credit(p) is not None or p.endswith("摄")]
    assert not [p for p in paragraphs if p.startswith("图为") or "邻里节活动。" == p[-7:]]
    assert not [p for p in paragraphs if "**" in p]
    headings = {a.headline for a in seed_articles} | {a.kicker for a in seed_articles if a.kicker}
    assert not [p for p in paragraphs if p in headings]
    assert not [p for p in paragraphs if "城市管理精细化 创建全国文明城市" in p]


def test_seed_page_bold_marker_is_stripped_inside_the_paragraph(seed_articles):
    assert "高压态势。必须勠力同心、携手前行，汇聚奋进之力。团结一班人" in seed_articles[1].paragraphs[4]


def test_seed_page_every_paragraph_is_finished(seed_articles):
    assert all(p[-1] in "。！？" for a in seed_articles for p in a.paragraphs)


def test_seed_page_keeps_all_body_text(seed_text, seed_articles):
    """Nothing is lost or duplicated: every body character of the page lands in exactly one paragraph."""
    joined = "".join(p for a in seed_articles for p in a.paragraphs)
    assert joined.count("平城区总工会还成立了") == 1
    assert joined.count("序、环境卫生") == 1
    assert len(joined) > 0.9 * len(seed_text.replace("\n", ""))


def test_seed_page_slogan_is_returned_separately(seed_text):
    assert parse_page_slogan(seed_text) == "城市管理精细化 创建全国文明城市"


# --- A synthetic page ---------------------------------------------------------------------------------

SYNTHETIC_PAGE = """
新华街道

暖心服务进万家

——社区开展夏季义诊活动

本报讯（记者 李明、王芳 通讯员 赵强）近日，新华街道组织辖区医护人员走进社区，开展义诊

活动，为居民免费测量血压、血糖。

同时，医护人员还向居民讲解了防暑降温知识，居民纷纷点赞。

**走进平城（十二）**

古城墙下的新生活

本报记者 张华

古城墙脚下，老街坊们的日子越过越红火，一条条街巷焕然一新，居民们都说住得舒心。

今年以来，当地持续推进老旧小区改造，累计完成改造

图为改造后的小区一角。 刘洋摄

东关社区

本报讯（记者 陈晨）东关社区举办邻里节，居民欢聚一堂。

项目，惠及居民3000余户。

目前，后续改造工作正在有序推进。

书香社区 快乐阅读

居民在社区图书室阅读。

周涛摄

创建文明城市 共建美好家园
"""


@pytest.fixture(scope="module")
def synthetic() -> list[DraftArticle]:
    return parse_page(SYNTHETIC_PAGE)


def test_synthetic_page_headings(synthetic):
    assert [(a.kicker, a.headline, a.subtitle, a.series, a.series_part) for a in synthetic] == [
        ("新华街道", "暖心服务进万家", "社区开展夏季义诊活动", "", None),
        ("", "古城墙下的新生活", "", "走进平城", 12),
        ("东关社区", "", "", "", None),
        ("", "书香社区 快乐阅读", "", "", None),
    ]


def test_synthetic_page_bylines(synthetic):
    assert [format_byline(a.byline) if a.byline else None for a in synthetic] == [
        "本报讯（记者 李明 王芳 通讯员 赵强）",
        "本报记者 张华",
        "本报讯（记者 陈晨）",
        None,
    ]


def test_synthetic_page_joins_adjacent_fragments_but_not_a_new_paragraph(synthetic):
    assert synthetic[0].paragraphs == [
        "近日，新华街道组织辖区医护人员走进社区，开展义诊活动，为居民免费测量血压、血糖。",
        "同时，医护人员还向居民讲解了防暑降温知识，居民纷纷点赞。",
    ]


def test_synthetic_page_orphan_continuation_goes_back_to_its_article(synthetic):
    old_town, dongguan = synthetic[1], synthetic[2]
    assert old_town.paragraphs[-2] == "今年以来，当地持续推进老旧小区改造，累计完成改造项目，惠及居民3000余户。"
    # The flow stays with the story the continuation came back to.
    assert old_town.paragraphs[-1] == "目前，后续改造工作正在有序推进。"
    assert dongguan.paragraphs == ["东关社区举办邻里节，居民欢聚一堂。"]


def test_synthetic_page_captions_inline_and_on_next_line(synthetic):
    assert synthetic[1].captions == [PhotoCaption("图为改造后的小区一角。", "刘洋")]
    assert synthetic[3].captions == [PhotoCaption("居民在社区图书室阅读。", "周涛")]
    assert synthetic[3].paragraphs == []


def test_synthetic_page_slogan(synthetic):
    assert parse_page_slogan(SYNTHETIC_PAGE) == "创建文明城市 共建美好家园"
    assert all("创建文明城市" not in a.headline for a in synthetic)


def test_empty_page_has_no_articles():
    assert parse_page("") == []
    assert parse_page("\n\n  \n") == []
    assert parse_page_slogan("") is None


def test_page_without_headings_still_yields_a_draft():
    articles = parse_page("本报讯（记者 郝雨）近日，平城区开展防范非法集资宣传活动。\n\n活动中，群众积极参与。")
    assert len(articles) == 1
    assert articles[0].headline == ""
    assert articles[0].paragraphs == ["近日，平城区开展防范非法集资宣传活动。", "活动中，群众积极参与。"]


def test_second_byline_without_heading_opens_a_new_article():
    articles = parse_page("简讯\n\n本报讯（记者 郝雨）第一条消息。\n\n本报讯（记者 尚丽）第二条消息。")
    assert [(a.headline, a.paragraphs) for a in articles] == [("简讯", ["第一条消息。"]), ("", ["第二条消息。"])]


def test_long_line_without_punctuation_is_not_a_heading():
    long_line = "这是一段很长的正文内容没有任何标点符号但是它显然不是标题因为它远远超过了标题的长度限制"
    articles = parse_page(f"标题一\n\n{long_line}")
    assert articles[0].headline == "标题一"
    assert articles[0].paragraphs == [long_line]
    # With a longer limit the line is a heading too, and a heading group with nothing under it at the
    # end of the page is the slogan.
    assert parse_page(f"标题一\n\n{long_line}", heading_max_len=60) == []
    assert parse_page_slogan(f"标题一\n\n{long_line}", heading_max_len=60) == f"标题一 {long_line}"


def test_short_unfinished_paragraph_is_not_taken_for_a_heading():
    page = "标题\n\n本报讯（记者 郝雨）开头。\n\n今年以来，当地持续推进改造，累计完成改造\n\n项目，惠及居民3000余户。"
    articles = parse_page(page)
    assert len(articles) == 1
    assert articles[0].paragraphs == ["开头。", "今年以来，当地持续推进改造，累计完成改造项目，惠及居民3000余户。"]


def test_numbered_subhead_stays_in_the_body():
    page = "标题\n\n本报讯（记者 郝雨）开头。\n\n一、强化督促指导\n\n该街道严格落实制度。"
    articles = parse_page(page)
    assert len(articles) == 1
    assert articles[0].paragraphs == ["开头。", "一、强化督促指导", "该街道严格落实制度。"]


def test_headline_with_one_comma_is_still_a_heading():
    articles = parse_page("守住钱袋子，护好幸福家\n\n本报讯（记者 郝雨）正文。")
    assert articles[0].headline == "守住钱袋子，护好幸福家"


# --- Byline forms of other papers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "dateline", "outlet", "credits", "rest"),
    [
        ("大同日报讯（记者 张三）近日，平城区开展活动。", "大同日报讯", "大同日报", [("记者", "张三")], "近日，平城区开展活动。"),
        ("山西晚报讯（全媒体记者 张三 通讯员 王五）", "山西晚报讯", "山西晚报", [("记者", "张三"), ("通讯员", "王五")], ""),
        ("新华社北京11月30日电（记者 李四）全国冬季安全生产工作会议召开。", "新华社北京11月30日电", "新华社",
         [("记者", "李四")], "全国冬季安全生产工作会议召开。"),
        ("新华社北京11月30日电 全国冬季安全生产工作会议召开。", "新华社北京11月30日电", "新华社", [],
         "全国冬季安全生产工作会议召开。"),
        ("大同日报讯 近日，平城区开展活动。", "大同日报讯", "大同日报", [], "近日，平城区开展活动。"),
        ("本报北京11月30日电（记者 宋芳）近日，", "本报北京11月30日电", "", [("记者", "宋芳")], "近日，"),
    ],
)  # fmt: skip
def test_another_outlets_dateline_is_read_with_its_outlet(line, dateline, outlet, credits, rest):
    byline = parse_byline(line)
    assert byline is not None
    assert (byline.dateline, byline.outlet, byline.rest) == (dateline, outlet, rest)
    assert [(c.role, c.name) for c in byline.credits] == credits


def test_another_outlets_byline_is_printed_back_as_it_was():
    assert format_byline(parse_byline("新华社北京11月30日电（记者 李四）")) == "新华社北京11月30日电（记者 李四）"
    assert format_byline(parse_byline("大同日报讯（记者 张三）近日")) == "大同日报讯（记者 张三）"


@pytest.mark.parametrize(
    ("line", "credits", "rest"),
    [
        ("本报讯 记者王五 通讯员赵六", [("记者", "王五"), ("通讯员", "赵六")], ""),
        ("本报讯 记者 王五 通讯员 赵六 近日，社区举办书法展。", [("记者", "王五"), ("通讯员", "赵六")], "近日，社区举办书法展。"),
        ("本报讯　记者宋芳 王强　近日，社区举办书法展。", [("记者", "宋芳"), ("记者", "王强")], "近日，社区举办书法展。"),
    ],
)  # fmt: skip
def test_dateline_with_credits_without_parentheses(line, credits, rest):
    byline = parse_byline(line)
    assert byline is not None
    assert byline.dateline == "本报讯"
    assert [(c.role, c.name) for c in byline.credits] == credits
    assert byline.rest == rest


def test_credits_running_into_the_text_are_not_guessed():
    # Where 赵六 ends and the text begins is a guess: the dateline is kept, the line stays text.
    assert parse_byline("本报讯 记者王五 通讯员赵六近日，社区举办书法展。") == Byline(
        dateline="本报讯", credits=[], rest="记者王五 通讯员赵六近日，社区举办书法展。"
    )


@pytest.mark.parametrize(
    "line",
    ["记者宋芳通讯员马向英", "本报讯（记者宋芳通讯员马向英）", "记者宋芳 通讯员马向英", "本报讯 记者宋芳通讯员马向英"],
)
def test_names_without_spaces_are_split_at_the_roles(line):
    byline = parse_byline(line)
    assert byline is not None
    assert [(c.role, c.name, c.order) for c in byline.credits] == [("记者", "宋芳", 0), ("通讯员", "马向英", 1)]


@pytest.mark.parametrize(
    "line", ["记者 宋芳 王强", "本报讯（记者 宋芳 王强）", "本报记者 宋芳 王强", "记者 宋芳、王强"]
)
def test_several_names_for_one_role(line):
    byline = parse_byline(line)
    assert byline is not None
    assert [(c.role, c.name) for c in byline.credits] == [("记者", "宋芳"), ("记者", "王强")]


@pytest.mark.parametrize(
    "line",
    [
        "社区电动车充电桩建设加快推进。",  # 社 + 区 + 电: an outlet's shape, but no credits follow
        "据新华社电，全国冬季安全生产工作会议召开。",  # a source quoted inside a story
        "新华社电 全国冬季会议召开。",  # no date, no credits
        "大同日报讯（记者 ）",
        "大同日报讯（张三）",
        "人民网报道称，近日全国开展活动。",
    ],
)
def test_sentences_shaped_like_another_outlets_dateline_are_not_bylines(line):
    assert parse_byline(line) is None


# --- Credits at the end of a paragraph ----------------------------------------------------------------


def test_credits_at_the_end_of_a_paragraph_are_split_off():
    assert split_trailing_credits("近日，新旺街道开展防诈宣传。（记者 宋芳 通讯员 马向英）") == (
        "近日，新旺街道开展防诈宣传。",
        [Credit("记者", "宋芳", 0), Credit("通讯员", "马向英", 1)],
    )


@pytest.mark.parametrize(
    "paragraph",
    [
        "返还所属时间段的工会经费（筹备金）",
        "打造商圈（市场）党建示范点。",
        "近日，社区开展活动。",
        "（记者）",
        "活动（宋芳）",
    ],
)
def test_parentheses_that_are_not_credits_stay_in_the_text(paragraph):
    assert split_trailing_credits(paragraph) is None


def test_credits_at_the_end_of_the_lead_paragraph_are_the_stories_byline():
    page = (
        "新旺街道开展防诈宣传\n\n近日，新旺街道开展防诈宣传活动。（记者 宋芳 通讯员 马向英）\n\n"
        "活动中，工作人员向居民发放宣传资料。"
    )
    [story] = parse_page(page)
    assert story.headline == "新旺街道开展防诈宣传"
    assert format_byline(story.byline) == "记者 宋芳 通讯员 马向英"
    assert story.paragraphs == ["近日，新旺街道开展防诈宣传活动。", "活动中，工作人员向居民发放宣传资料。"]


def test_credits_at_the_end_fill_a_dateline_printed_without_names():
    [story] = parse_page("社区举办书法展\n\n本报讯 近日，社区举办书法展，吸引居民前来观看。（记者 尚丽）")
    assert format_byline(story.byline) == "本报讯（记者 尚丽）"
    assert story.paragraphs == ["近日，社区举办书法展，吸引居民前来观看。"]


def test_short_news_each_credited_at_its_end_are_separate_stories():
    page = "简讯\n\n新旺街道开展防诈宣传。（记者 宋芳）\n\n振华街道举办邻里节活动。（记者 锦秀）"
    stories = parse_page(page)
    assert [(s.headline, format_byline(s.byline), s.paragraphs) for s in stories] == [
        ("简讯", "记者 宋芳", ["新旺街道开展防诈宣传。"]),
        ("", "记者 锦秀", ["振华街道举办邻里节活动。"]),
    ]


def test_a_credit_line_of_its_own_is_not_a_heading():
    [story] = parse_page("社区举办书法展\n\n社区举办书法展，吸引居民前来观看。\n\n（记者 尚丽）")
    assert story.headline == "社区举办书法展"
    assert format_byline(story.byline) == "记者 尚丽"


# --- Photographers named in captions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("（曹飞/摄）", "曹飞"),
        ("(曹飞 摄)", "曹飞"),
        ("曹飞/摄", "曹飞"),
        ("摄影：曹飞", "曹飞"),
        ("摄影:本报记者 曹飞", "曹飞"),
        ("图/本报记者 曹飞", "曹飞"),
        ("本报摄影记者 曹飞 摄", "曹飞"),
    ],
)
def test_other_photo_credit_forms(line, name):
    assert parse_photo_credit(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "图为柳园东院社区大学生志愿者为小学生辅导功课。 本报记者 曹飞 摄",
        "图为柳园东院社区大学生志愿者为小学生辅导功课。（曹飞/摄）",
        "图为柳园东院社区大学生志愿者为小学生辅导功课（曹飞/摄）",
        "图为柳园东院社区大学生志愿者为小学生辅导功课。摄影：曹飞",
        "图为柳园东院社区大学生志愿者为小学生辅导功课。 曹飞摄",
    ],
)
def test_photographer_named_inside_a_caption(line):
    page = f"大学生志愿服务社区\n\n本报讯（记者 锦秀）近日，社区组织大学生志愿者辅导功课。\n\n{line}"
    [story] = parse_page(page)
    assert story.captions == [
        PhotoCaption("图为柳园东院社区大学生志愿者为小学生辅导功课" + ("" if "功课（" in line else "。"), "曹飞")
    ]
    assert story.paragraphs == ["近日，社区组织大学生志愿者辅导功课。"]


def test_a_caption_without_图为_is_recognised_by_the_credit_it_ends_with():
    page = "邻里节\n\n本报讯（记者 锦秀）近日，西京社区举办邻里节。\n\n西京社区联合社工站开展邻里节活动。（锦秀/摄）"
    [story] = parse_page(page)
    assert story.captions == [PhotoCaption("西京社区联合社工站开展邻里节活动。", "锦秀")]
    assert story.paragraphs == ["近日，西京社区举办邻里节。"]


def test_a_credit_on_the_line_after_a_caption_in_another_form():
    page = "邻里节\n\n本报讯（记者 锦秀）近日，西京社区举办邻里节。\n\n居民在社区图书室阅读。\n\n摄影：曹飞"
    [story] = parse_page(page)
    assert story.captions == [PhotoCaption("居民在社区图书室阅读。", "曹飞")]


# --- Staff lines (责任编辑) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "pairs"),
    [
        ("责任编辑：刘某", [("责任编辑", ["刘某"])]),
        ("责任编辑:刘某", [("责任编辑", ["刘某"])]),
        ("（责任编辑：刘某）", [("责任编辑", ["刘某"])]),
        ("责任编辑 刘某", [("责任编辑", ["刘某"])]),
        ("责编：刘某 校对：王某 李某", [("责编", ["刘某"]), ("校对", ["王某", "李某"])]),
        ("责任编辑：刘某校对：王某", [("责任编辑", ["刘某"]), ("校对", ["王某"])]),
        ("责任编辑：王编辑", [("责任编辑", ["王编辑"])]),  # a key inside a name is the name
        ("本版编辑：李某 美编：王某", [("本版编辑", ["李某"]), ("美编", ["王某"])]),
    ],
)
def test_staff_lines(line, pairs):
    assert parse_staff_line(line) == pairs


@pytest.mark.parametrize(
    "line", ["编辑部召开会议", "责任编辑：", "责任编辑：刘", "据责任编辑：刘某介绍", "校对工作很重要。", "责任编辑刘某"]
)
def test_not_a_staff_line(line):
    assert parse_staff_line(line) is None


def test_responsible_editor_line_is_kept_out_of_the_body():
    page = (
        "平城区开展消防演练\n\n本报讯（记者 张华）近日，平城区开展消防演练。\n\n责任编辑：刘某 校对：李某\n\n"
        "社区举办书法展\n\n本报讯（记者 尚丽）近日，社区举办书法展。"
    )
    drill, calligraphy = parse_page(page)
    assert (drill.responsible_editor, drill.notes) == ("刘某", ["校对：李某"])
    assert drill.paragraphs == ["近日，平城区开展消防演练。"]
    assert calligraphy.responsible_editor == ""
    assert not [p for story in (drill, calligraphy) for p in story.paragraphs if "编辑" in p]


def test_a_staff_line_above_every_story_is_the_pages():
    page = (
        "本版编辑：王某\n\n责任编辑：刘某\n\n平城区开展消防演练\n\n本报讯（记者 张华）近日，平城区开展消防演练。\n\n"
        "社区举办书法展\n\n本报讯（记者 尚丽）近日，社区举办书法展。\n\n责任编辑：赵某"
    )
    printed = parse_printed_page(page)
    assert printed.editor == "王某"
    assert [story.responsible_editor for story in printed.articles] == ["刘某", "赵某"]
    assert [story.headline for story in printed.articles] == ["平城区开展消防演练", "社区举办书法展"]


# --- Fragments that start or end mid-sentence --------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "starts", "ends"),
    [
        ("作用，妥善协调各方单位。", True, False),
        ("的投资机会时，要冷静分析。", True, False),
        ("，要冷静分析。", True, False),
        ("近日，平城区开展活动。", False, False),
        ("上午，平城区开展活动。", False, False),
        ("一、强化督促指导", False, False),
        ("平城区开展活动，居民纷纷表示", False, True),
        ("“我们一定做好。”", False, False),
    ],
)
def test_starts_and_ends_mid_sentence(paragraph, starts, ends):
    assert (starts_mid_sentence(paragraph), ends_mid_sentence(paragraph)) == (starts, ends)


def test_seed_page_flags_the_story_whose_beginning_is_not_on_the_page(seed_articles):
    assert [i for i, a in enumerate(seed_articles) if a.starts_mid_sentence] == [6]  # 文瀛湖: "作用，…"
    assert not [a for a in seed_articles if a.ends_mid_sentence]


def test_seed_page_records_every_fragment_joined_from_elsewhere(seed_articles):
    joins = {i: a.joins for i, a in enumerate(seed_articles) if a.joins}
    assert joins == {6: ["作用，妥善协调“党建大联盟”各方…"], 8: ["序、环境卫生、文明素质等内容进行…"]}


def test_seed_page_has_no_staff_lines_or_other_outlets(seed_articles):
    assert all(a.responsible_editor == "" and a.notes == [] for a in seed_articles)
    assert all(a.byline is None or a.byline.outlet == "" for a in seed_articles)


def test_a_story_continued_on_another_page_is_flagged_at_both_ends():
    page = (
        "社区举办书法展\n\n本报讯（记者 尚丽）近日，社区举办书法展，吸引居民前来观看，大家纷纷表示\n\n"
        "振华街道\n\n“三个强化”争取创城新成效\n\n本报讯（记者 锦秀）近来，振华街道开展活动。\n\n"
        "序、环境卫生等内容进行治理。"
    )
    calligraphy, zhenhua = parse_page(page)
    # The continuation printed later joins the unfinished story: recorded, and the text is now finished.
    assert calligraphy.joins == ["序、环境卫生等内容进行治理。"]
    assert not calligraphy.ends_mid_sentence
    [alone] = parse_page("社区举办书法展\n\n本报讯（记者 尚丽）近日，社区举办书法展，大家纷纷表示")
    assert alone.ends_mid_sentence and not alone.starts_mid_sentence
    [tail] = parse_page("社区举办书法展\n\n作用，社区举办书法展，大家纷纷点赞。")
    assert tail.starts_mid_sentence and not tail.ends_mid_sentence
