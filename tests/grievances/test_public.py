"""The resident's pages of the inquiry desk: landing, public answers, FAQ, tracking — over HTTP."""

import pytest
from django.urls import reverse

from grievances.models import Inquiry
from pingcheng.audit.privacy import personal_data_in
from tests.grievances.public_world import UNION_PHONES, personal_data_key, published_answer, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings):
    personal_data_key(settings)
    return world()


def test_site_shell_link_and_landing_lead_to_the_desk(client, w):
    assert reverse("inquiries-coming") == reverse("grievances:index") == "/inquiries/"
    page = client.get("/inquiries/")
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("我要提诉求", "查办理进度", "看公开答复", "常见问题", "区总工会"):
        assert words in text
    assert 'href="tel:0352-5209130"' in text or 'href="tel:03525209130"' in text
    assert "正在建设中" not in text


def test_landing_shows_recent_answers_and_faq(client, w):
    published_answer(w)
    text = client.get("/inquiries/").content.decode()
    assert "小微企业工会经费怎么返还" in text and w.faq.question in text


def test_public_answers_list_only_consented_published_ones_and_never_personal_data(client, w):
    shown = published_answer(w)
    hidden = published_answer(w, title="未公开的问题")
    Inquiry.objects.filter(pk=hidden.pk).update(is_published=False)
    page = client.get(reverse("grievances:answers"))
    text = page.content.decode()
    assert shown.public_title in text and "未公开的问题" not in text
    assert not personal_data_in(text)


def test_answer_detail_shows_question_answer_and_unit_phone(client, w):
    inquiry = published_answer(w)
    text = client.get(reverse("grievances:answer", args=[inquiry.pk])).content.decode()
    assert inquiry.public_question in text and "全额返还" in text and "区总工会" in text
    assert not personal_data_in(text)


def test_unpublished_answer_detail_is_404(client, w):
    inquiry = published_answer(w)
    Inquiry.objects.filter(pk=inquiry.pk).update(is_published=False)
    assert client.get(reverse("grievances:answer", args=[inquiry.pk])).status_code == 404
    assert client.get("/inquiries/answers/999999999999999999999/").status_code == 404


def test_answers_by_topic_and_unit_filter(client, w):
    union_answer = published_answer(w)
    street_answer = published_answer(w, title="路灯坏了谁来修", topic=w.other_topic, unit=w.street)
    by_topic = client.get(reverse("grievances:answers_topic", args=[w.topic.pk])).content.decode()
    assert union_answer.public_title in by_topic and street_answer.public_title not in by_topic
    by_unit = client.get(reverse("grievances:answers_unit", args=[w.street.code])).content.decode()
    assert street_answer.public_title in by_unit and union_answer.public_title not in by_unit
    assert client.get(reverse("grievances:answers_topic", args=[987654])).status_code == 404
    assert client.get(reverse("grievances:answers_unit", args=["no-such-unit"])).status_code == 404


def test_answers_search_finds_by_chinese_words_and_says_when_nothing_matches(client, w):
    published_answer(w)
    published_answer(w, title="路灯坏了谁来修", question="小区门口的路灯坏了一个月", topic=w.other_topic, unit=w.street)
    found = client.get(reverse("grievances:answers_search"), {"q": "会费返还"}).content.decode()
    assert "小微企业工会经费怎么返还" in found and "路灯坏了谁来修" not in found
    none = client.get(reverse("grievances:answers_search"), {"q": "核酸检测"}).content.decode()
    assert "没有找到" in none


def test_faq_page_groups_entries_by_topic(client, w):
    text = client.get(reverse("grievances:faq")).content.decode()
    assert "工会会费返还" in text and w.faq.question in text


def _queries(client, path) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pingcheng.page_cache import page_cache_local_clear

    cache.clear()
    page_cache_local_clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path",
    ["/inquiries/", "/inquiries/answers/", "/inquiries/answers/?page=2", "/inquiries/faq/",
     "/inquiries/answers/search/?q=工会经费"],
)  # fmt: skip
def test_public_lists_take_the_same_queries_at_two_sizes(client, w, path):
    for n in range(3):
        published_answer(w, title=f"工会经费问题{n}")
    client.get(path)  # the per-process memos (site shell, dictionary) are not what is measured
    small = _queries(client, path)
    for n in range(3, 45):
        published_answer(w, title=f"工会经费问题{n}")
    assert _queries(client, path) == small <= 10


def test_answer_detail_takes_a_handful_of_queries(client, w):
    inquiry = published_answer(w)
    path = reverse("grievances:answer", args=[inquiry.pk])
    client.get(path)
    assert _queries(client, path) <= 6


