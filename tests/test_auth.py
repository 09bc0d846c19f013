"""Staff sign-in: lockout after repeated failures (by account and by address), its unlock by the district
administrator, the idle limit of staff sessions, and Django's own powers kept from district administrators.

Logins go through the real admin login page with real passwords; the client's address is REMOTE_ADDR (or the
last X-Forwarded-For entry behind the proxy). Failures are counted in the database, so this runs the same on
SQLite and PostgreSQL, and with the cache down.
"""

import logging
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.test import override_settings

from pingcheng.accounts import LAST_SEEN_KEY, login_client_ip_behind_proxy, login_unlock
from pingcheng.cache_backends import redis_cache_config
from pingcheng.directory.models import Role
from pingcheng.errors import DomainError
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/"
PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory's
LOCKED_TEXT = "登录失败次数过多"
OFFICE, ELSEWHERE = "10.20.30.40", "172.16.5.9"
LOCKOUTS = "/admin/audit/loginlock/"  # django-axes' AccessAttempt rows, through the Chinese-named proxy


def attempt(client, username: str, password: str, *, address: str = OFFICE, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=address, **extra)  # fmt: skip


def fail(client, username: str, times: int, *, address: str = OFFICE, **extra):
    return [attempt(client, username, "wrong-password", address=address, **extra) for _ in range(times)]


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == "/admin/" and response.wsgi_request.user.is_authenticated


@pytest.fixture
def editor():
    user = staff(Role.EDITOR, username="bianji")
    user.refresh_from_db()
    return user


# --- lockout ------------------------------------------------------------------------------------------


def test_four_failures_do_not_lock_the_account(client, editor):
    responses = fail(client, "bianji", 4)

    assert [r.status_code for r in responses] == [200] * 4
    assert logged_in(attempt(client, "bianji", PASSWORD))


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(client, editor):
    responses = fail(client, "bianji", 5)

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    response = attempt(client, "bianji", PASSWORD)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in client.session


def test_a_locked_account_stays_locked_from_another_address(client, editor):
    fail(client, "bianji", 5, address=OFFICE)

    response = attempt(client, "bianji", PASSWORD, address=ELSEWHERE)

    assert response.status_code == 429 and not response.wsgi_request.user.is_authenticated


def test_five_failures_from_one_address_lock_it_for_every_account(client, editor):
    for name in ["zhang", "wang", "li", "zhao", "liu"]:  # one failure each: no single account reaches the limit
        fail(client, name, 1, address=OFFICE)

    from_office = attempt(client, "bianji", PASSWORD, address=OFFICE)
    assert from_office.status_code == 429 and not from_office.wsgi_request.user.is_authenticated
    assert logged_in(attempt(client, "bianji", PASSWORD, address=ELSEWHERE))


def test_lockout_page_is_the_login_form_with_a_chinese_explanation(client, editor):
    response = fail(client, "bianji", 5)[-1]

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert LOCKED_TEXT in text and "30 分钟后再试" in text and "区级管理员" in text
    assert 'class="errornote"' in text
    assert 'name="username"' in text and 'value="bianji"' in text and 'name="password"' in text


def test_failures_are_counted_in_the_database_so_lockout_holds_with_the_cache_down(client, editor):
    dead_redis = {"default": redis_cache_config("redis://127.0.0.1:1/0")}
    with override_settings(CACHES=dead_redis):
        fail(client, "bianji", 5)
        response = attempt(client, "bianji", PASSWORD)

    assert response.status_code == 429
    assert AccessAttempt.objects.filter(username="bianji").get().failures_since_start == 5


def test_behind_the_proxy_the_address_nginx_appended_is_counted_not_a_forged_one(client, editor):
    with override_settings(AXES_CLIENT_IP_CALLABLE="pingcheng.accounts.login_client_ip_behind_proxy"):
        for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"]:
            fail(client, f"guess-{forged}", 1, address="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{forged}, {OFFICE}")

        from_office = attempt(client, "bianji", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR=OFFICE)
        assert from_office.status_code == 429
        from_elsewhere = attempt(client, "bianji", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR=ELSEWHERE)
        assert logged_in(from_elsewhere)


