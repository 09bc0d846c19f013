import pytest
from django.urls import reverse

from grievances import services
from grievances.errors import InquiryActionRefused
from grievances.models import Inquiry, InquiryEvent
from pingcheng.audit.models import PersonalDataExport
from pingcheng.directory.models import Role
from tests.factories import staff
from tests.grievances.desk_world import PHONE, submit

pytestmark = pytest.mark.django_db


def _detail(inquiry):
    return reverse("grievances-desk:detail", kwargs={"pk": inquiry.pk})


def _step(inquiry, name):
    return reverse("grievances-desk:step", kwargs={"pk": inquiry.pk, "name": name})


def test_anonymous_is_sent_to_log_in_and_a_reporter_is_refused(client, desk_world):
    assert client.get("/desk/").status_code == 302
    from pingcheng.directory.models import Role
    from tests.factories import staff

    client.force_login(staff(Role.REPORTER, desk_world.root, username="rep"))
    assert client.get("/desk/").status_code == 403


def test_handler_lists_own_units_inquiries_only(client, desk_world):
    mine = submit(desk_world, title="工会经费的问题")
    submit(desk_world, topic=desk_world.street_topic, title="门前占道经营")
    client.force_login(desk_world.union_handler)
    page = client.get("/desk/").content.decode()
    assert mine.title in page and "门前占道经营" not in page


def test_handler_of_another_unit_gets_the_same_404_as_a_missing_inquiry(client, desk_world):
    inquiry = submit(desk_world)
    client.force_login(desk_world.urban_handler)
    assert client.get(_detail(inquiry)).status_code == 404
    assert client.get(reverse("grievances-desk:detail", kwargs={"pk": 999999})).status_code == 404
    assert client.post(_step(inquiry, "accept")).status_code == 404
    assert client.post(reverse("grievances-desk:reveal", kwargs={"pk": inquiry.pk})).status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ASSIGNED


def test_detail_masks_the_phone_and_name(client, desk_world):
    inquiry = submit(desk_world)
    client.force_login(desk_world.union_handler)
    page = client.get(_detail(inquiry)).content.decode()
    assert PHONE not in page and "138****5678" in page
    assert "孙桂兰" not in page and "孙**" in page


def test_reveal_shows_the_phone_to_the_lead_unit_and_is_logged(client, desk_world):
    inquiry = submit(desk_world)
    client.force_login(desk_world.union_handler)
    page = client.post(reverse("grievances-desk:reveal", kwargs={"pk": inquiry.pk})).content.decode()
    assert PHONE in page
    assert inquiry.events.filter(action=InquiryEvent.Action.REVEALED, actor=desk_world.union_handler).exists()
    assert PersonalDataExport.objects.filter(user=desk_world.union_handler).count() == 1
    # The next plain view is masked again.
    assert PHONE not in client.get(_detail(inquiry)).content.decode()


def test_supervisor_sees_the_inquiry_but_may_not_reveal_the_phone(client, desk_world):
    inquiry = submit(desk_world)
    client.force_login(desk_world.supervisor)
    assert client.get(_detail(inquiry)).status_code == 200
    response = client.post(reverse("grievances-desk:reveal", kwargs={"pk": inquiry.pk}), follow=True)
    assert PHONE not in response.content.decode()
    assert not inquiry.events.filter(action=InquiryEvent.Action.REVEALED).exists()


