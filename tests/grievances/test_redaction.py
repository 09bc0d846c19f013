"""pingcheng.redaction on the kind of text residents type into the inquiry desk."""

import pytest

from pingcheng.audit.privacy import personal_data_in
from pingcheng.redaction import ADDRESS, EMAIL, ID_NUMBER, NAME, PHONE, redact


def test_self_introduction_with_community_name_phone_id_and_address_is_redacted():
    text = "我是御锦源社区的张秀英，电话13812345678，身份证140202198507121234，住3号楼2单元501室，想咨询工会会费返还。"
    assert redact(text) == (
        f"我是御锦源社区的{NAME}，电话{PHONE}，身份证{ID_NUMBER}，住{ADDRESS}，想咨询工会会费返还。"
    )


def test_community_and_street_names_stay_because_the_answer_needs_them():
    text = "新建北路街道的路灯坏了三个月了，南关街与大西街交叉口积水。"
    assert redact(text) == text


def test_question_without_personal_data_is_unchanged_including_dates_and_counts():
    text = "平城区总工会会费返还需要哪些材料？10个工作日内答复吗？2025年7月19日，共3人。"
    assert redact(text) == text


@pytest.mark.parametrize(
    "phone",
    ["13812345678", "+86 13812345678", "138 1234 5678", "138-1234-5678", "0352-5209130", "（0352）5209130",
     "03525209130", "１３８１２３４５６７８"],
)  # fmt: skip
def test_phone_numbers_in_every_written_form_are_redacted(phone):
    result = redact(f"有事请打{phone}，谢谢")
    assert result == f"有事请打{PHONE}，谢谢"
    assert not personal_data_in(result)


def test_local_number_is_redacted_only_when_announced_as_a_phone():
    assert redact("固话 5209131。") == f"固话 {PHONE}。"
    assert redact("共计5209131元。") == "共计5209131元。"


def test_old_and_new_id_numbers_with_x_and_full_width_digits_are_redacted():
    assert redact("身份证号14020219850712123X") == f"身份证号{ID_NUMBER}"
    assert redact("身份证号１４０２０２１９８５０７１２１２３Ｘ") == f"身份证号{ID_NUMBER}"
    assert redact("老身份证140202850712123") == f"老身份证{ID_NUMBER}"


def test_id_number_is_not_half_read_as_a_phone_number():
    assert PHONE not in redact("身份证140202198513812345")


def test_email_is_redacted():
    assert redact("邮箱zhang.san@example.com。") == f"邮箱{EMAIL}。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我家住文兴路18号院，漏水", f"我家住{ADDRESS}，漏水"),
        ("住在御锦源小区12栋3单元402", f"住在{ADDRESS}"),
        ("2单元501室楼道灯不亮", f"{ADDRESS}楼道灯不亮"),
    ],
)
def test_household_addresses_are_redacted_but_the_verb_in_front_stays(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我叫胡德顺。", f"我叫{NAME}。"),
        ("联系人：孙桂兰 手机 138 1234 5678", f"联系人：{NAME} 手机 {PHONE}"),
        ("社区王主任和李桂兰阿姨都知道", f"社区{NAME}主任和{NAME}阿姨都知道"),
        ("找王先生，他说不归他管", f"找{NAME}先生，他说不归他管"),
        ("老张师傅说的", f"老{NAME}师傅说的"),
        ("欧阳娜娜女士反映", f"{NAME}女士反映"),
    ],
)
def test_names_introduced_or_addressed_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", ["小区保安大爷说物业公司经理不管。", "居委会主任说要等。", "党支部书记来了。"])
def test_titles_without_a_name_are_left_alone(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("尊敬的领导：您好！路灯坏了", "路灯坏了"),
        ("王主任您好，路灯坏了", "路灯坏了"),
        ("您好，请问会费怎么返还", "请问会费怎么返还"),
    ],
)
def test_leading_salutation_is_removed(text, expected):
    assert redact(text) == expected


def test_demo_resident_names_never_survive_in_a_self_introduction():
    for name in ("孙桂兰", "郭建平", "林秀英", "何淑珍", "胡德顺", "杨翠花"):
        assert not personal_data_in(redact(f"我是{name}，家里暖气不热。")), name


def test_empty_and_none_give_empty_text():
    assert redact("") == ""
    assert redact(None) == ""


def test_long_text_is_redacted_in_reasonable_time():
    text = "我是御锦源社区的张秀英，电话13812345678。" * 2000
    result = redact(text)
    assert PHONE in result and "13812345678" not in result
