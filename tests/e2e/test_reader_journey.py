"""A resident on a phone: front page → article → its series → search."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    call_command("load_demo", verbosity=0)
    return live_server.url


def test_a_reader_follows_the_news_on_a_phone(site, phone):
    phone.goto(site + "/")
    assert phone.locator("html").get_attribute("lang") == "zh-Hans"
    # Nothing overflows sideways on a 390 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_role("link", name="固本强基提高执政能力做到“五个必须”").first.click()
    phone.wait_for_url("**/news/*/")
    assert phone.get_by_role("heading", level=1).inner_text().replace("\n", "") == "固本强基提高执政能力做到“五个必须”"
    assert "本报记者 邱东芳" in phone.locator(".byline").inner_text()

    phone.get_by_role("link", name="继往开来担使命 砥砺奋进新征程（五）").click()
    phone.wait_for_url("**/news/series/**")
    assert "继往开来担使命 砥砺奋进新征程" in phone.get_by_role("heading", level=1).inner_text()

    phone.get_by_label("搜索").fill("网格员")
    phone.get_by_label("搜索").press("Enter")
    phone.wait_for_url("**/search/?q=*")
    first_result = phone.locator("main ol li a, main ul li a").filter(has_text="安全堤").first
    assert first_result.is_visible()


def test_the_skip_link_is_the_first_stop_for_a_keyboard(site, phone):
    phone.goto(site + "/news/")
    phone.keyboard.press("Tab")
    focused = phone.evaluate("document.activeElement.textContent.trim()")
    assert focused == "跳到正文"
