"""Residents subscribe without an account, confirm by link or SMS code, manage from a link and unsubscribe in
one click (RFC 8058)."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from pingcheng.notices import sms
from pingcheng.notices.models import Notice, Subscriber, Subscription, Topic
from pingcheng.notices.services import notices_sweep
from tests.notices.subscribing import follower, unit_tree

pytestmark = pytest.mark.django_db
SUBSCRIBE = "/subscribe/"


@pytest.fixture
def units():
    return unit_tree()


def _subscribe(client, units, address: str, **extra):
    data = {"address": address, "topics": ["news", "campaign"], "units": [units["yujinyuan"].pk],
            "frequency": "immediate", **extra}  # fmt: skip
    return client.post(SUBSCRIBE, data, REMOTE_ADDR=extra.pop("ip", "10.0.0.1"))


def _link(body: str, name: str) -> str:
    return re.search(rf"https?://\S+/subscribe/{name}/\S+/", body).group()


def test_the_subscribe_page_lists_streets_with_their_communities(client, units, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(SUBSCRIBE)
    assert response.status_code == 200
    page = response.text
    assert "新旺街道全域" in page and "御锦源社区" in page and "订阅内容" in page
    assert "<script" not in page.split("</header>")[-1].split("<footer")[0]


def test_subscribing_by_email_sends_a_confirmation_link_and_nothing_else_until_confirmed(client, units):
    response = _subscribe(client, units, "Resident@Example.com")
    assert response.status_code == 200 and "请查收邮件" in response.text
    person = Subscriber.objects.get()
    assert person.email == "resident@example.com" and person.confirmed_at is None
    assert {(s.topic, s.unit_id) for s in person.subscriptions.all()} == {
        ("news", units["yujinyuan"].pk), ("campaign", units["yujinyuan"].pk)
    }  # fmt: skip
    notices_sweep()
    [message] = mail.outbox
    confirm = _link(message.body, "confirm")
    # A link scanner's GET confirms nothing; the button does.
    assert client.get(confirm).status_code == 200
    person.refresh_from_db()
    assert person.confirmed_at is None
    response = client.post(confirm)
    assert response.status_code == 302 and f"/subscribe/manage/{person.token}/" in response["Location"]
    person.refresh_from_db()
    assert person.confirmed_at is not None


def test_subscribing_by_phone_is_confirmed_by_the_code_sent_by_sms(client, units):
    response = _subscribe(client, units, "139 0013 9000")
    assert response.status_code == 302 and response["Location"] == "/subscribe/verify/"
    notices_sweep()
    [message] = sms.outbox
    assert message.phone == "13900139000" and message.text.startswith("【平城区融媒体中心】")
    code = re.search(r"\d{6}", message.text).group()
    page = client.get("/subscribe/verify/")
    assert "139****9000" in page.text and "13900139000" not in page.text
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post("/subscribe/verify/", {"code": wrong})
    assert refused.status_code == 400 and "验证码不正确" in refused.text
    response = client.post("/subscribe/verify/", {"code": code})
    person = Subscriber.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/subscribe/manage/{person.token}/"
    assert person.confirmed_at is not None


@pytest.mark.parametrize("typed", ["+86 139 0013 9000", "+86-139-0013-9000", "86 13900139000", "１３９００１３９０００"])
def test_a_phone_typed_with_the_country_code_or_full_width_digits_is_one_number(client, units, typed):
    follower(phone="13900139000", unit=units["zhenhua"])
    response = _subscribe(client, units, typed)
    assert response.status_code in (200, 302) and "errorlist" not in response.text
    # The same resident, not a second subscriber under another spelling of the number.
    assert list(Subscriber.objects.values_list("phone", flat=True)) == ["13900139000"]


def test_a_code_stops_working_after_five_wrong_tries(client, units):
    _subscribe(client, units, "13900139000")
    notices_sweep()
    code = re.search(r"\d{6}", sms.outbox[0].text).group()
    wrong = "000000" if code != "000000" else "111111"
    for _try in range(5):
        client.post("/subscribe/verify/", {"code": wrong})
    response = client.post("/subscribe/verify/", {"code": code})
    assert response.status_code == 400 and "验证码已失效" in response.text
    assert Subscriber.objects.get().confirmed_at is None


def test_subscribing_again_with_a_confirmed_address_changes_nothing_and_sends_the_manage_link(client, units):
    person = follower(email="resident@example.com", unit=units["zhenhua"])
    response = _subscribe(client, units, "resident@example.com")
    assert response.status_code == 200 and "请查收邮件" in response.text
    assert list(person.subscriptions.values_list("unit", flat=True)) == [units["zhenhua"].pk]
    notices_sweep()
    [message] = mail.outbox
    assert _link(message.body, "manage").endswith(f"/subscribe/manage/{person.token}/")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not-an-address", "请填写邮箱地址或11位手机号码"),
        ("1390013900", "请填写11位手机号码"),
        ("someone@", "请填写有效的邮箱地址"),
        ("", ""),
    ],
)
def test_a_malformed_address_is_a_form_error(client, units, address, message):
    response = _subscribe(client, units, address)
    assert response.status_code == 400 and message in response.text
    assert not Subscriber.objects.exists()


def test_subscribing_without_a_topic_is_a_form_error(client, units):
    response = _subscribe(client, units, "resident@example.com", topics=[])
    assert response.status_code == 400 and "请至少选择一项订阅内容" in response.text


def test_a_nul_character_is_a_form_error_not_a_500(client, units):
    response = _subscribe(client, units, "a\x00@example.com")
    assert response.status_code == 400


@override_settings(RATELIMIT_ENABLE=True)
def test_subscribing_is_rate_limited_per_address(client, units):
    statuses = [_subscribe(client, units, "resident@example.com", ip=f"10.0.1.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "操作太频繁" in _subscribe(client, units, "resident@example.com", ip="10.0.1.9").text


@override_settings(RATELIMIT_ENABLE=True)
def test_subscribing_is_rate_limited_per_ip(client, units):
    statuses = [_subscribe(client, units, f"r{n}@example.com", ip="10.0.2.1").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert _subscribe(client, units, "other@example.com", ip="10.0.2.2").status_code == 200


def test_the_manage_page_changes_the_subscriptions(client, units, django_assert_max_num_queries):
    person = follower(email="resident@example.com", unit=units["zhenhua"])
    with django_assert_max_num_queries(8):
        page = client.get(f"/subscribe/manage/{person.token}/")
    assert page.status_code == 200 and "r***@example.com" in page.text and "resident@example.com" not in page.text
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    response = client.post(f"/subscribe/manage/{person.token}/",
                           {"topics": ["warning"], "units": [units["xinwang"].pk], "frequency": "daily"})  # fmt: skip
    assert response.status_code == 302
    assert list(person.subscriptions.values_list("topic", "unit", "frequency")) == [
        ("warning", units["xinwang"].pk, "daily")
    ]


def test_a_manage_link_with_an_unknown_or_malformed_token_is_refused_with_a_4xx(client, units):
    assert client.get("/subscribe/manage/" + "x" * 43 + "/").status_code == 404
    assert client.get("/subscribe/manage/short/").status_code == 404
    assert client.get("/subscribe/manage/bad%00token-bad-token-bad/").status_code == 400


def test_unsubscribe_get_asks_and_post_unsubscribes(client, units):
    person = follower(phone="13900139000", unit=units["yujinyuan"])
    url = f"/subscribe/unsubscribe/{person.token}/"
    page = client.get(url)
    assert page.status_code == 200 and "确认退订" in page.text
    person.refresh_from_db()
    assert person.is_active
    done = client.post(url)
    assert done.status_code == 200 and "已退订" in done.text
    person.refresh_from_db()
    assert not person.is_active


def test_one_click_unsubscribe_from_a_mail_client_needs_no_csrf_token(units):
    from django.test import Client

    person = follower(email="resident@example.com", unit=units["yujinyuan"])
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(f"/subscribe/unsubscribe/{person.token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert not person.is_active


def test_unsubscribing_cancels_what_was_still_waiting(units):
    from pingcheng.notices import services
    from pingcheng.notices.subscriptions import subscriber_unsubscribe

    person = follower(phone="13900139000", unit=units["yujinyuan"])
    [notice] = services.notice_enqueue(kind="news_published", recipient=person, key="article:1:subscribers",
                                       context={"title": "标题", "url": "http://x/"})  # fmt: skip
    subscriber_unsubscribe(subscriber=person)
    notices_sweep()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CANCELED and sms.outbox == []


def test_resubscribing_after_unsubscribing_needs_a_new_confirmation(client, units):
    person = follower(email="resident@example.com", unit=units["yujinyuan"], active=False)
    _subscribe(client, units, "resident@example.com")
    person.refresh_from_db()
    assert person.is_active and person.confirmed_at is None
    assert Subscription.objects.filter(subscriber=person, topic=Topic.CAMPAIGN).exists()


def test_the_footer_links_the_subscribe_page(client, units):
    assert 'href="/subscribe/"' in client.get(SUBSCRIBE).text
