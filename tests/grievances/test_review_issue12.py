"""Found by reviewing the inquiry desk as its people use it (issue 12): each test failed before its fix."""

import pytest
from django.urls import reverse

from grievances import services
from grievances.errors import InquiryActionRefused
from grievances.models import Extension, Inquiry, InquiryEvent
from pingcheng.directory.models import Membership, Role
from tests.grievances.desk_world import PHONE, submit

pytestmark = pytest.mark.django_db

S = Inquiry.Status


def _accepted(w, **fields) -> Inquiry:
    inquiry = submit(w, **fields)
    return services.inquiry_accept(inquiry=inquiry, by=w.union_handler)


def _answered(w) -> Inquiry:
    inquiry = _accepted(w)
    services.inquiry_answer(inquiry=inquiry, by=w.union_handler, text="需营业执照复印件。")
    inquiry.refresh_from_db()
    return inquiry


def _tracked(client, inquiry) -> str:
    """The resident's tracking page, looked up the way the resident does (code + last four digits)."""
    found = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code_display, "phone_tail": PHONE[-4:]})
    assert found.status_code == 302, found.status_code
    return found["Location"]


# --- redo round: the resident rates the second answer -------------------------------------------------------


def test_after_a_redo_the_resident_can_rate_the_second_answer_on_the_tracking_page(client, desk_world):
    inquiry = _answered(desk_world)
    services.inquiry_rate(inquiry=inquiry, rating="unsatisfied", note="材料没说全")
    services.inquiry_answer(inquiry=inquiry, by=desk_world.union_handler, text="补充：还需缴费凭证。")
    url = _tracked(client, inquiry)
    page = client.get(url).content.decode()
    assert 'name="rating"' in page
    rated = client.post(url, {"rating": "satisfied", "comment": ""})
    assert rated.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == S.RATED and inquiry.rating == "satisfied" and inquiry.redo_round == 1


