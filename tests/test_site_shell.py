"""The public site shell: base.html, the error pages, the shared includes and the stylesheet."""

import re

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_home_page_is_chinese_and_mobile_ready(home):
    assert '<html lang="zh-Hans">' in home
    assert 'name="viewport"' in home
    assert "<title>平城新闻 · 平城区新闻</title>" in home
    assert "css/site.css" in home
    assert "img/favicon.svg" in home


def test_home_page_has_skip_link_to_focusable_main(home):
    assert re.search(r'<a class="skip-link" href="#main">跳到正文</a>', home)
    assert '<main id="main" tabindex="-1"' in home
    # The skip link comes before the header, so it is the first thing a keyboard reaches.
    assert home.index("skip-link") < home.index("<header")


def test_home_page_has_landmarks_and_main_navigation(home):
    for landmark in ("<header", "<main", "<footer", '<nav class="site-nav" aria-label="主导航">'):
        assert landmark in home
    for href, label in (
        ("/news/", "新闻"),
        ("/campaigns/", "专项活动"),
        ("/inquiries/", "群众诉求"),
        ("/epaper/", "电子版"),
    ):
        assert f'<a href="{href}">{label}</a>' in home
    # On the home page no section is current.
    assert 'aria-current="true"' not in home


def test_home_page_has_labelled_search_form(home):
    assert re.search(r'<form class="site-search" role="search" action="/search/" method="get">', home)
    assert '<label class="sr-only" for="site-search-q">搜索</label>' in home
    assert re.search(r'<input id="site-search-q" type="search" name="q"', home)


def test_home_page_footer_has_slogan_publisher_and_links(home):
    footer = home[home.index("<footer") :]
    assert "城市管理精细化 创建全国文明城市" in footer
    assert "平城区融媒体中心 主办" in footer
    assert 'href="/news/corrections/">更正</a>' in footer
    assert 'href="/feeds/rss/">RSS</a>' in footer
    assert re.search(r"&copy; 20\d\d ", footer)


def test_home_page_links_the_products(home):
    main = home[home.index("<main") : home.index("</main>")]
    for href in ("/epaper/", "/campaigns/", "/inquiries/"):
        assert f'class="card-link" href="{href}"' in main


def test_missing_url_renders_chinese_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    body = response.content.decode()
    assert "页面不存在" in body
    assert 'href="/">返回首页</a>' in body
    assert 'href="/search/">搜索本站</a>' in body
    assert '<html lang="zh-Hans">' in body


def test_search_query_is_echoed_escaped_in_the_header_of_search_and_error_pages_only(client):
    for path in ("/search/", "/no-such-page/"):
        body = client.get(path, {"q": '<script>"x"'}).content.decode()
        assert 'value="&lt;script&gt;&quot;x&quot;"' in body
        assert "<script>\"x" not in body
    # A public page is cached: it must never carry one reader's words to the next.
    assert "&lt;script&gt;" not in client.get("/news/", {"q": '<script>"x"'}).content.decode()


def test_section_is_marked_current_from_the_path(rf):
    request = rf.get("/news/corrections/")
    html = render_to_string("404.html", request=request)
    assert '<a href="/news/" aria-current="true">新闻</a>' in html
    assert '<a href="/campaigns/">专项活动</a>' in html


def test_section_is_marked_current_from_the_nav_context_variable(rf):
    html = render_to_string("404.html", {"nav": "epaper"}, request=rf.get("/news/"))
    assert 'aria-current="true">电子版</a>' in html
    assert '<a href="/news/">新闻</a>' in html