def test_handler_accepts_and_answers_through_the_pages(client, desk_world):
    inquiry = submit(desk_world)
    client.force_login(desk_world.union_handler)
    assert client.post(_step(inquiry, "accept")).status_code == 302
    response = client.post(_step(inquiry, "answer"), {"text": "请携带营业执照到区总工会办理，电话0352-5209130。"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED
    assert inquiry.replies.get().is_official_answer


def test_an_empty_answer_is_a_form_error_not_a_500(client, desk_world):
    inquiry = submit(desk_world)
    services.inquiry_accept(inquiry=inquiry, by=desk_world.union_handler)
    client.force_login(desk_world.union_handler)
    response = client.post(_step(inquiry, "answer"), {"text": ""})
    assert response.status_code == 400
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.ACCEPTED


def test_a_step_the_user_may_not_take_is_refused_with_a_message(client, desk_world):
    inquiry = submit(desk_world)
    client.force_login(desk_world.union_handler)
    response = client.post(_step(inquiry, "close"))
    assert response.status_code == 400
    assert "办结" in response.content.decode()
    assert client.post(_step(inquiry, "no-such-step")).status_code == 404


def test_staff_record_a_phone_inquiry(client, desk_world):
    client.force_login(desk_world.union_handler)
    response = client.post(reverse("grievances-desk:new"), {
        "channel": "phone", "kind": "consult", "topic": desk_world.topic.pk, "title": "电话咨询经费返还",
        "text": "来电询问返还时限。", "name": "", "phone": "13900001111", "idempotency_key": "intake-1",
    })  # fmt: skip
    assert response.status_code == 302
    inquiry = Inquiry.objects.get(idempotency_key="intake-1")
    assert inquiry.channel == Inquiry.Channel.PHONE and inquiry.created_by == desk_world.union_handler
    assert inquiry.events.first().action == InquiryEvent.Action.RECORDED


def _many(desk_world, count):
    for _ in range(count):
        submit(desk_world)


@pytest.mark.parametrize("size", [3, 30])
def test_desk_list_queries_do_not_grow_with_the_list(client, desk_world, django_assert_max_num_queries, size):
    _many(desk_world, size)
    client.force_login(desk_world.union_handler)
    client.get("/desk/")  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get("/desk/")
    assert response.status_code == 200


def test_detail_page_query_count(client, desk_world, django_assert_max_num_queries):
    inquiry = submit(desk_world)
    client.force_login(desk_world.union_handler)
    client.get(_detail(inquiry))
    with django_assert_max_num_queries(14):
        assert client.get(_detail(inquiry)).status_code == 200


def test_role_home_panel_counts_the_units_open_inquiries(desk_world):
    from grievances.dashboard import desk_panel

    submit(desk_world)
    panel = desk_panel(user=desk_world.union_handler)
    assert panel.items[0].count == 1
    assert desk_panel(user=desk_world.urban_handler).items[0].count == 0


def test_supervisor_filters_the_overdue_ones(client, desk_world):
    import datetime as dt

    late = submit(desk_world, title="逾期的诉求")
    submit(desk_world, title="按期的诉求")
    Inquiry.objects.filter(pk=late.pk).update(deadline_due=dt.date(2026, 1, 5))
    client.force_login(desk_world.supervisor)
    page = client.get("/desk/?scope=all&status=overdue").content.decode()
    assert "逾期的诉求" in page and "按期的诉求" not in page
    assert client.get("/desk/?scope=all&status=%00bogus").status_code in (200, 400)


@pytest.mark.parametrize("other", ["urban_handler", "union_colleague"])
def test_another_staff_members_intake_key_does_not_return_their_inquiry_or_its_code(client, desk_world, other):
    first = submit(desk_world, channel=Inquiry.Channel.PHONE, by=desk_world.union_handler, idempotency_key="known")
    user = (getattr(desk_world, other, None)
            or staff(Role.DEPARTMENT_HANDLER, desk_world.union, username="union-colleague"))  # fmt: skip
    client.force_login(user)
    response = client.post(reverse("grievances-desk:new"), {
        "channel": "phone", "kind": "consult", "topic": desk_world.topic.pk, "title": "另一位居民的来电",
        "text": "来电询问别的事。", "name": "", "phone": "13900002222", "idempotency_key": "known",
    }, follow=True)  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "登记已失效" in page
    assert first.tracking_code_display not in page and first.tracking_code not in page
    assert 'value="known"' not in page  # a fresh key: the next press files what was typed
    assert Inquiry.objects.count() == 1


def test_the_same_staff_member_pressing_twice_gets_their_one_inquiry(client, desk_world):
    first = submit(desk_world, channel=Inquiry.Channel.PHONE, by=desk_world.union_handler, idempotency_key="mine")
    again = submit(desk_world, channel=Inquiry.Channel.PHONE, by=desk_world.union_handler, idempotency_key="mine")
    assert again.pk == first.pk and Inquiry.objects.count() == 1


def test_a_web_key_is_not_answered_to_a_staff_intake(desk_world):
    submit(desk_world, idempotency_key="web-key")
    with pytest.raises(InquiryActionRefused):
        submit(desk_world, channel=Inquiry.Channel.PHONE, by=desk_world.union_handler, idempotency_key="web-key")


def test_inquiry_photos_stored_with_public_renditions_are_moved_out_of_media_and_still_shown(client, desk_world):
    import io
    from io import StringIO

    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from PIL import Image

    from pingcheng.photos.services import photo_create
    from pingcheng.photos.storage import photo_master_storage

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 90, 160)).save(buffer, "JPEG")
    photo = photo_create(file=buffer)  # as web inquiries stored their photos before they were kept private
    inquiry = submit(desk_world, photos=[photo])
    public = [entry[fmt] for entry in photo.renditions.values() for fmt in ("jpeg", "webp")]
    assert all(default_storage.exists(name) for name in public)

    out = StringIO()
    call_command("inquiry_photos_private", stdout=out)
    assert out.getvalue().strip() == "moved: 1"
    photo.refresh_from_db()
    assert not any(default_storage.exists(name) for name in public)
    assert all(photo_master_storage().exists(entry["jpeg"]) for entry in photo.renditions.values())
    client.force_login(desk_world.union_handler)
    url = reverse("grievances-desk:photo", kwargs={"pk": inquiry.pk, "photo": photo.uuid})
    assert client.get(url).status_code == 200
    call_command("inquiry_photos_private", stdout=out)
    assert out.getvalue().strip().endswith("moved: 0")


