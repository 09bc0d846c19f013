"""A page's HTML as tests read it: without the ``<wbr>`` phrase breaks of headlines, kickers and series titles
(pingcheng.chinese.phrases_html), so that "守住钱袋子 护好幸福家" is found as it reads."""


def page_text(response_or_html) -> str:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    return html.replace("<wbr>", "")
