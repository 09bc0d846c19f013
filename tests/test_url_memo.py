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
