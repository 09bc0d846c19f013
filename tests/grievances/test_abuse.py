"""Abuse of the public desk: robots, floods, double submits, duplicates and garbage never file twice or 500."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from grievances.models import Inquiry
from grievances.verification import PhoneCode
from tests.grievances.public_world import personal_data_key, world
from tests.grievances.test_public import PHONE, _code, _step1, _text, submit
from tests.test_redis_outage import redis_server, site_on_redis  # noqa: F401 — a real Redis the test stops

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings):
    personal_data_key(settings)
    cache.clear()
    return world()


@pytest.fixture
def outbox():
    from pingcheng.notices import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def test_honeypot_filled_by_a_robot_sends_no_sms_and_keeps_no_draft(client, w, outbox):
    response = client.post(reverse("grievances:new"), _step1(w, website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == reverse("grievances:index")
    assert outbox == [] and not PhoneCode.objects.exists()
    assert client.get(reverse("grievances:confirm"))["Location"] == reverse("grievances:new")


def test_double_submit_of_step_two_files_one_inquiry(client, w, outbox):
    client.post(reverse("grievances:new"), _step1(w))
    code = _code(outbox)
    # The second press arrives after the first one filed it (the same session, the same code).
    twin = Client()
    twin.cookies["sessionid"] = client.cookies["sessionid"].value
    first = twin.post(reverse("grievances:confirm"), {"code": code, "action": "submit"})
    assert first.status_code == 302
    second = client.post(reverse("grievances:confirm"), {"code": code, "action": "submit"})
    assert second.status_code == 302 and second["Location"] == reverse("grievances:done")
    assert Inquiry.objects.count() == 1


def test_same_draft_submitted_twice_with_its_key_is_one_inquiry(client, w, outbox):
    from grievances import public_data
    from grievances.public_views import DRAFT

    client.post(reverse("grievances:new"), _step1(w))
    draft = client.session[DRAFT]
    one = public_data.inquiry_submit_draft(draft=draft, phone=PHONE)
    two = public_data.inquiry_submit_draft(draft=draft, phone=PHONE)
    assert one.pk == two.pk and Inquiry.objects.count() == 1


def test_near_identical_text_from_the_same_phone_shows_the_existing_code(client, w, outbox):
    submit(client, w, outbox)
    first = Inquiry.objects.get()
    PhoneCode.objects.update(created_at=PhoneCode.objects.get().created_at.replace(year=2000))  # past the cooldown
    other = Client()
    text = "我们是一家小微企业，想申请工会经费返还，请问需要准备哪些材料，多久能办好？？"
    response = submit(other, w, outbox, text=text)
    assert response["Location"] == reverse("grievances:done")
    page = _text(other.get(reverse("grievances:done")))
    assert "您已经提交过这件事" in page and first.tracking_code_display in page
    assert Inquiry.objects.count() == 1


def test_same_text_from_another_phone_is_a_new_inquiry(client, w, outbox):
    submit(client, w, outbox)
    submit(Client(), w, outbox, phone="13900001111")
    assert Inquiry.objects.count() == 2


def test_a_different_question_from_the_same_phone_is_a_new_inquiry(client, w, outbox):
    submit(client, w, outbox)
    PhoneCode.objects.update(created_at=PhoneCode.objects.get().created_at.replace(year=2000))
    submit(Client(), w, outbox, title="路灯不亮", text="小区门口的路灯已经坏了一个多月，晚上出行很不安全。")
    assert Inquiry.objects.count() == 2


def test_step_one_flood_from_one_address_is_refused_with_a_chinese_message(client, w, outbox, settings):
    from grievances import public_views

    settings.RATELIMIT_ENABLE = True
    refused = None
    for n in range(int(public_views.DRAFT_RATE.split("/")[0]) + 1):
        response = client.post(reverse("grievances:new"), _step1(w, phone=f"1390000{n:04d}"))
        if response.status_code == 429:
            refused = response
            break
    assert refused is not None and "操作太频繁" in refused.content.decode()


def test_tracking_guesses_from_one_address_are_rate_limited(client, w):
    statuses = [
        client.post(
            reverse("grievances:track"), {"code": f"PC-2345-6789-ABC{n % 9 + 2}", "phone_tail": "1234"}
        ).status_code
        for n in range(35)
    ]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_code_guessing_is_stopped_after_five_tries_even_with_fresh_sessions(client, w, outbox):
    client.post(reverse("grievances:new"), _step1(w))
    code = _code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("grievances:confirm"), {"code": wrong, "action": "submit"})
    response = client.post(reverse("grievances:confirm"), {"code": code, "action": "submit"})
    assert "输错次数太多" in response.content.decode()
    assert not Inquiry.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"title": "标题\x00"},
        {"text": "内容" * 20000},
        {"name": "名" * 500},
        {"topic": "1\x00"},
        {"place": "-1"},
        {"kind": ["consult", "help"]},
        {"phone": "１３８１２３４５６７８" * 100},
    ],
)
def test_garbage_on_step_one_is_never_a_server_error(client, w, outbox, data):
    response = client.post(reverse("grievances:new"), _step1(w, **data))
    assert response.status_code in (302, 400)


def test_too_many_fields_is_a_400_page(client, w):
    fields = {f"f{n}": "x" for n in range(1200)}
    assert client.post(reverse("grievances:new"), fields).status_code == 400
    assert client.post(reverse("grievances:track"), fields).status_code == 400


@pytest.mark.parametrize(
    "path",
    ["/inquiries/track/%00/", "/inquiries/track/" + "a" * 3000 + "/", "/inquiries/answers/units/%ff/",
     "/inquiries/answers/search/?q=%00", "/inquiries/answers/?page=abc", "/inquiries/answers/search/?q=" + "会" * 5000,
     "/inquiries/track/x/my-data/", "/inquiries/new/done/"],
)  # fmt: skip
def test_bad_paths_and_queries_are_4xx_or_a_page(client, w, path):
    assert client.get(path).status_code in (200, 302, 400, 404)


@pytest.mark.parametrize("data", [{"code": "\x00"}, {"code": "1" * 5000}, {}, {"action": "resend", "code": "x"}])
def test_garbage_on_step_two_is_never_a_server_error(client, w, outbox, data):
    client.post(reverse("grievances:new"), _step1(w))
    assert client.post(reverse("grievances:confirm"), data).status_code in (200, 302, 400)


@pytest.mark.parametrize(
    "data", [{"code": "\x00", "phone_tail": "1"}, {"code": "x" * 5000, "phone_tail": "１２３４"}, {}]
)
def test_garbage_on_tracking_is_never_a_server_error(client, w, data):
    assert client.post(reverse("grievances:track"), data).status_code in (400, 404)


def test_with_redis_stopped_a_resident_still_submits_and_tracks(client, w, outbox, site_on_redis):  # noqa: F811
    client.get("/inquiries/")
    site_on_redis.stop()
    response = submit(client, w, outbox)
    assert response.status_code == 302 and response["Location"] == reverse("grievances:done")
    inquiry = Inquiry.objects.get()
    tracked = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": PHONE[-4:]})
    assert tracked.status_code == 302
    assert client.get(tracked["Location"]).status_code == 200
    assert client.get(reverse("grievances:answers")).status_code == 200


def test_behind_nginx_each_resident_is_counted_by_the_address_nginx_appended(client, w, outbox, settings):
    from grievances import verification

    settings.AXES_CLIENT_IP_CALLABLE = "pingcheng.accounts.login_client_ip_behind_proxy"
    for n in range(verification.IP_HOURLY):
        response = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.9.0.{n + 1}").post(
            reverse("grievances:new"), _step1(w, phone=f"1390000{n:04d}")
        )
        assert response.status_code == 302
    # One more resident through the same nginx is not refused for what the others did.
    last = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.1.1")
    assert last.post(reverse("grievances:new"), _step1(w, phone="13700000000")).status_code == 302
    # A forged first hop does not help one address past its own limit.
    flood = [
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 10.9.2.2")
        .post(reverse("grievances:new"), _step1(w, phone=f"1370001{n:04d}"))
        .status_code
        for n in range(verification.IP_HOURLY + 1)
    ]
    assert flood[-1] == 429
