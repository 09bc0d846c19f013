"""The newsroom's public views on their own, without the site-wide request guard in front of them.

A NUL byte (which PostgreSQL refuses in any parameter) or odd but valid Unicode in a URL capture or query
parameter is a 404 or a form message, never a 500, even if the guard middleware is not there.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from articles import search_views, views

pytestmark = pytest.mark.django_db
ODD = ["\x00", "防汛\x00", "\u202e防汛", "\U0001f600", "\ufeff", "a" * 5000, "\\", "(", "[[:alpha:]]", "\u3000"]


def _get(path: str = "/", **params):
    request = RequestFactory().get(path, params)
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize("value", ODD)
def test_the_tag_view_answers_404_for_odd_tags(value):
    with pytest.raises(Http404):
        views.tag_detail(_get(), tag=value)


@pytest.mark.parametrize("value", ODD)
def test_the_epaper_view_answers_404_for_odd_dates(value):
    with pytest.raises(Http404):
        views.epaper_edition(_get(), edition_date=value)


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("param", ["q", "section", "unit", "from", "to"])
def test_the_search_page_answers_odd_parameters_with_a_page(param, value):
    assert search_views.search(_get("/search/", **{param: value})).status_code == 200