def _answer_box(page: str) -> str:
    import html
    import re

    return html.unescape(re.search(r'<textarea name="text"[^>]*>(.*?)</textarea>', page, re.S).group(1)).strip()


@pytest.fixture
def answering(client, desk_world):
    from grievances.models import AnswerTemplate

    inquiry = submit(desk_world)
    services.inquiry_accept(inquiry=inquiry, by=desk_world.union_handler)
    client.force_login(desk_world.union_handler)
    ours = AnswerTemplate.objects.create(topic=desk_world.topic, unit=desk_world.union, title="经费返还材料",
                                         text="请携带营业执照副本和申请表到区总工会办理。")  # fmt: skip
    theirs = AnswerTemplate.objects.create(topic=None, unit=desk_world.urban, title="城管局模板", text="城管局的话")
    return inquiry, ours, theirs


def test_a_picked_template_fills_the_empty_answer_box_and_files_nothing(client, answering):
    inquiry, ours, _ = answering
    page = client.get(_detail(inquiry)).content.decode()
    assert f'<option value="{ours.pk}">经费返还材料</option>' in page and "城管局模板" not in page
    response = client.post(_step(inquiry, "answer"), {"text": "", "template": ours.pk, "use_template": "1"})
    assert response.status_code == 200
    assert _answer_box(response.content.decode()) == ours.text
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ACCEPTED and not inquiry.replies.exists()


def test_a_template_picked_after_typing_goes_after_the_typed_words(client, answering):
    inquiry, ours, _ = answering
    typed = "孙女士您好：\r\n经核实，贵单位符合返还条件。"
    response = client.post(_step(inquiry, "answer"), {"text": typed, "template": ours.pk, "use_template": "1"})
    assert response.status_code == 200
    box = _answer_box(response.content.decode()).replace("\r\n", "\n")
    assert box == "孙女士您好：\n经核实，贵单位符合返还条件。\n\n" + ours.text
    assert not inquiry.replies.exists()


@pytest.mark.parametrize("template", ["theirs", "", "abc", "999999"])
def test_a_template_not_offered_is_refused_and_the_typed_words_stay(client, answering, template):
    inquiry, _, theirs = answering
    value = theirs.pk if template == "theirs" else template
    response = client.post(_step(inquiry, "answer"), {"text": "已写的答复", "template": value, "use_template": "1"})
    page = response.content.decode()
    assert response.status_code == 400 and "请从列表中选择答复模板" in page
    assert _answer_box(page) == "已写的答复" and "城管局的话" not in page


def test_a_template_that_would_overflow_the_box_is_not_inserted(client, answering):
    inquiry, ours, _ = answering
    typed = "答" * 4990
    response = client.post(_step(inquiry, "answer"), {"text": typed, "template": ours.pk, "use_template": "1"})
    assert "模板没有插入" in response.content.decode() and _answer_box(response.content.decode()) == typed


def test_someone_who_may_not_answer_gets_no_template_inserted(client, answering, desk_world):
    inquiry, ours, _ = answering
    client.force_login(desk_world.supervisor)
    response = client.post(_step(inquiry, "answer"), {"text": "", "template": ours.pk, "use_template": "1"})
    assert response.status_code == 400 and ours.text not in response.content.decode()