def test_before_a_redo_answer_the_tracking_page_offers_no_second_rating(client, desk_world):
    inquiry = _answered(desk_world)
    services.inquiry_rate(inquiry=inquiry, rating="unsatisfied", note="材料没说全")
    url = _tracked(client, inquiry)
    assert 'name="rating"' not in client.get(url).content.decode()
    assert client.post(url, {"rating": "satisfied"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == S.ACCEPTED and inquiry.rating == "unsatisfied"


def test_the_first_rounds_unsatisfied_rating_and_its_words_stay_in_the_history(desk_world):
    inquiry = _answered(desk_world)
    services.inquiry_rate(inquiry=inquiry, rating="unsatisfied", note="材料没说全")
    services.inquiry_answer(inquiry=inquiry, by=desk_world.union_handler, text="补充：还需缴费凭证。")
    rated = inquiry.events.filter(action=InquiryEvent.Action.RATED).get()
    assert "不满意" in rated.note and "材料没说全" in rated.note


# --- a pending extension does not outlive the round or the unit it was asked for -----------------------------


def _pending_extension(w, inquiry) -> Extension:
    return services.extension_request(inquiry=inquiry, by=w.union_handler, working_days=5, reason="需核实")


def test_answering_ends_a_pending_extension_so_it_cannot_stretch_the_redo_deadline(desk_world):
    inquiry = _accepted(desk_world)
    extension = _pending_extension(desk_world, inquiry)
    services.inquiry_answer(inquiry=inquiry, by=desk_world.union_handler, text="需营业执照复印件。")
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REFUSED and extension.decided_by is None
    services.inquiry_rate(inquiry=inquiry, rating="unsatisfied")
    inquiry.refresh_from_db()
    due = inquiry.deadline_due
    with pytest.raises(InquiryActionRefused) as refused:
        services.extension_decide(extension=extension, by=desk_world.supervisor, approve=True)
    assert refused.value.code == "extension_decided"
    inquiry.refresh_from_db()
    assert inquiry.deadline_due == due
    # The redo round may ask for its own time.
    again = _pending_extension(desk_world, inquiry)
    assert again.status == Extension.Status.PENDING


@pytest.mark.parametrize("step", ["reassign", "return"])
def test_moving_an_inquiry_away_ends_the_old_units_pending_extension(desk_world, step):
    inquiry = _accepted(desk_world)
    extension = _pending_extension(desk_world, inquiry)
    if step == "reassign":
        services.inquiry_reassign(inquiry=inquiry, unit=desk_world.urban, by=desk_world.supervisor, note="应由城管办理")
    else:
        services.inquiry_return(inquiry=inquiry, by=desk_world.union_handler, reason="应由城管办理")
        services.inquiry_assign(inquiry=inquiry, unit=desk_world.urban, by=desk_world.supervisor)
    extension.refresh_from_db()
    assert extension.status == Extension.Status.REFUSED
    services.inquiry_accept(inquiry=inquiry, by=desk_world.urban_handler)
    new = services.extension_request(inquiry=inquiry, by=desk_world.urban_handler, working_days=2, reason="需现场核实")
    assert new.status == Extension.Status.PENDING and new.unit == desk_world.urban


def test_a_pending_extension_is_still_decided_while_the_inquiry_stays_with_its_unit(desk_world):
    inquiry = _accepted(desk_world)
    extension = _pending_extension(desk_world, inquiry)
    services.inquiry_supervise(inquiry=inquiry, by=desk_world.supervisor, note="请尽快")
    decided = services.extension_decide(extension=extension, by=desk_world.supervisor, approve=True)
    assert decided.status == Extension.Status.APPROVED


# --- nobody approves their own extension ------------------------------------------------------------------------


def test_a_supervisor_who_also_handles_for_the_unit_cannot_approve_their_own_extension(desk_world):
    both = desk_world.supervisor
    Membership.objects.create(user=both, unit=desk_world.union, role=Role.DEPARTMENT_HANDLER)
    inquiry = _accepted(desk_world)
    extension = services.extension_request(inquiry=inquiry, by=both, working_days=5, reason="需核实")
    with pytest.raises(InquiryActionRefused) as refused:
        services.extension_decide(extension=extension, by=both, approve=True)
    assert refused.value.code == "extension_own_request"
    extension.refresh_from_db()
    assert extension.status == Extension.Status.PENDING
    assert services.extension_decide(extension=extension, by=desk_world.admin, approve=True).status == "approved"


def test_the_desk_offers_no_decision_on_ones_own_extension(client, desk_world):
    both = desk_world.supervisor
    Membership.objects.create(user=both, unit=desk_world.union, role=Role.DEPARTMENT_HANDLER)
    inquiry = _accepted(desk_world)
    services.extension_request(inquiry=inquiry, by=both, working_days=5, reason="需核实")
    client.force_login(both)
    page = client.get(reverse("grievances-desk:detail", args=[inquiry.pk])).content.decode()
    assert reverse("grievances-desk:extension_decide", args=[inquiry.pk]) not in page
    client.force_login(desk_world.admin)
    page = client.get(reverse("grievances-desk:detail", args=[inquiry.pk])).content.decode()
    assert reverse("grievances-desk:extension_decide", args=[inquiry.pk]) in page


# --- HEAD is answered wherever GET is ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["grievances:new", "grievances:track", "grievances:confirm"])
def test_head_on_the_residents_form_pages_is_answered_like_get(client, desk_world, name):
    get = client.get(reverse(name))
    head = client.head(reverse(name))
    assert head.status_code == get.status_code != 405
    assert client.options(reverse(name)).status_code != 500


# --- redaction of what the first patterns let through -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("张秀英，女，65岁，想问工会经费", "[姓名]，女，65岁，想问工会经费"),
        ("材料齐了。王建国，男，70岁，反映楼道灯坏了", "材料齐了。[姓名]，男，70岁，反映楼道灯坏了"),
        ("我老伴叫刘建国，今年七十岁", "我老伴叫[姓名]，今年七十岁"),
        ("我的微信号是zhangsan1988，方便联系", "我的微信号是[账号]，方便联系"),
        ("QQ：123456789，谢谢", "QQ：[账号]，谢谢"),
    ],
)
def test_redaction_removes_a_described_name_a_relatives_name_and_messaging_accounts(text, redacted):
    from pingcheng.redaction import redact

    assert redact(text) == redacted


@pytest.mark.parametrize("text", ["我叫外卖时发现楼道堵了", "孩子叫我去问问", "小区男女老少都关心", "微信公众号关注了"])
def test_redaction_leaves_ordinary_words_that_look_like_those_patterns(text):
    from pingcheng.redaction import redact

    assert redact(text) == text


# --- two tabs: a confirmation page files what it shows, or says it changed -------------------------------------


