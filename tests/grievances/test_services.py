import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grievances import services
from grievances.errors import InquiryActionRefused
from grievances.models import DeadlinePolicy, Extension, Inquiry, InquiryEvent
from pingcheng.notices.models import Notice
from tests.grievances.desk_world import PHONE, submit

pytestmark = pytest.mark.django_db


def test_submit_routes_to_the_topics_unit_with_a_stored_deadline_and_two_events(desk_world):
    inquiry = submit(desk_world)
    assert inquiry.status == Inquiry.Status.ASSIGNED
    assert inquiry.lead_unit == desk_world.union
    assert inquiry.deadline_working_days == 3 and inquiry.deadline_due is not None
    assert list(inquiry.events.values_list("action", flat=True)) == [
        InquiryEvent.Action.SUBMITTED, InquiryEvent.Action.ASSIGNED,
    ]  # fmt: skip
    assert inquiry.phone_tail == PHONE[-4:]
    assert len(inquiry.tracking_code) == 12


def test_submit_twice_with_one_key_files_one_inquiry(desk_world):
    first = submit(desk_world, idempotency_key="same")
    second = submit(desk_world, idempotency_key="same", title="另一个标题")
    assert first.pk == second.pk
    assert Inquiry.objects.count() == 1


# --- every transition and its refusal ----------------------------------------------------------------------


S = Inquiry.Status
A = InquiryEvent.Action


def _refused(code, call, **kwargs):
    with pytest.raises(InquiryActionRefused) as error:
        call(**kwargs)
    assert error.value.code == code, error.value.code


def _accepted(w):
    inquiry = submit(w)
    return services.inquiry_accept(inquiry=inquiry, by=w.union_handler)


def _answered(w):
    inquiry = _accepted(w)
    services.inquiry_answer(inquiry=inquiry, by=w.union_handler, text="符合条件的可申请返还。")
    return Inquiry.objects.get(pk=inquiry.pk)


def test_submit_tells_the_lead_units_handler_and_the_resident(desk_world):
    inquiry = submit(desk_world)
    assert Notice.objects.filter(kind="inquiry_assigned", user=desk_world.union_handler).exists()
    sms = Notice.objects.get(kind="inquiry_resident_update")
    assert sms.recipient == PHONE and PHONE not in str(sms.context)
    assert inquiry.tracking_code_display in str(sms.context)


def test_submit_refuses_a_complaint_without_a_name_and_a_bad_phone(desk_world):
    with pytest.raises(InquiryActionRefused) as error:
        submit(desk_world, kind=Inquiry.Kind.COMPLAINT, name="")
    assert error.value.code == "name_required"
    with pytest.raises(InquiryActionRefused) as error:
        submit(desk_world, phone="12345")
    assert error.value.code == "phone_invalid"
    assert Inquiry.objects.count() == 0


def test_submit_by_phone_channel_needs_a_staff_member(desk_world):
    with pytest.raises(InquiryActionRefused) as error:
        submit(desk_world, channel=Inquiry.Channel.PHONE)
    assert error.value.code == "staff_intake_only"


def test_deadline_follows_the_topics_policy_over_the_kinds(desk_world):
    DeadlinePolicy.objects.create(kind=Inquiry.Kind.CONSULT, topic=None, working_days=4)
    assert submit(desk_world).deadline_working_days == 4
    DeadlinePolicy.objects.create(kind=Inquiry.Kind.CONSULT, topic=desk_world.topic, working_days=7)
    assert submit(desk_world).deadline_working_days == 7
    assert submit(desk_world, kind=Inquiry.Kind.COMPLAINT).deadline_working_days == 10


def test_handler_accepts_and_another_unit_may_not(desk_world):
    inquiry = submit(desk_world)
    _refused("not_the_lead_unit", services.inquiry_accept, inquiry=inquiry, by=desk_world.urban_handler)
    _refused("not_the_lead_unit", services.inquiry_accept, inquiry=inquiry, by=desk_world.supervisor)
    services.inquiry_accept(inquiry=inquiry, by=desk_world.union_handler)
    _refused("not_assigned", services.inquiry_accept, inquiry=inquiry, by=desk_world.union_handler)
    assert inquiry.events.last().action == A.ACCEPTED
    told = Notice.objects.get(kind="inquiry_resident_update", key__contains=":accepted:")
    assert "已受理您的诉求" in told.context["message"] and PHONE not in str(told.context)


