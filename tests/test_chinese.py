"""pingcheng.chinese: masking, list splitting, character counts, highlighting and segmentation."""

import os
import runpy
import subprocess
import sys

import pytest

from pingcheng import chinese
from pingcheng.chinese import (
    EMAIL_RE,
    MOBILE_RE,
    char_count,
    dictionary_refresh,
    highlight,
    index_tokens,
    mask_email,
    mask_name,
    mask_phone,
    register_words,
    split_list,
    words,
)
from pingcheng.directory.models import Unit
from tests.conftest import REPO
from tests.factories import UnitFactory, district

# --- Masking --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("８６１３８１２３４１２３４", "138****1234"),  # full-width digits, 86 prefix
        ("0351-7654321", "035****4321"),  # a landline keeps its area code's start
        ("95598123", "955*8123"),
    ],
)
def test_mask_phone_keeps_the_first_three_and_last_four(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("1234567", "*****67"), ("110", "*10"), ("12", "**"), ("1", "*"), ("", ""), (None, ""), ("  ", "")],
)
def test_mask_phone_of_short_or_empty_input_reveals_at_most_two_characters(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧***"),  # compound surnames are not recognised: less is shown, never more
        (" 李四 ", "李*"),
        ("买买提·艾力", "买**·**"),
        ("Li Ming", "L* ****"),
    ],
)
def test_mask_name_shows_the_first_character_and_one_star_per_hidden_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(("name", "masked"), [("张", "*"), ("", ""), (None, ""), ("   ", "")])
def test_mask_name_hides_a_one_character_name_entirely(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("zhangsan@example.com", "z***@example.com"),
        ("a@example.com", "a***@example.com"),  # the star count does not give the length away
        ("x@y@example.com", "x***@example.com"),
        ("@example.com", "***@example.com"),
        ("not-an-address", "n***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_email_hides_the_local_part_but_its_first_character(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("收件人zhangsan@example.com退信", ["zhangsan@example.com"]),
        ("mailto:a.b+tag@mail.example.cn?subject=x", ["a.b+tag@mail.example.cn"]),
        ("电话13912345678，+86 139 暂缺", ["13912345678"]),
    ],
)
def test_contacts_in_free_text_are_found_whole(text, found):
    assert [match.group() for pattern in (EMAIL_RE, MOBILE_RE) for match in pattern.finditer(text)] == found


def test_an_address_match_never_begins_inside_a_local_part():
    # What keeps the pattern linear on a long run without "@": it is tried once, where the run begins.
    assert EMAIL_RE.search("zhangsan@example.com", 1) is None
    assert EMAIL_RE.search("zhangsan@example.com", 0).group() == "zhangsan@example.com"


def test_a_local_part_or_label_longer_than_the_standard_allows_is_not_an_address():
    assert EMAIL_RE.search("x" * 65 + "@example.com") is None
    assert EMAIL_RE.search("x" * 64 + "@example.com") is not None
    assert EMAIL_RE.search("x@" + "a" * 64 + ".com") is None
    assert EMAIL_RE.search("x@" + "a" * 63 + ".com") is not None


# --- Lists and counts -----------------------------------------------------------------------------------


def test_split_list_splits_at_enumeration_and_both_commas_and_drops_blanks():
    assert split_list("防汛、网格员,创城，志愿服务") == ["防汛", "网格员", "创城", "志愿服务"]
    assert split_list(" 防汛 、、 ,， 创城 ，") == ["防汛", "创城"]
    assert split_list("0351-1234567，0351-7654321") == ["0351-1234567", "0351-7654321"]


def test_split_list_keeps_spaces_and_semicolons_inside_an_item():
    # Stored lists are matched in SQL on 、，, only (articles.selectors.article_list_for_tag).
    assert split_list("平城区 城市管理局；创城") == ["平城区 城市管理局；创城"]
    assert split_list("") == [] and split_list(None) == [] and split_list(" 、 ") == []


def test_article_tags_and_unit_phones_use_split_list():
    from articles.models import Article

    assert Article(tags="防汛、网格员,创城").tag_list == ["防汛", "网格员", "创城"]
    assert Unit(public_phones="0351-1234567、 0351-7654321").phone_list == ["0351-1234567", "0351-7654321"]