@pytest.fixture
def sms_outbox(settings):
    from pingcheng.notices import sms

    settings.SMS_BACKEND = "pingcheng.notices.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _rev(page) -> str:
    import re

    return re.search(r'name="rev" value="([^"]*)"', page.content.decode()).group(1)


def test_a_confirmation_page_whose_draft_another_tab_rewrote_files_nothing_and_shows_the_new_text(
    client, settings, sms_outbox
):
    from django.core.cache import cache

    from tests.grievances.public_world import personal_data_key, world
    from tests.grievances.test_public import _code, _step1

    personal_data_key(settings)
    cache.clear()
    w = world()
    client.post(reverse("grievances:new"), _step1(w, title="第一件：工会会费返还"))
    first_tab = client.get(reverse("grievances:confirm"))
    code = _code(sms_outbox)
    # The second tab writes another inquiry over the same session's draft (same phone: the code still works).
    client.post(
        reverse("grievances:new"),
        _step1(w, title="第二件：路灯不亮", text="御锦源社区门口的路灯坏了一个多月了，晚上很黑。"),
    )
    stale = client.post(reverse("grievances:confirm"), {"code": code, "action": "submit", "rev": _rev(first_tab)})
    assert stale.status_code == 302 and stale["Location"] == reverse("grievances:confirm")
    assert not Inquiry.objects.exists()
    current = client.get(reverse("grievances:confirm"))
    assert "第二件：路灯不亮" in current.content.decode()
    filed = client.post(reverse("grievances:confirm"), {"code": code, "action": "submit", "rev": _rev(current)})
    assert filed["Location"] == reverse("grievances:done")
    assert list(Inquiry.objects.values_list("title", flat=True)) == ["第二件：路灯不亮"]


# --- answer templates shared by every unit or every topic ----------------------------------------------------


def test_the_desk_offers_the_units_templates_and_the_shared_ones_but_not_another_units(client, desk_world):
    from grievances.models import AnswerTemplate

    w = desk_world
    AnswerTemplate.objects.create(topic=w.topic, unit=w.union, title="本单位本类别模板", text="甲")
    AnswerTemplate.objects.create(topic=w.topic, unit=None, title="各单位通用模板", text="乙")
    AnswerTemplate.objects.create(topic=None, unit=None, title="各类别通用模板", text="丙")
    AnswerTemplate.objects.create(topic=w.topic, unit=w.urban, title="城管局模板", text="丁")
    AnswerTemplate.objects.create(topic=w.street_topic, unit=None, title="市容模板", text="戊")
    inquiry = _accepted(w)
    client.force_login(w.union_handler)
    page = client.get(reverse("grievances-desk:detail", args=[inquiry.pk])).content.decode()
    for shown in ("本单位本类别模板", "各单位通用模板", "各类别通用模板"):
        assert shown in page
    for hidden in ("城管局模板", "市容模板"):
        assert hidden not in page


# --- staff notices are kept: what the resident typed about themselves stays out ---------------------------------


def test_staff_notices_carry_the_title_and_the_rating_words_without_a_phone_or_name(desk_world):
    from pingcheng.notices.models import Notice

    w = desk_world
    inquiry = _accepted(w, title="我是孙桂兰，电话13912345678，问经费")
    services.inquiry_answer(inquiry=inquiry, by=w.union_handler, text="需营业执照复印件。")
    services.inquiry_rate(inquiry=inquiry, rating="unsatisfied", note="请打我手机13912345678")
    notices = Notice.objects.filter(user=w.union_handler)
    assert {"inquiry_assigned", "inquiry_redo"} <= set(notices.values_list("kind", flat=True))
    for notice in notices:
        text = str(notice.context)
        assert "13912345678" not in text and "孙桂兰" not in text, notice.kind


# --- a draft kept across a key rotation ---------------------------------------------------------------------------


def test_a_draft_encrypted_with_a_key_since_rotated_out_starts_over_instead_of_failing(client, settings, sms_outbox):
    from cryptography.fernet import Fernet
    from django.core.cache import cache

    from tests.grievances.public_world import personal_data_key, world
    from tests.grievances.test_public import _step1

    personal_data_key(settings)
    cache.clear()
    w = world()
    client.post(reverse("grievances:new"), _step1(w))
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    page = client.get(reverse("grievances:confirm"))
    assert page.status_code == 302 and page["Location"] == reverse("grievances:new")
    assert client.post(reverse("grievances:confirm"), {"code": "123456", "action": "submit"}).status_code == 302
    assert client.get(reverse("grievances:new")).status_code == 200
