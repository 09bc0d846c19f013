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
    format_byline,
    format_photo_credit,
    parse_byline,
    parse_chinese_numeral,
    parse_page,
    parse_page_slogan,
    parse_photo_credit,
    series_heading,
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