def test_char_count_counts_every_visible_character_once():
    assert char_count("平城区网格员") == 6
    assert char_count("2026年") == 5
    assert char_count("“防汛”！ABC") == 8  # full-width punctuation and Latin letters count one each


def test_char_count_ignores_whitespace_and_invisible_characters():
    assert char_count("平城 区\u3000网格\u00a0员\n\t\u200b\ufeff") == 6
    assert char_count("") == 0 and char_count(None) == 0 and char_count(" \u3000 ") == 0


# --- Highlighting ---------------------------------------------------------------------------------------


def test_highlight_escapes_html_and_marks_each_term():
    marked = highlight('<b>网格员</b> & "防汛"网格员', ["网格员", "防汛"])
    assert marked == "&lt;b&gt;<mark>网格员</mark>&lt;/b&gt; &amp; &quot;<mark>防汛</mark>&quot;<mark>网格员</mark>"


def test_highlight_never_cuts_an_entity_or_marks_digits_inside_numbers():
    assert highlight("A & B", ["amp"]) == "A &amp; B"
    assert highlight("2020年1月", ["1"]) == "2020年<mark>1</mark>月"
    assert highlight("<script>", []) == "&lt;script&gt;"
    assert highlight(None, ["网格员"]) == ""


# --- Segmentation ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_segmentation_keeps_district_words_whole():
    assert {"平城区", "网格员", "防汛"} <= set(words("平城区网格员筑牢防汛安全堤"))
    assert words("接诉即办") == ["接诉即办"]


def test_jieba_without_the_civic_dictionary_breaks_district_words():
    import jieba

    plain = jieba.Tokenizer()
    assert "网格员" not in list(plain.cut("平城区网格员筑牢防汛安全堤"))


@pytest.mark.django_db
def test_index_tokens_are_words_with_their_parts_and_hanzi_bigrams():
    found, bigrams = index_tokens("平城区网格员，５G")
    assert {"平城区", "平城", "城区", "网格员", "网格", "5g"} <= set(found)
    assert bigrams == ["平城", "城区", "区网", "网格", "格员"]


@pytest.mark.django_db
def test_words_of_blank_text_are_empty():
    assert words("") == [] and words("  \n") == []
    assert words("的了，。") == []


@pytest.mark.django_db
def test_a_unit_name_from_the_directory_becomes_a_word():
    name = "平城区御河湾服务站"
    assert words(name) != [name]
    UnitFactory(name=name, short_name="御河湾站", kind=Unit.Kind.DEPARTMENT, parent=district())
    assert dictionary_refresh() >= 1
    assert words(name) == [name]
    assert words("御河湾站") == ["御河湾站"]


@pytest.mark.django_db
def test_words_registered_by_a_product_join_the_dictionary(monkeypatch):
    monkeypatch.setattr(chinese, "_word_sources", [])
    word = "琉璃巷夜市坊"
    assert words(word) != [word]
    register_words(lambda: [word, "x"])  # one-character words are ignored
    assert dictionary_refresh() == 1
    assert words(word) == [word]
    assert dictionary_refresh() == 0  # a second refresh adds nothing


def test_importing_the_text_helpers_does_not_load_jieba():
    code = (
        "import django; django.setup(); import sys; "
        "import pingcheng.chinese, pingcheng.richtext, articles.search, articles.services; "
        "print('jieba' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.django_db
def test_the_gunicorn_worker_hook_warms_the_segmenter(monkeypatch):
    monkeypatch.setattr(chinese, "_extra_words_loaded", False)
    hooks = runpy.run_path(str(REPO / "deploy" / "gunicorn.conf.py"))
    hooks["post_worker_init"](None)
    assert chinese._segmenter_ready and chinese._extra_words_loaded


def test_the_zero_of_a_chinese_year_is_hanzi_so_its_bigrams_are_indexed():
    from pingcheng.chinese import HANZI_RUN_RE

    assert HANZI_RUN_RE.findall("二〇二六年，平城区") == ["二〇二六年", "平城区"]
    assert HANZI_RUN_RE.findall("𰀀") == ["𰀀"]  # Extension G