def test_answer_needs_acceptance_and_text(desk_world):
    inquiry = submit(desk_world)
    _refused("not_accepted", services.inquiry_answer, inquiry=inquiry, by=desk_world.union_handler, text="答复")
    services.inquiry_accept(inquiry=inquiry, by=desk_world.union_handler)
    _refused("answer_required", services.inquiry_answer, inquiry=inquiry, by=desk_world.union_handler, text="  ")
    reply = services.inquiry_answer(inquiry=inquiry, by=desk_world.union_handler, text="请带营业执照办理。")
    inquiry.refresh_from_db()
    assert inquiry.status == S.ANSWERED and reply.is_official_answer and not reply.is_public
    assert Notice.objects.filter(kind="inquiry_resident_update", key__endswith=":answered:0").exists()


def test_return_within_one_working_day_goes_back_to_the_dispatchers(desk_world):
    inquiry = submit(desk_world)
    _refused("reason_required", services.inquiry_return, inquiry=inquiry, by=desk_world.union_handler, reason="")
    services.inquiry_return(inquiry=inquiry, by=desk_world.union_handler, reason="应由区人社局办理")
    inquiry.refresh_from_db()
    assert inquiry.status == S.RETURNED and inquiry.lead_unit is None
    assert Notice.objects.filter(kind="inquiry_returned", user=desk_world.supervisor).exists()
    services.inquiry_assign(inquiry=inquiry, unit=desk_world.urban, by=desk_world.supervisor)
    inquiry.refresh_from_db()
    assert inquiry.status == S.ASSIGNED and inquiry.lead_unit == desk_world.urban


def test_return_after_one_working_day_is_refused(desk_world):
    inquiry = submit(desk_world)
    # Assigned on Monday 2026-11-23: by Wednesday two working days have passed.
    Inquiry.objects.filter(pk=inquiry.pk).update(assigned_at=dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC))
    _refused("return_too_late", services.inquiry_return, inquiry=inquiry, by=desk_world.union_handler, reason="不属于")


def test_assign_and_reassign_are_a_dispatchers_steps(desk_world):
    inquiry = submit(desk_world)
    _refused("not_a_dispatcher", services.inquiry_reassign, inquiry=inquiry, unit=desk_world.urban,
             by=desk_world.union_handler, note="转")  # fmt: skip
    _refused(
        "not_assignable", services.inquiry_assign, inquiry=inquiry, unit=desk_world.urban, by=desk_world.supervisor
    )
    _refused("same_unit", services.inquiry_reassign, inquiry=inquiry, unit=desk_world.union, by=desk_world.supervisor,
             note="转")  # fmt: skip
    services.inquiry_reassign(inquiry=inquiry, unit=desk_world.urban, by=desk_world.supervisor, note="属城管职责")
    inquiry.refresh_from_db()
    assert inquiry.lead_unit == desk_world.urban and inquiry.events.last().action == A.REASSIGNED


def test_reject_shows_the_reason_and_refuses_an_accepted_inquiry(desk_world):
    inquiry = submit(desk_world)
    _refused("not_a_dispatcher", services.inquiry_reject, inquiry=inquiry, by=desk_world.union_handler,
             reason="abusive", note="无实际内容")  # fmt: skip
    _refused("reject_reason_required", services.inquiry_reject, inquiry=inquiry, by=desk_world.supervisor,
             reason="bogus", note="无实际内容")  # fmt: skip
    services.inquiry_reject(inquiry=inquiry, by=desk_world.supervisor, reason="out_of_scope", note="请向法院起诉")
    inquiry.refresh_from_db()
    assert inquiry.status == S.REJECTED and inquiry.closed_at is not None
    event = inquiry.events.last()
    assert event.visible_to_resident and "不属于受理范围" in event.note
    accepted = _accepted(desk_world)
    _refused("not_rejectable", services.inquiry_reject, inquiry=accepted, by=desk_world.supervisor,
             reason="duplicate", note="重复")  # fmt: skip


