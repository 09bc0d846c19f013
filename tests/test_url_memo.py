"""pingcheng.url_memo: an article's URL without the resolver is the URL reverse() gives, under any prefix."""

from django.urls import reverse, set_script_prefix

from pingcheng.url_memo import reverse_with_int


def test_an_articles_url_is_what_reverse_gives_for_each_number_and_script_prefix():
    try:
        for prefix in ("/", "/news-site/"):
            set_script_prefix(prefix)
            for pk in (1, 42, 987654321987, 10**20):
                assert reverse_with_int("articles:detail", "pk", pk) == reverse("articles:detail", kwargs={"pk": pk})
    finally:
        set_script_prefix("/")


def test_a_section_or_street_url_is_what_reverse_gives_under_each_script_prefix_and_the_memo_stays_bounded(
    monkeypatch,
):
    from pingcheng import url_memo

    monkeypatch.setattr(url_memo, "_REVERSED_MAX", 3)
    try:
        for prefix in ("/", "/news-site/"):
            set_script_prefix(prefix)
            for slug in ("yaowen", "jie-dao", "a_b"):
                expected = reverse("articles:section", kwargs={"slug": slug})
                assert url_memo.reverse_memo("articles:section", slug=slug) == expected
                assert url_memo.reverse_memo("articles:section", slug=slug) == expected  # from the memo
            assert url_memo.reverse_memo("articles:unit", code="xinwang") == reverse(
                "articles:unit", kwargs={"code": "xinwang"}
            )
            assert len(url_memo._reversed) <= 3
    finally:
        set_script_prefix("/")
