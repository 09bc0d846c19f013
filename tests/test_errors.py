"""Hostile input gets a clear 4xx, never a 500; the error pages render whatever the request holds.

PostgreSQL refuses NUL in any string parameter, so a NUL that reaches a query was a 500 there
(``/news/tags/%00/``); too many query parameters made the 400 page itself fail. The same requests run on
SQLite, where they must give the same answers.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse

from pingcheng import views
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "空字符"
TOO_MANY_FIELDS = "&".join(f"f{i}=1" for i in range(2000))


@pytest.fixture
def client():
    # Exceptions become the 500 page a visitor would see, so that a test can assert on the status.
    return Client(raise_request_exception=False)


def page_text(response) -> str:
    return response.content.decode()


# --- NUL bytes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/news/tags/%00/", "/news/tags/a%00b/", "/news/units/%00/", "/epaper/%00/1/", "/feeds/section/x%00/rss/"],
)
def test_nul_in_the_path_is_refused_with_400_in_chinese(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert NUL_MESSAGE in page_text(response)


def test_an_ordinary_tag_path_is_not_refused(client):
    assert client.get("/news/tags/防汛/").status_code in (200, 404)
    assert client.get("/news/tags/%E9%98%B2%E6%B1%9B/").status_code in (200, 404)
    assert client.get("/news/tags/100%25/").status_code in (200, 404)


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "page=%00", "%00=1"])
def test_nul_in_the_query_string_is_refused_with_400(client, query):
    response = client.get(f"/search/?{query}")

    assert response.status_code == 400
    assert NUL_MESSAGE in page_text(response)


def test_an_ordinary_query_is_not_refused(client):
    assert client.get("/search/?q=防汛&page=1").status_code == 200


def test_nul_in_a_form_field_is_refused_before_the_view_reads_it(client):
    response = client.post(reverse("admin:login"), {"username": "editor\x00", "password": "x"})

    assert response.status_code == 400
    assert NUL_MESSAGE in page_text(response)


def test_an_ordinary_form_post_reaches_the_view(client):
    response = client.post(reverse("admin:login"), {"username": "editor", "password": "x"})

    assert response.status_code == 200
    assert "username" in page_text(response)


def test_nul_in_an_upload_form_is_refused_with_json_the_editor_can_show(client):
    response = client.post(reverse("articles:photo_upload"), {"caption": "a\x00"})

    assert response.status_code == 400
    assert NUL_MESSAGE in response.json()["error"]["message"]


def test_nul_in_a_cookie_is_refused(client):
    # The session key is looked up in the database as it comes.
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"

    assert client.get("/news/").status_code == 400


def test_nul_in_a_header_is_refused(client):
    assert client.get("/news/", headers={"user-agent": "Mozilla\x00"}).status_code == 400


def test_the_guards_400_carries_the_sites_security_headers(client):
    response = client.get("/news/tags/%00/")

    assert response.status_code == 400
    assert "default-src" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- too many parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/news/", "/search/", "/news/tags/防汛/", "/healthz", "/no/such/page/"])
def test_too_many_query_parameters_get_the_400_page_not_a_500(client, url):
    response = client.get(f"{url}?{TOO_MANY_FIELDS}")

    assert response.status_code == 400
    assert "请求有误" in page_text(response)


def test_too_many_form_fields_get_the_400_page(client):
    data = {f"f{i}": "1" for i in range(2000)}

    response = client.post(reverse("admin:login"), data)

    assert response.status_code == 400
    assert "请求有误" in page_text(response)


@pytest.mark.parametrize(
    ("handler", "status"),
    [(views.bad_request, 400), (views.permission_denied, 403), (views.page_not_found, 404)],
)
def test_error_pages_render_without_reading_an_unparseable_query(handler, status):
    # Without the guard in front: the handler alone must cope with a query that raises when read.
    request = RequestFactory().get(f"/news/?{TOO_MANY_FIELDS}")

    response = handler(request, Exception("x"))

    assert response.status_code == status
    assert 'name="q" value=""' in page_text(response)


def test_error_page_keeps_an_ordinary_search_query_in_the_search_box(client):
    response = client.get("/no/such/page/?q=防汛")

    assert response.status_code == 404
    assert 'name="q" value="防汛"' in page_text(response)


# --- non-UTF-8 escapes and other odd input -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/news/tags/%ff%fe/",
        "/news/%ff/",
        "/news/tags/%ed%a0%80/",
        "/epaper/%c0%af/",
        "/search/?q=%ff%fe",
        "/news/?page=%ff",
        "/%ff%fe",
        "/news/1000000000000000000000000000000/",
        "/news/archive/2020/13/40/",
    ],
)
def test_non_utf8_escapes_and_impossible_values_give_a_4xx(client, url):
    assert 400 <= client.get(url).status_code < 500


# --- CSRF ----------------------------------------------------------------------------------------------


def test_csrf_failure_on_a_page_answers_the_chinese_html_403():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "editor", "password": "x"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "刷新" in page_text(response)


def test_csrf_failure_for_a_client_that_wants_json_answers_json():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {}, headers={"accept": "application/json"})

    assert response.status_code == 403
    assert "刷新" in response.json()["error"]["message"]


# --- the admin login's next ------------------------------------------------------------------------------


@pytest.fixture
def staff_user():
    user = UserFactory(is_staff=True, username="desk")
    user.set_password("correct horse battery")
    user.save()
    return user


def log_in_through_the_form(client, next_url: str):
    url = reverse("admin:login") + "?" + QueryDict.fromkeys(["next"], next_url).urlencode()
    page = client.get(url)
    assert page.status_code == 200
    hidden_next = page.context["next"]
    return client.post(url, {"username": "desk", "password": "correct horse battery", "next": hidden_next})


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/no/such/page", "/\\evil.example/", "javascript:alert(1)"],
)
def test_a_rejected_next_lands_on_the_admin_dashboard(client, staff_user, next_url):
    response = log_in_through_the_form(client, next_url)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.session[SESSION_KEY] == str(staff_user.pk)


def test_an_internal_next_that_exists_is_followed(client, staff_user):
    response = log_in_through_the_form(client, reverse("admin:password_change"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change")


def test_a_wrong_password_with_a_rejected_next_stays_on_the_login_page(client, staff_user):
    url = reverse("admin:login") + "?next=https://evil.example/"

    response = client.post(url, {"username": "desk", "password": "wrong", "next": "https://evil.example/"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
