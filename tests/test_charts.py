"""pingcheng.charts: server-drawn SVG that parses, names itself, prints its numbers as text, escapes what the
database says, and gives the same bytes for the same figures."""

from decimal import Decimal
from xml.etree import ElementTree as ET

from pingcheng import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def _texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def _labelled_by(root: ET.Element) -> list[str]:
    ids = root.get("aria-labelledby").split()
    found = {element.get("id"): element.text for element in root.iter() if element.get("id")}
    return [found[key] for key in ids]


def test_a_bar_chart_is_an_image_named_by_its_title_and_description_with_each_label_and_number_as_text():
    svg = charts.bar_chart(chart_id="units", title="各单位开展活动场次", description="本月；数字见下表。", unit="场",
                           bars=[charts.Bar("御锦源社区", 12), charts.Bar("柳园东院社区", 3), charts.Bar("新旺街道本级", 0)])  # fmt: skip
    root = _parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert _labelled_by(root) == ["各单位开展活动场次", "本月；数字见下表。"]
    texts = _texts(root)
    assert ["御锦源社区", "12场", "柳园东院社区", "3场", "新旺街道本级", "0场"] == texts
    # Every bar also says what it is to a pointer (its own title), so nothing rests on length or colour alone.
    assert [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")] == ["御锦源社区：12场", "柳园东院社区：3场",
                                                                          "新旺街道本级：0场"]  # fmt: skip


def test_bars_are_as_long_as_their_values_and_the_largest_fits_the_chart():
    root = _parse(charts.bar_chart(chart_id="x", title="t", description="d",
                                   bars=[charts.Bar("甲", 40), charts.Bar("乙", 10)]))  # fmt: skip
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == 4 * widths[1]
    assert widths[0] + 40 < float(root.get("width"))


def test_text_from_the_database_is_escaped_and_cannot_add_markup():
    hostile = '<script>alert(1)</script>"&'
    svg = str(charts.bar_chart(chart_id='a"b<c', title=hostile, description=hostile, bars=[charts.Bar(hostile, 1)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = _parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == hostile
    assert not list(root.iter(f"{SVG}script"))
    assert root.find(f"{SVG}title").get("id") == "a-b-c-title"


def test_the_same_figures_draw_the_same_bytes():
    def draw():
        return charts.time_series(chart_id="s", title="每周", description="d",
                                  points=[charts.Point(f"第{n}周", n * 1.1, f"{n}") for n in range(9)])  # fmt: skip

    assert draw() == draw()
    assert "0000000" not in draw()  # coordinates are rounded, not float noise


def test_numbers_are_written_as_people_write_them():
    assert [charts.number_text(v) for v in (Decimal("320.0"), Decimal("12.5"), Decimal("1E+3"), 7, 2.50)] == [
        "320", "12.5", "1000", "7", "2.5",
    ]  # fmt: skip


def test_progress_bars_write_done_target_and_percent_and_cap_the_fill_at_the_track():
    root = _parse(charts.progress_bars(chart_id="p", title="目标", description="d", goals=[
        charts.Goal("御锦源社区 · 宣传资料", Decimal("320"), Decimal("500"), "份"),
        charts.Goal("新旺街道 · 巡查", 30, 20, "次"),
        charts.Goal("柳园 · 走访", 0, 10, "户"),
    ]))  # fmt: skip
    texts = _texts(root)
    assert "320/500份（64%）" in texts and "30/20次（150%）" in texts and "0/10户（0%）" in texts
    groups = list(root.iter(f"{SVG}g"))
    track = [float(r.get("width")) for r in groups[1].iter(f"{SVG}rect")]
    assert track[0] == track[1]  # 150 % fills the track, no further
    assert len(list(groups[2].iter(f"{SVG}rect"))) == 1  # nothing done: the outlined track alone


def test_a_time_series_has_one_column_title_per_step_and_names_first_middle_and_last():
    points = [charts.Point(f"11月{d}日起的一周", v, f"11/{d}") for d, v in ((3, 2), (10, 0), (17, 5), (24, 1))]
    root = _parse(charts.time_series(chart_id="s", title="每周开展活动场次", description="d", points=points, unit="场"))
    titles = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "chart-column"]
    assert titles == ["11月3日起的一周：2场", "11月10日起的一周：0场", "11月17日起的一周：5场", "11月24日起的一周：1场"]
    texts = _texts(root)
    assert texts[:2] == ["5", "0"]  # the axis: the largest value and zero
    assert {"11/3", "11/17", "11/24"} <= set(texts) and "11/10" not in texts


def test_a_sparkline_spells_out_its_values_in_its_description():
    root = _parse(charts.sparkline(chart_id="k", title="防汛每周活动场次", values=[1, 0, 4]))
    assert _labelled_by(root) == ["防汛每周活动场次", "1、0、4"]
    assert len(root.find(f"{SVG}polyline").get("points").split()) == 3


def test_empty_charts_say_there_is_nothing_rather_than_drawing_nothing():
    assert "暂无数据" in _texts(_parse(charts.bar_chart(chart_id="e", title="t", description="d", bars=[])))
    assert "暂无数据" in _texts(_parse(charts.time_series(chart_id="e", title="t", description="d", points=[])))
    assert "没有设定目标" in _texts(_parse(charts.progress_bars(chart_id="e", title="t", description="d", goals=[])))
    assert _labelled_by(_parse(charts.sparkline(chart_id="e", title="t", values=[])))[1] == "暂无数据"


def test_long_labels_are_shortened_to_fit_with_an_ellipsis():
    label = "守住钱袋子 护好幸福家——防范非法集资宣传进社区进网格进家庭系列活动"
    root = _parse(charts.bar_chart(chart_id="l", title="t", description="d", bars=[charts.Bar(label, 1)]))
    shown = _texts(root)[0]
    assert shown.endswith("…") and label.startswith(shown[:-1])
    assert charts.text_width(shown) <= charts.WIDTH
    assert root.find(f"{SVG}g/{SVG}title").text.startswith(label)  # the full name stays in the bar's title
