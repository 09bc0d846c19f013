"""Phone numbers become tap-to-call links (pingcheng.phones); years, sums and counts stay text."""

import pytest

from pingcheng.phones import mobile_number, phone_link, phone_links, tel_uri


def test_the_seed_pages_hotline_numbers_are_links_and_keep_the_mark_after_them():
    html = phone_links("<p>同时，向社会公布了咨询电话：0352-5209130、18535257842、18335204270。</p>")
    assert '<a class="tel" href="tel:03525209130">0352-5209130</a>' in html
    assert '<a class="tel" href="tel:18535257842">18535257842</a>' in html
    # A line never starts with the 、 after a number: the number and its mark are one run.
    assert '<span class="tel-run"><a class="tel" href="tel:18335204270">18335204270</a>。</span>' in html


@pytest.mark.parametrize(
    ("text", "number", "uri"),
    [
        ("可拨打12345政务服务便民热线。", "12345", "tel:12345"),
        ("请致电（0352）2041234咨询", "（0352）2041234", "tel:03522041234"),
        ("联系电话：5209130", "5209130", "tel:5209130"),
        ("服务热线400-123-4567", "400-123-4567", "tel:4001234567"),
        ("手机 +86 138 1234 5678 全天开通", "+86 138 1234 5678", "tel:+8613812345678"),
    ],
)  # fmt: skip
def test_numbers_written_as_people_write_them_are_found(text, number, uri):
    assert f'<a class="tel" href="{uri}">{number}</a>' in phone_links(f"<p>{text}</p>")


@pytest.mark.parametrize(
    "text",
    ["返还所属时间段为2020年1月1日至2022年12月31日", "2020—2022年度", "于10个工作日内", "230多个公示栏",
     "1300多名网格员", "拨打电话100余次", "身份证号140202199001011234", "共计12345元",
     "全年受理市民热线3000件", "拨打电话2000次", "总投资15000000000元", "服务居民13800138000人次"],
)  # fmt: skip
def test_years_sums_and_counts_stay_text(text):
    assert phone_links(f"<p>{text}</p>") == f"<p>{text}</p>"


def test_numbers_in_links_and_attributes_are_left_alone():
    html = '<p><a href="https://example.org/0352-5209130">0352-5209130</a><img alt="18535257842" src="x.jpg"></p>'
    assert phone_links(html) == html


def test_a_contact_blocks_number_is_a_link_and_its_text_is_escaped():
    assert str(phone_link("0352-7654321")) == '<a class="tel" href="tel:03527654321">0352-7654321</a>'
    assert str(phone_link("<b>12")) == "&lt;b&gt;12"
    assert tel_uri(" +86 138-1234-5678") == "tel:+8613812345678"


@pytest.mark.parametrize(
    "written, number",
    [
        ("13900000001", "13900000001"),
        ("139 0000 0001", "13900000001"),
        ("139-0000-0001", "13900000001"),
        ("+86 139 0000 0001", "13900000001"),
        ("8613900000001", "13900000001"),
        ("008613900000001", "13900000001"),
        ("（+86）139－0000－0001", "13900000001"),
        ("１３９００００００01", "13900000001"),
        ("1390000000", ""),  # ten digits
        ("23900000001", ""),  # no mobile begins with 2
        ("0352-5209130", ""),  # a landline
        ("", ""),
        (None, ""),
    ],
)
def test_a_mobile_number_is_read_the_same_however_it_is_written(written, number):
    assert mobile_number(written) == number