def test_a_malformed_forwarded_address_falls_back_to_the_peer_address(rf):
    request = rf.post(LOGIN_URL, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1, not-an-address")
    assert login_client_ip_behind_proxy(request) == "127.0.0.1"
    request = rf.post(LOGIN_URL, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="bogus, 203.0.113.7")
    assert login_client_ip_behind_proxy(request) == "203.0.113.7"


def test_a_failed_login_with_a_phone_number_is_logged_masked(client, caplog):
    caplog.set_level(logging.INFO)

    fail(client, "13812345678", 5)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "138****5678" in logged
    assert "13812345678" not in logged


# --- unlock -------------------------------------------------------------------------------------------


def test_district_admin_unlocks_an_account_from_the_user_list(client, editor):
    fail(client, "bianji", 5)
    admin = staff(Role.DISTRICT_ADMIN)
    client.force_login(admin)

    response = client.post("/admin/auth/user/", {"action": "unlock_login", "_selected_action": [editor.pk]},
                           follow=True)  # fmt: skip

    assert response.status_code == 200 and "已解除所选账号的登录锁定" in response.text
    client.logout()
    assert logged_in(attempt(client, "bianji", PASSWORD))


def test_district_admin_unlocks_an_address_in_the_lockout_list(client, editor):
    for name in ["zhang", "wang", "li", "zhao", "liu"]:
        fail(client, name, 1, address=OFFICE)
    client.force_login(staff(Role.DISTRICT_ADMIN))

    listing = client.get(LOCKOUTS)
    assert listing.status_code == 200 and OFFICE in listing.text and "登录锁定" in listing.text
    rows = list(AccessAttempt.objects.filter(ip_address=OFFICE).values_list("pk", flat=True))
    response = client.post(LOCKOUTS, {"action": "unlock", "_selected_action": rows}, follow=True)

    assert "已解除所选账号和地址的登录锁定" in response.text
    assert not AccessAttempt.objects.filter(ip_address=OFFICE).exists()
    client.logout()
    assert logged_in(attempt(client, "bianji", PASSWORD, address=OFFICE))


def test_the_lockout_list_and_record_read_in_chinese(client, editor):
    fail(client, "bianji", 5)
    client.force_login(staff(Role.DISTRICT_ADMIN))

    listing = client.get(LOCKOUTS).text
    record = client.get(f"{LOCKOUTS}{AccessAttempt.objects.get(username='bianji').pk}/change/").text

    for label in ["账号", "IP 地址", "失败次数", "最近失败时间", "已锁定", "审计", "登录锁定"]:
        assert label in listing
    assert "bianji · 10.20.30.40" in record and "浏览器标识" in record and "登录页路径" in record
    # django-axes' own names, field labels and string form.
    english = ["Axes", "Access attempt", "access attempt", "Username", "IP Address", "Failed Logins", "Attempt Time",
               "User Agent", "Attempted Access"]  # fmt: skip
    assert [word for word in english if word in listing + record] == []


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CHIEF_EDITOR, Role.STREET_STAFF])
def test_other_staff_neither_see_nor_lift_lockouts(client, editor, role):
    fail(client, "bianji", 5)
    client.force_login(staff(role))

    assert client.get(LOCKOUTS).status_code == 403
    assert client.post("/admin/auth/user/", {"action": "unlock_login", "_selected_action": [editor.pk]}).status_code == 403
    with pytest.raises(DomainError) as refusal:
        login_unlock(by=staff(role), usernames=["bianji"])
    assert refusal.value.code == "unlock_forbidden"
    client.logout()
    assert attempt(client, "bianji", PASSWORD).status_code == 429


# --- idle staff sessions ------------------------------------------------------------------------------


def _idle_for(client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - minutes * 60
    session.save()


def test_a_staff_session_idle_for_more_than_30_minutes_ends(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    _idle_for(client, 31)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[0][0].startswith("/admin/login/")
    assert not response.wsgi_request.user.is_authenticated
    assert "30 分钟未操作" in response.text
    assert client.get("/admin/").status_code == 302  # the session is gone, not just this request


def test_a_staff_session_idle_for_less_than_30_minutes_goes_on(client, editor):
    client.force_login(editor)
    client.get("/admin/")
    _idle_for(client, 29)

    assert client.get("/admin/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 60  # the request counted as activity


def test_a_non_staff_session_has_no_idle_limit(client):
    user = UserFactory(is_staff=False)
    client.force_login(user)
    client.get("/")
    _idle_for(client, 600)

    assert client.get("/").wsgi_request.user == user


# --- Django's own powers ------------------------------------------------------------------------------


def _user_change_post(user, **changes) -> dict:
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name, "email": "",
        "is_active": "on", "is_staff": "on", "date_joined_0": "2026-01-05", "date_joined_1": "09:00:00",
        "last_login_0": "", "last_login_1": "",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def powers():
    return {"is_superuser": "on", "groups": [Group.objects.create(name="全部权限").pk],
            "user_permissions": [Permission.objects.get(codename="change_user").pk]}  # fmt: skip


def test_district_admin_cannot_make_themselves_superuser_by_post(client, powers):
    admin = staff(Role.DISTRICT_ADMIN)
    client.force_login(admin)

    page = client.get(f"/admin/auth/user/{admin.pk}/change/")
    response = client.post(f"/admin/auth/user/{admin.pk}/change/", _user_change_post(admin, **powers))

    assert 'name="is_superuser"' not in page.text and 'name="user_permissions"' not in page.text
    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.is_superuser
    assert not admin.groups.exists() and not admin.user_permissions.exists()


def test_district_admin_cannot_make_anyone_else_superuser_by_post(client, editor, powers):
    client.force_login(staff(Role.DISTRICT_ADMIN))

    response = client.post(f"/admin/auth/user/{editor.pk}/change/", _user_change_post(editor, first_name="新名", **powers))

    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.first_name == "新名"  # the rest of the form is saved
    assert not editor.is_superuser and not editor.groups.exists() and not editor.user_permissions.exists()


def test_a_superuser_may_grant_superuser(client, editor, powers):
    client.force_login(UserFactory(is_superuser=True))

    response = client.post(f"/admin/auth/user/{editor.pk}/change/", _user_change_post(editor, **powers))

    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.is_superuser and editor.groups.exists() and editor.user_permissions.exists()


def test_district_admin_cannot_change_a_superusers_account_or_password(client):
    root = UserFactory(is_superuser=True, username="root")
    client.force_login(staff(Role.DISTRICT_ADMIN))

    page = client.get(f"/admin/auth/user/{root.pk}/change/")
    assert page.status_code == 200 and 'name="username"' not in page.text  # read-only view
    assert client.post(f"/admin/auth/user/{root.pk}/change/", _user_change_post(root, is_active="")).status_code == 403
    password = client.post(f"/admin/auth/user/{root.pk}/password/",
                           {"password1": "Taken-0ver-2026!", "password2": "Taken-0ver-2026!"})  # fmt: skip
    assert password.status_code == 403
    root.refresh_from_db()
    assert root.is_active and root.check_password(PASSWORD)
    client.post("/admin/auth/user/", {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"})
    assert type(root).objects.filter(pk=root.pk).exists()