def test_union_phones_are_listed_as_tap_to_call(client, w):
    text = client.get("/inquiries/").content.decode()
    for number in UNION_PHONES.split("、"):
        assert number in text


# --- Submission in two steps -------------------------------------------------------------------------------

PHONE = "13812345678"


def _step1(w, **overrides):
    data = {
        "kind": "consult",
        "topic": str(w.topic.pk),
        "place": str(w.community.pk),
        "title": "工会会费返还要哪些材料",
        "text": "我们是一家小微企业，想申请工会经费返还，请问需要准备哪些材料，多久能办好？",
        "name": "",
        "phone": PHONE,
        "data_consent": "on",
        "publish_consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _text(response) -> str:
    """The page's text without tags (the tracking code is printed in groups that never break inside)."""
    import re

    return re.sub(r"<[^>]+>", "", response.content.decode())


def _code(outbox):
    import re

    return re.search(r"验证码是 (\d{6})", outbox[-1].text).group(1)


@pytest.fixture
def outbox():
    from pingcheng.notices import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def submit(client, w, outbox, **overrides):
    response = client.post(reverse("grievances:new"), _step1(w, **overrides))
    assert response.status_code == 302 and response["Location"] == reverse("grievances:confirm"), response
    return client.post(reverse("grievances:confirm"), {"code": _code(outbox), "action": "submit"})


def test_resident_submits_in_two_steps_and_gets_code_deadline_unit_and_phone(client, w, outbox):
    response = client.post(reverse("grievances:new"), _step1(w))
    assert response.status_code == 302
    assert len(outbox) == 1 and outbox[0].phone == PHONE
    confirm = client.get(reverse("grievances:confirm"))
    text = confirm.content.decode()
    assert "138****5678" in text and PHONE not in text and "工会会费返还要哪些材料" in text
    done = client.post(reverse("grievances:confirm"), {"code": _code(outbox), "action": "submit"})
    assert done.status_code == 302 and done["Location"] == reverse("grievances:done")
    inquiry = Inquiry.objects.get()
    assert inquiry.publish_consent and inquiry.place_unit == w.community and inquiry.lead_unit == w.union
    page = _text(client.get(reverse("grievances:done")))
    assert inquiry.tracking_code_display in page and "区总工会" in page and "0352-5209130" in page
    assert f"{inquiry.deadline_due:%Y年%-m月%-d日}" in page
    assert PHONE not in page


def test_wrong_code_keeps_the_draft_and_files_nothing(client, w, outbox):
    client.post(reverse("grievances:new"), _step1(w))
    wrong = "000000" if _code(outbox) != "000000" else "111111"
    response = client.post(reverse("grievances:confirm"), {"code": wrong, "action": "submit"})
    assert response.status_code == 400 and "验证码不对" in response.content.decode()
    assert not Inquiry.objects.exists()
    assert "我们是一家小微企业" in client.get(reverse("grievances:new")).content.decode()


def test_going_back_from_step_two_shows_everything_typed(client, w, outbox):
    client.post(reverse("grievances:new"), _step1(w, name="孙桂兰"))
    text = client.get(reverse("grievances:new")).content.decode()
    assert "我们是一家小微企业" in text and "工会会费返还要哪些材料" in text and PHONE in text


def test_confirm_without_a_draft_leads_back_to_step_one(client, w):
    response = client.get(reverse("grievances:confirm"))
    assert response.status_code == 302 and response["Location"] == reverse("grievances:new")


def test_step_two_suggests_published_answers_and_faq_matching_the_words(client, w, outbox):
    answer = published_answer(w)
    client.post(reverse("grievances:new"), _step1(w))
    text = client.get(reverse("grievances:confirm")).content.decode()
    assert "这些答复可能已经回答了您的问题" in text
    assert answer.public_title in text and w.faq.question in text


def test_no_suggestions_box_when_nothing_matches(client, w, outbox):
    published_answer(w)
    client.post(
        reverse("grievances:new"), _step1(w, title="路灯不亮", text="小区门口的路灯已经坏了一个多月，晚上出行不安全。")
    )
    assert "这些答复可能已经回答了您的问题" not in client.get(reverse("grievances:confirm")).content.decode()


@pytest.mark.parametrize("kind", ["complaint", "help"])
def test_complaint_and_help_need_a_name(client, w, kind):
    response = client.post(reverse("grievances:new"), _step1(w, kind=kind))
    assert response.status_code == 400 and "请填写姓名" in response.content.decode()


def test_consult_without_a_name_is_accepted(client, w, outbox):
    submit(client, w, outbox)
    assert Inquiry.objects.get().name == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "12345"}, "11 位手机号码"),
        ({"data_consent": None}, "个人信息使用说明"),
        ({"text": "太短"}, "内容太短"),
        ({"title": "长" * 41}, "40 个字以内"),
        ({"kind": "bogus"}, "选择"),
        ({"topic": "999999"}, "选择"),
        ({"place": str(10**30)}, "选择"),
        ({"place": "abc"}, "选择"),
    ],
)
def test_bad_input_on_step_one_is_a_form_error_in_chinese(client, w, overrides, message):
    response = client.post(reverse("grievances:new"), _step1(w, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_tracking_with_code_and_phone_tail_shows_history_and_deadline_never_the_phone(client, w, outbox):
    submit(client, w, outbox, name="孙桂兰")
    inquiry = Inquiry.objects.get()
    other = client.__class__()
    response = other.post(reverse("grievances:track"), {"code": inquiry.tracking_code_display, "phone_tail": "5678"})
    assert response.status_code == 302 and inquiry.tracking_code not in response["Location"]
    page = other.get(response["Location"]).content.decode()
    assert "提交诉求" in page and "区总工会" in page and f"{inquiry.deadline_due:%Y年%-m月%-d日}" in page
    assert "孙桂兰" not in page and PHONE not in page


def test_wrong_code_and_wrong_phone_tail_give_the_same_not_found(client, w, outbox):
    submit(client, w, outbox)
    inquiry = Inquiry.objects.get()
    wrong_tail = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": "0000"})
    wrong_code = client.post(reverse("grievances:track"), {"code": "PC-2345-6789-ABCD", "phone_tail": "5678"})
    assert wrong_tail.status_code == wrong_code.status_code == 404

    def message(response):
        import re

        return re.findall(r"未找到[^<]*", response.content.decode())

    assert message(wrong_tail) == message(wrong_code) != []


def test_tracking_link_opened_in_another_browser_asks_for_the_code_again(client, w, outbox):
    submit(client, w, outbox)
    inquiry = Inquiry.objects.get()
    response = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": "5678"})
    elsewhere = client.__class__()
    for path in (response["Location"], response["Location"] + "my-data/"):
        moved = elsewhere.get(path)
        assert moved.status_code == 302 and moved["Location"] == reverse("grievances:track")
        assert elsewhere.post(path, {"action": "erase", "confirm": "yes"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.personal_data_erased_at is None


def _answered(w, inquiry):
    from grievances import services
    from pingcheng.directory.models import Role
    from tests.factories import staff

    handler = staff(Role.DEPARTMENT_HANDLER, w.union)
    services.inquiry_accept(inquiry=inquiry, by=handler)
    services.inquiry_answer(inquiry=inquiry, by=handler, text="请携带申请表和营业执照复印件到区总工会办理。")
    return handler


def test_resident_sees_the_answer_and_rates_it_once(client, w, outbox):
    submit(client, w, outbox)
    inquiry = Inquiry.objects.get()
    _answered(w, inquiry)
    where = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": "5678"})["Location"]
    page = client.get(where).content.decode()
    assert "请携带申请表" in page and "请评价这次办理" in page
    rated = client.post(where, {"rating": "satisfied", "comment": "办得快", "action": "rate"})
    assert rated.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.rating == "satisfied" and inquiry.rating_note == "办得快"
    after = client.get(where).content.decode()
    assert "请评价这次办理" not in after and "满意" in after


def test_rating_before_an_answer_is_refused_politely(client, w, outbox):
    submit(client, w, outbox)
    inquiry = Inquiry.objects.get()
    where = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": "5678"})["Location"]
    response = client.post(where, {"rating": "satisfied", "action": "rate"}, follow=True)
    assert "现在不能评价" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.rating == ""


def test_resident_sees_own_data_masked_and_can_erase_it(client, w, outbox):
    submit(client, w, outbox, name="孙桂兰")
    inquiry = Inquiry.objects.get()
    where = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": "5678"})["Location"]
    data_url = where + "my-data/"
    page = client.get(data_url).content.decode()
    assert "孙**" in page and "138****5678" in page and "孙桂兰" not in page and PHONE not in page
    refused = client.post(data_url, {"action": "erase"}, follow=True)
    assert "请先勾选确认" in refused.content.decode()
    client.post(data_url, {"action": "erase", "confirm": "yes"})
    inquiry.refresh_from_db()
    assert inquiry.personal_data_erased_at is not None and inquiry.phone == "" and inquiry.name == ""


def _jpeg(name="photo.jpg"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_photos_go_through_the_shared_pipeline_and_reach_the_inquiry(client, w, outbox):
    response = client.post(reverse("grievances:new"), {**_step1(w), "photos": [_jpeg("a.jpg"), _jpeg("b.jpg")]})
    assert response.status_code == 302
    client.post(reverse("grievances:confirm"), {"code": _code(outbox), "action": "submit"})
    inquiry = Inquiry.objects.get()
    photos = [link.photo for link in inquiry.photos.select_related("photo")]
    assert len(photos) == 2 and all(photo.renditions for photo in photos)


def _inquiry_with_a_photo(client, w, outbox) -> tuple[Inquiry, object]:
    client.post(reverse("grievances:new"), {**_step1(w), "photos": [_jpeg("a.jpg")]})
    client.post(reverse("grievances:confirm"), {"code": _code(outbox), "action": "submit"})
    inquiry = Inquiry.objects.get()
    return inquiry, inquiry.photos.get().photo


def test_an_inquiry_photo_has_no_file_under_media_and_no_url(client, w, outbox):
    from django.core.files.storage import default_storage

    from pingcheng.photos.renditions import photo_rendition_url
    from pingcheng.photos.storage import photo_master_storage

    _, photo = _inquiry_with_a_photo(client, w, outbox)
    names = [entry[fmt] for entry in photo.renditions.values() for fmt in ("jpeg", "webp")]
    assert names and not any(default_storage.exists(name) for name in names)
    assert all(photo_master_storage().exists(name) for name in names)
    with pytest.raises(ValueError):
        photo_rendition_url(photo)


def test_staff_of_the_lead_unit_get_the_photo_uncached_and_no_one_else_does(client, w, outbox):
    from django.test import Client

    from pingcheng.directory.models import Role
    from tests.factories import UnitFactory, staff

    inquiry, photo = _inquiry_with_a_photo(client, w, outbox)
    url = reverse("grievances-desk:photo", kwargs={"pk": inquiry.pk, "photo": photo.uuid})
    handler = Client()
    handler.force_login(staff(Role.DEPARTMENT_HANDLER, w.union))
    response = handler.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert handler.get(url + "?size=full").status_code == 200
    page = handler.get(reverse("grievances-desk:detail", kwargs={"pk": inquiry.pk})).content.decode()
    assert f'src="{url}"' in page and "/media/" not in page

    other_unit = Client()
    other_unit.force_login(staff(Role.DEPARTMENT_HANDLER, UnitFactory(kind="department", parent=w.union.parent)))
    assert other_unit.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert client.get(url).status_code == 302  # the resident who filed it: the desk is staff only
    elsewhere = reverse("grievances-desk:photo", kwargs={"pk": inquiry.pk, "photo": "00000000-0000-4000-8000-000000000000"})
    assert handler.get(elsewhere).status_code == 404


def test_erasing_the_residents_data_removes_the_private_photo_files(client, w, outbox, django_capture_on_commit_callbacks):
    from grievances import services
    from pingcheng.photos.storage import photo_master_storage

    inquiry, photo = _inquiry_with_a_photo(client, w, outbox)
    names = [entry["jpeg"] for entry in photo.renditions.values()]
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiry_personal_data_erase(inquiry=inquiry)
    assert names and not any(photo_master_storage().exists(name) for name in names)


def test_a_file_that_is_not_a_picture_is_a_form_error_and_keeps_the_text(client, w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bogus = SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    response = client.post(reverse("grievances:new"), {**_step1(w), "photos": [bogus]})
    assert response.status_code == 400
    text = response.content.decode()
    assert "我们是一家小微企业" in text and 'class="errorlist' in text


def test_more_than_three_photos_are_refused(client, w):
    response = client.post(reverse("grievances:new"), {**_step1(w), "photos": [_jpeg(f"{n}.jpg") for n in range(4)]})
    assert response.status_code == 400 and "最多上传 3 张照片" in response.content.decode()


def test_an_empty_step_one_says_in_plain_words_what_each_field_needs(client, w):
    text = client.post(reverse("grievances:new"), {}).content.decode()
    for sentence in ("请选择您要办的事", "请选择问题类别", "请选择问题所在的街道或社区", "请写一个标题", "请写下具体内容",
                     "请填写手机号码", "请先阅读个人信息使用说明"):  # fmt: skip
        assert sentence in text
    assert "这个字段是必填项" not in text


def _tracked_page(client, inquiry) -> str:
    where = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": "5678"})["Location"]
    return _text(client.get(where))


def test_resident_sees_the_reject_reason_once(client, w, outbox):
    from grievances import services
    from pingcheng.directory.models import Role
    from tests.factories import staff

    submit(client, w, outbox)
    inquiry = Inquiry.objects.get()
    services.inquiry_reject(inquiry=inquiry, by=staff(Role.SUPERVISOR), reason=Inquiry.RejectReason.OUT_OF_SCOPE,
                            note="请向市住建局反映")  # fmt: skip
    page = _tracked_page(client, inquiry)
    assert "未受理的原因" in page and "不予受理" in page
    assert page.count("不属于受理范围：请向市住建局反映") >= 1 and "不属于受理范围：不属于受理范围" not in page


def test_resident_sees_an_approved_extension_with_the_new_date(client, w, outbox):
    from grievances import services
    from pingcheng.directory.models import Role
    from tests.factories import staff

    submit(client, w, outbox)
    inquiry = Inquiry.objects.get()
    handler = staff(Role.DEPARTMENT_HANDLER, w.union)
    services.inquiry_accept(inquiry=inquiry, by=handler)
    extension = services.extension_request(inquiry=inquiry, by=handler, working_days=5, reason="需要实地核查")
    services.extension_decide(extension=extension, by=staff(Role.SUPERVISOR), approve=True)
    inquiry.refresh_from_db()
    page = _tracked_page(client, inquiry)
    new_date = f"{inquiry.deadline_due:%Y年%-m月%-d日}"
    assert "已延期" in page and f"答复期限延至{new_date}" in page and new_date in page
    assert "需要实地核查" not in page  # the unit's request to the supervisor is internal


def test_the_extended_tag_goes_once_a_redo_starts_a_fresh_deadline_and_comes_back_with_a_new_extension(
    client, w, outbox
):
    from grievances import services
    from pingcheng.directory.models import Role
    from tests.factories import staff

    submit(client, w, outbox)
    inquiry = Inquiry.objects.get()
    handler, supervisor = staff(Role.DEPARTMENT_HANDLER, w.union), staff(Role.SUPERVISOR)
    services.inquiry_accept(inquiry=inquiry, by=handler)
    extension = services.extension_request(inquiry=inquiry, by=handler, working_days=5, reason="需要实地核查")
    services.extension_decide(extension=extension, by=supervisor, approve=True)
    services.inquiry_answer(inquiry=inquiry, by=handler, text="已核查，符合条件的可申请返还。")
    services.inquiry_rate(inquiry=inquiry, rating=Inquiry.Rating.UNSATISFIED, note="没说清楚材料")
    tag = 'class="tag">已延期<'
    assert tag not in _html(client, inquiry)  # the redo round's own deadline, not extended
    extension = services.extension_request(inquiry=inquiry, by=handler, working_days=3, reason="再次核查")
    services.extension_decide(extension=extension, by=supervisor, approve=True)
    assert tag in _html(client, inquiry)


def _html(client, inquiry) -> str:
    where = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": "5678"})["Location"]
    return client.get(where).content.decode()


def test_pictures_replaced_on_going_back_are_deleted_not_left_behind(client, w, outbox):
    from pingcheng.photos.models import Photo

    client.post(reverse("grievances:new"), {**_step1(w), "photos": [_jpeg("a.jpg"), _jpeg("b.jpg")]})
    first = set(Photo.objects.values_list("pk", flat=True))
    client.post(reverse("grievances:new"), {**_step1(w), "photos": [_jpeg("c.jpg")]})
    assert len(first) == 2 and not first & set(Photo.objects.values_list("pk", flat=True))
    assert Photo.objects.count() == 1
    client.post(reverse("grievances:confirm"), {"code": _code(outbox), "action": "submit"})
    assert Inquiry.objects.get().photos.count() == 1


def test_a_bad_picture_among_good_ones_leaves_no_picture_behind(client, w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pingcheng.photos.models import Photo

    bogus = SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")
    assert client.post(reverse("grievances:new"), {**_step1(w), "photos": [_jpeg(), bogus]}).status_code == 400
    assert not Photo.objects.exists()


def test_a_residents_submission_is_audited_with_the_address_it_came_from(client, w, outbox):
    """Readers' GET requests skip auditlog's context (pingcheng.audit.middleware); their posts keep it."""
    from auditlog.models import LogEntry

    submit(client, w, outbox)
    entry = LogEntry.objects.get_for_object(Inquiry.objects.get()).get(action=LogEntry.Action.CREATE)
    assert entry.remote_addr == "127.0.0.1" and entry.actor is None
