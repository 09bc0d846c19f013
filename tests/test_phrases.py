"""Headlines break between words and phrases on a phone (pingcheng.chinese.phrases), checked on the seed page."""

import pytest

from articles.demo import SEED_PAGE, SERIES_TITLE
from articles.print_import import parse_page
from pingcheng.chinese import dictionary_refresh, phrases, phrases_html
from pingcheng.directory.demo import load_units

pytestmark = pytest.mark.django_db

# Words of the seed page's headlines, kickers and series title that a line must never split.
WHOLE = ["小微企业", "工会经费", "返还", "全方位", "钱袋子", "幸福", "网格员", "平城区", "安全堤", "五个必须", "三个强化",
         "游商小贩", "大学生", "志愿服务", "扎根", "农村", "党建引领", "创城", "新活力", "新常态", "新成效", "继往开来",
         "砥砺奋进", "新征程", "人民检察院", "小南头街道", "文瀛湖街道", "大庆路街道", "振华街道", "平城区总工会"]  # fmt: skip


def _seed_titles() -> list[str]:
    drafts = parse_page(SEED_PAGE.read_text(encoding="utf-8"))
    return [text for d in drafts for text in (d.kicker, d.headline, d.subtitle) if text] + [f"{SERIES_TITLE}（五）"]


@pytest.fixture
def directory_words():
    """The district's unit names are words too (as in production, where the directory exists at start-up)."""
    load_units()
    dictionary_refresh()


def test_no_seed_headline_kicker_or_series_title_breaks_inside_a_word(directory_words):
    titles = _seed_titles()
    assert len(titles) >= 15
    checked = 0
    for title in titles:
        pieces = phrases(title)
        assert "".join(pieces) == title
        starts, at = [], 0
        for piece in pieces:
            starts.append(at)
            at += len(piece)
        breaks = set(starts[1:])
        for word in WHOLE:
            begin = title.find(word)
            while begin != -1:
                inside = set(range(begin + 1, begin + len(word)))
                assert not breaks & inside, f"{title}: {' / '.join(pieces)} splits {word}"
                checked += 1
                begin = title.find(word, begin + 1)
    assert checked >= 30


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("全方位推动小微企业工会经费返还", ["全方位", "推动", "小微企业", "工会经费返还"]),
        ("守住钱袋子 护好幸福家", ["守住", "钱袋子", " ", "护好", "幸福家"]),
        ("继往开来担使命 砥砺奋进新征程（五）", ["继往开来", "担使命", " ", "砥砺奋进", "新征程（五）"]),
        ("平城区网格员筑牢防汛“安全堤”", ["平城区", "网格员", "筑牢防汛", "“安全堤”"]),
    ],
)  # fmt: skip
def test_a_long_headline_still_has_places_to_break(title, expected):
    assert phrases(title) == expected


def test_the_html_marks_breaks_with_wbr_keeps_spaces_and_escapes_the_text():
    assert str(phrases_html("守住钱袋子 护好幸福家")) == '<span class="phrases">守住<wbr>钱袋子 护好<wbr>幸福家</span>'
    marked = str(phrases_html("<script>“防汛”&"))
    assert "<script" not in marked and "&lt;script" in marked and "&amp;" in marked
    assert str(phrases_html("")) == "" and phrases("Pingcheng News") == ["Pingcheng News"]