def test_co_handling_unit_sees_the_inquiry_and_gives_an_opinion(desk_world):
    from grievances import access

    inquiry = _accepted(desk_world)
    _refused("not_a_co_unit", services.inquiry_co_opinion, inquiry=inquiry, by=desk_world.urban_handler, text="意见")
    services.inquiry_co_unit_add(inquiry=inquiry, unit=desk_world.urban, by=desk_world.union_handler)
    _refused("co_unit_exists", services.inquiry_co_unit_add, inquiry=inquiry, unit=desk_world.urban,
             by=desk_world.union_handler)  # fmt: skip
    assert access.inquiries_for_user(desk_world.urban_handler).filter(pk=inquiry.pk).exists()
    reply = services.inquiry_co_opinion(inquiry=inquiry, by=desk_world.urban_handler, text="城管配合核实。")
    assert reply.unit == desk_world.urban and not reply.is_official_answer
    _refused("not_the_lead_unit", services.inquiry_answer, inquiry=inquiry, by=desk_world.urban_handler, text="答")


def test_extension_approved_moves_the_deadline_and_tells_the_resident(desk_world):
    inquiry = _accepted(desk_world)
    old_due = inquiry.deadline_due
    _refused("not_the_lead_unit", services.extension_request, inquiry=inquiry, by=desk_world.urban_handler,
             working_days=3, reason="需现场核查")  # fmt: skip
    _refused("extension_days_invalid", services.extension_request, inquiry=inquiry, by=desk_world.union_handler,
             working_days=0, reason="需现场核查")  # fmt: skip
    extension = services.extension_request(inquiry=inquiry, by=desk_world.union_handler, working_days=3,
                                           reason="需现场核查")  # fmt: skip
    _refused("extension_pending", services.extension_request, inquiry=inquiry, by=desk_world.union_handler,
             working_days=3, reason="再延")  # fmt: skip
    _refused("not_a_dispatcher", services.extension_decide, extension=extension, by=desk_world.union_handler,
             approve=True)  # fmt: skip
    services.extension_decide(extension=extension, by=desk_world.supervisor, approve=True)
    inquiry.refresh_from_db()
    assert inquiry.deadline_working_days == 6 and inquiry.deadline_due > old_due
    assert Notice.objects.filter(kind="inquiry_resident_update", key__contains=":extended:").exists()
    _refused("extension_decided", services.extension_decide, extension=extension, by=desk_world.supervisor,
             approve=False)  # fmt: skip


def test_extension_refused_keeps_the_deadline(desk_world):
    inquiry = _accepted(desk_world)
    due = inquiry.deadline_due
    extension = services.extension_request(inquiry=inquiry, by=desk_world.union_handler, working_days=2, reason="忙")
    services.extension_decide(extension=extension, by=desk_world.supervisor, approve=False, note="不同意")
    inquiry.refresh_from_db()
    assert inquiry.deadline_due == due
    assert Extension.objects.get().status == Extension.Status.REFUSED


def test_supervise_marks_and_tells_the_unit_and_needs_an_open_inquiry(desk_world):
    inquiry = _accepted(desk_world)
    _refused("not_a_dispatcher", services.inquiry_supervise, inquiry=inquiry, by=desk_world.union_handler, note="快")
    services.inquiry_supervise(inquiry=inquiry, by=desk_world.supervisor, note="请今日答复")
    assert Inquiry.objects.get(pk=inquiry.pk).is_supervised
    assert Notice.objects.filter(kind="inquiry_supervised", user=desk_world.union_handler).exists()
    answered = _answered(desk_world)
    _refused("not_open", services.inquiry_supervise, inquiry=answered, by=desk_world.supervisor, note="快")


def test_rating_satisfied_rates_and_a_second_rating_is_refused(desk_world):
    inquiry = _answered(desk_world)
    services.inquiry_rate(inquiry=inquiry, rating="satisfied")
    inquiry.refresh_from_db()
    assert inquiry.status == S.RATED and inquiry.rating == "satisfied"
    _refused("not_answered", services.inquiry_rate, inquiry=inquiry, rating="unsatisfied")
    _refused("rating_invalid", services.inquiry_rate, inquiry=_answered(desk_world), rating="meh")


def test_unsatisfied_gives_one_redo_round_then_rates(desk_world):
    inquiry = _answered(desk_world)
    services.inquiry_rate(inquiry=inquiry, rating="unsatisfied", note="没说清楚材料")
    inquiry.refresh_from_db()
    assert inquiry.status == S.ACCEPTED and inquiry.redo_round == 1
    assert list(inquiry.events.values_list("action", flat=True))[-2:] == [A.RATED, A.REDO]
    assert Notice.objects.filter(kind="inquiry_redo", user=desk_world.union_handler).exists()
    services.inquiry_answer(inquiry=inquiry, by=desk_world.union_handler, text="补充：需营业执照复印件。")
    services.inquiry_rate(inquiry=inquiry, rating="unsatisfied")
    inquiry.refresh_from_db()
    assert inquiry.status == S.RATED and inquiry.redo_round == 1