def test_section_landing_page_is_the_current_page(rf):
    html = render_to_string("404.html", request=rf.get("/inquiries/"))
    assert '<a href="/inquiries/" aria-current="page">群众诉求</a>' in html


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("400.html", "请求有误"),
        ("403.html", "没有权限"),
        ("404.html", "页面不存在"),
        ("500.html", "服务器出错了，我们已记录"),
    ],
)
def test_error_pages_render_without_request_or_context(template, text, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string(template)
    assert text in html
    assert "平城新闻" in html  # SITE_NAME default
    assert "城市管理精细化 创建全国文明城市" in html  # SITE_SLOGAN default
    assert 'href="/search/"' in html


def test_messages_render_with_level_and_spoken_prefix():
    messages = [
        Message(message_levels.ERROR, "提交失败"),
        Message(message_levels.SUCCESS, "已提交"),
    ]
    html = render_to_string("404.html", {"messages": messages})
    assert '<li class="message message-error" role="alert"><span class="sr-only">错误：</span>提交失败</li>' in html
    assert '<li class="message message-success"><span class="sr-only">成功：</span>已提交</li>' in html


def test_breadcrumbs_mark_the_last_crumb_as_current():
    crumbs = [("新闻", "/news/"), ("更正", "/news/corrections/")]
    html = render_to_string("includes/breadcrumbs.html", {"crumbs": crumbs})
    assert '<nav class="breadcrumbs" aria-label="面包屑导航">' in html
    assert '<a href="/">首页</a>' in html
    assert '<a href="/news/">新闻</a>' in html
    assert '<span aria-current="page">更正</span>' in html
    assert "/news/corrections/" not in html


def test_breadcrumbs_render_inside_base_when_crumbs_given():
    html = render_to_string("articles/archive.html", {"crumbs": [("新闻", "/news/")], "months": []})
    assert html.index('class="breadcrumbs"') < html.index("<h1>")


def test_pagination_renders_nothing_for_a_single_page():
    page = Paginator(range(5), 10).page(1)
    assert render_to_string("includes/pagination.html", {"page_obj": page}).strip() == ""


def test_pagination_keeps_the_parameters_paginate_kept():
    page = Paginator(range(50), 10).page(2)
    page.querystring = "q=a&section=3"  # what pingcheng.pagination.paginate(keep=…) sets
    html = render_to_string("includes/pagination.html", {"page_obj": page})
    assert '<nav class="pagination" aria-label="分页">' in html
    assert 'rel="prev" href="?q=a&amp;section=3&amp;page=1"' in html
    assert 'rel="next" href="?q=a&amp;section=3&amp;page=3"' in html
    assert "第 2 / 5 页" in html


def test_pagination_drops_other_request_parameters_and_marks_current_page():
    """A cached list must not hand one reader's parameters (?ref=…) to the next in its page links."""
    paginator = Paginator(range(200), 10)
    page = paginator.page(7)
    request = RequestFactory().get("/news/", {"ref": "广告", "page": "7"})
    html = render_to_string(
        "includes/pagination.html",
        {"page_obj": page, "page_range": paginator.get_elided_page_range(7, on_each_side=1, on_ends=1)},
        request=request,
    )
    assert 'rel="next" href="?page=8"' in html
    assert "?ref=" not in html and "&amp;ref=" not in html
    assert '<span class="pagination-current" aria-current="page">' in html
    assert 'class="pagination-gap" aria-hidden="true">…</span>' in html
    assert "page=20" in html


def test_pagination_without_request_or_querystring_uses_plain_page_links():
    page = Paginator(range(30), 10).page(3)
    html = render_to_string("includes/pagination.html", {"page_obj": page})
    assert 'rel="prev" href="?page=2"' in html
    assert 'rel="next"' not in html


def test_stylesheet_and_favicon_are_found_by_static_finders():
    css_path = finders.find("css/site.css")
    assert css_path
    css = open(css_path, encoding="utf-8").read()
    assert '"Noto Sans CJK SC"' in css
    assert '"Noto Serif CJK SC"' in css
    assert "line-break: strict" in css
    assert ":focus-visible" in css
    assert "prefers-reduced-motion" in css
    for selector in (".kicker", ".headline", ".byline", ".errorlist", ".table", ".grid", ".sr-only", ".messages"):
        assert selector in css
    assert finders.find("img/favicon.svg")


def test_500_page_does_not_read_messages():
    html = render_to_string("500.html", {"messages": [Message(message_levels.INFO, "不应出现")]})
    assert "不应出现" not in html


def test_inquiries_menu_entry_is_the_desk_with_the_consultation_phones(client):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    response = client.get("/inquiries/")
    assert response.status_code == 200
    assert "正在建设中" not in response.text and "我要提诉求" in response.text
    assert "0352-5209130" in response.text  # 区总工会's public phone from the seed page
