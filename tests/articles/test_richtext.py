"""The article-body allow-list (pingcheng.richtext) and the ``article_html`` filter."""

import pytest
from django.template import Context, Template

from pingcheng.richtext import char_count, clean_article_html, paragraphs_to_html, plain_text

MEDIA_IMG = '<img src="/media/photos/2026/07/0f3a.960.jpg" alt="志愿者清理小广告" width="960" height="640">'


# --- what the editor's toolbar produces survives ------------------------------------------------------


def test_uploaded_image_figure_with_caption_and_credit_survives():
    html = (
        f'<figure class="image image-style-align-center">{MEDIA_IMG}'
        '<figcaption>志愿者清理小广告<span class="photo-credit">曹飞摄</span></figcaption></figure>'
    )
    assert clean_article_html(html) == html


def test_image_srcset_sizes_and_loading_from_media_url_survive():
    html = (
        '<img src="/media/photos/a.960.jpg" srcset="/media/photos/a.480.jpg 480w, /media/photos/a.960.jpg 960w" '
        'sizes="100vw" loading="lazy" alt="">'
    )
    assert clean_article_html(html) == html


def test_headings_lists_quotes_and_inline_marks_survive():
    html = (
        "<h2>一、压实责任</h2><h3>（一）网格包干</h3><h4>小结</h4>"
        "<p><strong>平城区</strong>召开<b>会议</b>，<em>强调</em><i>落实</i>。<br>第二行</p>"
        "<ul><li>入户宣传</li></ul><ol><li>排查隐患</li></ol><blockquote><p>群众的事无小事。</p></blockquote>"
    )
    assert clean_article_html(html) == html


def test_table_in_figure_with_header_and_spans_survives():
    html = (
        '<figure class="table"><table><thead><tr><th colspan="2">防汛物资</th></tr></thead>'
        '<tbody><tr><td rowspan="2">沙袋</td><td>1200</td></tr><tr><td>800</td></tr></tbody></table></figure>'
    )
    assert clean_article_html(html) == html


@pytest.mark.parametrize(
    "href",
    [
        "https://www.pingcheng.gov.cn/zwgk/",
        "http://example.org/a?b=1&amp;c=2",
        "mailto:news@pingcheng.example",
        "/news/12/",
    ],
)
def test_links_keep_safe_targets_and_get_noopener_noreferrer(href):
    cleaned = clean_article_html(f'<p><a href="{href}" title="原文">链接</a></p>')
    assert cleaned == f'<p><a href="{href}" title="原文" rel="noopener noreferrer">链接</a></p>'


def test_cleaning_is_idempotent():
    html = (
        f'<figure class="image">{MEDIA_IMG}<figcaption>说明</figcaption></figure>'
        '<p onclick="x()"><a href="https://a.example/">a</a><script>alert(1)</script></p>'
    )
    once = clean_article_html(html)
    assert clean_article_html(once) == once


# --- what an attacker or a careless paste sends is removed -------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<style>body{display:none}</style>",
        '<iframe src="https://evil.example/"></iframe>',
        '<svg onload="alert(1)"><script>alert(1)</script></svg>',
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        '<object data="evil.swf"></object><embed src="evil.swf">',
        '<form action="https://evil.example/"><input name="pw"><button>登录</button></form>',
        "<template><img src=x onerror=alert(1)></template>",
    ],
)
def test_dangerous_elements_are_removed_with_their_content(html):
    cleaned = clean_article_html(f"<p>正文</p>{html}")
    assert cleaned == "<p>正文</p>"


def test_parser_differential_in_noscript_leaves_only_inert_text():
    # The mXSS classic: a parser with scripting on sees an <img> escape the attribute. Ours drops the whole
    # <noscript>; what remains of the attribute's tail is escaped text, not markup.
    cleaned = clean_article_html('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>')
    assert "<img" not in cleaned and "onerror" not in cleaned
    assert "<" not in cleaned.replace("&lt;", "")


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "javascript&#58;alert(1)",
        "javascript&colon;alert(1)",
        "&#106;avascript:alert(1)",
        " \tjava\nscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
    ],
)
def test_links_with_unsafe_schemes_lose_their_href(href):
    cleaned = clean_article_html(f'<p><a href="{href}">点击</a></p>')
    assert cleaned == '<p><a rel="noopener noreferrer">点击</a></p>'


def test_event_handlers_style_and_unknown_attributes_are_stripped():
    html = (
        '<p style="color:red" onclick="alert(1)" onmouseover="x" class="lead" id="a" title="t" lang="en">'
        '<img src="/media/photos/a.jpg" onerror="alert(1)" style="width:1px" data-x="1" loading="auto"></p>'
    )
    assert clean_article_html(html) == '<p><img src="/media/photos/a.jpg" alt=""></p>'


def test_comments_are_stripped():
    assert (
        clean_article_html("<p>正文<!-- 内部备注：待核实 --></p><!--[if IE]><script>x</script><![endif]-->")
        == "<p>正文</p>"
    )


def test_figure_and_span_keep_only_known_classes():
    html = '<figure class="image evil-overlay"><figcaption><span class="photo-credit big">曹飞摄</span><span class="x">y</span></figcaption></figure>'
    assert clean_article_html(html) == (
        '<figure class="image"><figcaption><span class="photo-credit">曹飞摄</span><span>y</span></figcaption></figure>'
    )


