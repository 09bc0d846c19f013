import pytest

from grievances import services
from grievances.models import Inquiry, InquiryEvent
from tests.grievances.desk_world import PHONE, desk_world, submit  # noqa: F401

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
