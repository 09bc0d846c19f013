"""Reading on a 390 px phone in Chromium: headlines wrap between phrases, never inside a word, and phone numbers
are one tap target that neither wraps nor is spread by the justified paragraph around it."""

import pytest
from django.core.management import call_command

from pingcheng.chinese import dictionary_refresh
from pingcheng.display_mode import COOKIE_NAME, LARGE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WHOLE = ["小微企业", "工会经费", "钱袋子", "幸福家", "网格员", "平城区", "安全堤", "游商小贩", "大学生", "志愿服务",
         "新活力", "新常态", "新成效", "继往开来", "砥砺奋进", "新征程", "五个必须", "三个强化", "小南头街道"]  # fmt: skip
# The text of each line a title is laid out on, from the position of every character.
LINES = """(selector) => [...document.querySelectorAll(selector)].map(element => {
    const lines = new Map();
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0];
            if (!rect) continue;
            const top = Math.round(rect.top / 4);
            lines.set(top, (lines.get(top) || "") + node.data[i]);
        }
    }
    return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(entry => entry[1].trim());
})"""
TEL = """() => [...document.querySelectorAll(".article-body a.tel")].map(link => {
    const box = link.closest(".tel-run") || link;
    const probe = document.createElement("span");
    probe.style.cssText = "position:absolute;white-space:nowrap;visibility:hidden";
    probe.textContent = link.textContent;
    link.parentElement.appendChild(probe);
    const natural = probe.getBoundingClientRect().width;
    probe.remove();
    return {text: link.textContent, boxes: box.getClientRects().length, width: link.getBoundingClientRect().width,
            natural: natural, href: link.getAttribute("href"), align: getComputedStyle(link.closest("p")).textAlign};
})"""


@pytest.fixture
def site(live_server):
    call_command("load_demo", verbosity=0)
    dictionary_refresh()
    from articles.models import Article
    from articles.rendering import articles_render_store

    articles_render_store(Article.objects.values_list("pk", flat=True))
    return live_server.url


def _split_words(page, selector: str) -> list[str]:
    problems = []
    for lines in page.evaluate(LINES, selector):
        title = "".join(lines)
        for word in WHOLE:
            if word in title and not any(word in line for line in lines):
                problems.append(f"{word}: {' / '.join(lines)}")
    return problems


@pytest.mark.parametrize("mode", ["standard", LARGE])
def test_headlines_wrap_between_phrases_on_a_phone(site, phone, mode):
    if mode == LARGE:
        phone.context.add_cookies([{"name": COOKIE_NAME, "value": LARGE, "url": site}])
    wrapped = 0
    for path in ["/", "/news/", "/epaper/2025-07-18/"]:
        phone.goto(site + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert _split_words(phone, ".card-title, .headline, .kicker") == [], path
        wrapped += sum(len(lines) > 1 for lines in phone.evaluate(LINES, ".card-title, .headline"))
    assert wrapped >= 3  # the check saw titles that do wrap on a phone


def test_an_articles_headline_and_phone_numbers_on_a_phone(site, phone):
    phone.goto(site + "/")
    phone.get_by_role("link", name="全方位推动小微企业工会经费返还").first.click()
    phone.wait_for_url("**/news/*/")
    assert _split_words(phone, ".headline, .kicker") == []
    numbers = phone.evaluate(TEL)
    assert [n["text"] for n in numbers] == ["0352-5209130", "18535257842", "18335204270"]
    for number in numbers:
        assert number["boxes"] == 1, number  # never wrapped, and the 、 after it stays on its line
        assert abs(number["width"] - number["natural"]) < 1, number  # never spread by justification
        assert number["href"].startswith("tel:")
        # Nor the line before it, which ends early when the whole number does not fit: its paragraph is ragged.
        assert number["align"] in ("start", "left"), number