@pytest.mark.parametrize(
    "src",
    [
        "data:image/png;base64,iVBORw0KGgo=",
        "https://evil.example/pixel.gif",
        "//evil.example/media/pixel.gif",
        "http://tracker.example/media/photos/a.jpg",
        "/admin/logout/",
        "photos/a.jpg",
        "/media/../admin/",
        "/media/%2e%2e/admin/",
        "/media/",
        "javascript:alert(1)",
    ],
)
def test_images_not_from_our_media_url_are_removed(src):
    cleaned = clean_article_html(
        f'<figure class="image"><img src="{src}" alt="x"><figcaption>说明</figcaption></figure>'
    )
    assert cleaned == '<figure class="image"><figcaption>说明</figcaption></figure>'


def test_image_with_an_alt_containing_angle_brackets_is_handled():
    cleaned = clean_article_html('<img alt="a > b" src="https://evil.example/p.gif"><img alt="<b>" src="/media/p.jpg">')
    assert cleaned == '<img alt="&lt;b&gt;" src="/media/p.jpg">'


def test_absolute_url_to_our_own_media_becomes_relative(settings):
    settings.SITE_URL = "https://news.pingcheng.example"
    cleaned = clean_article_html('<img src="https://news.pingcheng.example/media/photos/a.jpg">')
    assert cleaned == '<img src="/media/photos/a.jpg" alt="">'


def test_media_url_is_read_when_cleaning(settings):
    settings.MEDIA_URL = "https://cdn.pingcheng.example/m/"
    assert clean_article_html('<img src="https://cdn.pingcheng.example/m/photos/a.jpg">') == (
        '<img src="https://cdn.pingcheng.example/m/photos/a.jpg" alt="">'
    )
    assert clean_article_html('<img src="/media/photos/a.jpg">') == ""


def test_srcset_with_a_foreign_candidate_is_dropped():
    cleaned = clean_article_html(
        '<img src="/media/a.jpg" srcset="/media/a.480.jpg 480w, https://evil.example/x.jpg 960w">'
    )
    assert cleaned == '<img src="/media/a.jpg" alt="">'


def test_every_image_that_stays_has_an_alt_attribute_and_cleaning_twice_changes_nothing():
    cleaned = clean_article_html('<p><img src="/media/photos/a.960.jpg" width="960"></p><img src="/media/b.jpg" alt="说明">')
    assert cleaned == '<p><img src="/media/photos/a.960.jpg" width="960" alt=""></p><img src="/media/b.jpg" alt="说明">'
    assert clean_article_html(cleaned) == cleaned


@pytest.mark.parametrize("value", ["100%", "1e9", "-1", "9999999", "expression(alert(1))", "١٢", "²"])
def test_non_numeric_sizes_and_spans_are_dropped(value):
    cleaned = clean_article_html(f'<table><tbody><tr><td colspan="{value}">x</td></tr></tbody></table>')
    assert cleaned == "<table><tbody><tr><td>x</td></tr></tbody></table>"


def test_disallowed_formatting_tags_are_unwrapped_keeping_their_text():
    assert clean_article_html("<h1>大标题</h1><p><u>下划</u><font color=red>红字</font></p>") == "大标题<p>下划红字</p>"


def test_empty_body_stays_empty():
    assert clean_article_html("") == ""


# --- the article_html filter --------------------------------------------------------------------------


def test_article_html_filter_cleans_again_and_marks_safe():
    template = Template("{% load article_body %}<div>{{ body|article_html }}</div>")
    html = template.render(Context({"body": '<p onclick="x">平城区<script>alert(1)</script></p>'}))
    assert html == "<div><p>平城区</p></div>"


def test_article_html_filter_renders_nothing_for_none():
    assert Template("{% load article_body %}{{ body|article_html }}").render(Context({"body": None})) == ""


# --- plain text and 字数 -------------------------------------------------------------------------------


def test_plain_text_unescapes_entities_and_separates_blocks():
    html = (
        "<h2>防汛&amp;安全</h2><p>平城区&nbsp;网格员<strong>筑牢</strong>防线</p>"
        "<ul><li>入户</li><li>巡查</li></ul><p>a&lt;b</p><script>alert(1)</script>"
    )
    assert plain_text(html) == "防汛&安全 平城区 网格员筑牢防线 入户 巡查 a<b"


def test_plain_text_collapses_whitespace_including_ideographic_spaces():
    assert plain_text("<p>\u3000\u3000近日，\n  平城区\t开展</p>") == "近日， 平城区 开展"


def test_char_count_counts_every_visible_character_and_no_whitespace():
    # 平城区(3) 网格员，(4) 2026年(5) 好(1): punctuation, digits and letters count one each.
    assert char_count("<p>平城区 网格员，2026年\u3000\u200b好</p>") == 13


def test_char_count_of_a_chinese_paragraph():
    body = "<p>本报讯（记者 宋芳）为激励大学生扎根乡村建功立业。</p><p>近日，振华街道开展“防非”宣传。</p>"
    assert char_count(body) == len("本报讯（记者宋芳）为激励大学生扎根乡村建功立业。近日，振华街道开展“防非”宣传。")


def test_char_count_ignores_markup_and_images():
    assert char_count(f'<figure class="image">{MEDIA_IMG}<figcaption>说明</figcaption></figure>') == 2
    assert char_count("") == 0


def test_paragraphs_to_html_escapes_and_skips_blank_paragraphs():
    html = paragraphs_to_html(["  近日，<b>平城区</b> & 社区 ", "", "   ", "第二段"])
    assert html == "<p>近日，&lt;b&gt;平城区&lt;/b&gt; &amp; 社区</p>\n<p>第二段</p>"
    assert clean_article_html(html) == html