def test_close_by_dispatcher_only_after_an_answer(desk_world):
    inquiry = _accepted(desk_world)
    _refused("not_closable", services.inquiry_close, inquiry=inquiry, by=desk_world.supervisor)
    answered = _answered(desk_world)
    _refused("not_a_dispatcher", services.inquiry_close, inquiry=answered, by=desk_world.union_handler)
    services.inquiry_close(inquiry=answered, by=desk_world.supervisor)
    assert Inquiry.objects.get(pk=answered.pk).status == S.CLOSED


def test_publish_needs_consent_and_redacts_the_question(desk_world):
    inquiry = _answered(desk_world)
    Inquiry.objects.filter(pk=inquiry.pk).update(text="我是孙桂兰，电话13812345678，想问经费返还。")
    services.inquiry_publish(inquiry=inquiry, by=desk_world.supervisor)
    inquiry.refresh_from_db()
    assert inquiry.is_published and "13812345678" not in inquiry.public_question
    assert inquiry.replies.get().is_public
    private = _answered(desk_world)
    Inquiry.objects.filter(pk=private.pk).update(publish_consent=False)
    _refused("no_publish_consent", services.inquiry_publish, inquiry=private, by=desk_world.supervisor)
    services.inquiry_unpublish(inquiry=inquiry, by=desk_world.supervisor)
    assert not Inquiry.objects.get(pk=inquiry.pk).is_published


def test_events_are_append_only(desk_world):
    event = submit(desk_world).events.first()
    event.note = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_events_refuse_an_update_in_the_database_too(desk_world):
    from django.db import DatabaseError, transaction

    event = submit(desk_world).events.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        InquiryEvent.objects.filter(pk=event.pk).update(note="改写")
    assert InquiryEvent.objects.get(pk=event.pk).note == event.note


def test_personal_data_erase_blanks_contact_cancels_pending_sms_and_is_idempotent(desk_world):
    inquiry = submit(desk_world)
    services.inquiry_personal_data_erase(inquiry=inquiry)
    inquiry.refresh_from_db()
    assert (inquiry.name, inquiry.phone, inquiry.phone_digest, inquiry.phone_tail) == ("", "", "", "")
    assert inquiry.personal_data_erased_at is not None
    assert not Notice.objects.filter(key__startswith=f"inquiry:{inquiry.pk}:").exclude(recipient="").exists()
    services.inquiry_personal_data_erase(inquiry=inquiry)
    assert inquiry.events.filter(action=A.PERSONAL_DATA_ERASED).count() == 1
    from grievances.selectors import inquiry_by_tracking

    assert inquiry_by_tracking(code=inquiry.tracking_code, phone_tail=PHONE[-4:]) is None


def test_tracking_wrong_code_and_wrong_phone_give_the_same_none(desk_world):
    from grievances.selectors import inquiry_by_tracking, inquiry_public_history

    inquiry = submit(desk_world)
    assert inquiry_by_tracking(code=inquiry.tracking_code_display.lower(), phone_tail=PHONE[-4:]) == inquiry
    assert inquiry_by_tracking(code=inquiry.tracking_code, phone_tail="0000") is None
    assert inquiry_by_tracking(code="PC-2345-6789-ABCD", phone_tail=PHONE[-4:]) is None
    assert inquiry_by_tracking(code="nonsense", phone_tail="") is None
    steps = inquiry_public_history(inquiry)
    assert [step.label for step in steps] == ["提交诉求", "分派"]


def test_answers_public_lists_published_only(desk_world):
    from grievances.selectors import answers_public

    inquiry = _answered(desk_world)
    _answered(desk_world)
    services.inquiry_publish(inquiry=inquiry, by=desk_world.supervisor)
    rows = list(answers_public())
    assert [row.pk for row in rows] == [inquiry.pk]
    assert rows[0].public_replies[0].is_public
    assert list(answers_public(unit=desk_world.urban)) == []
    assert timezone.now() >= rows[0].published_at
