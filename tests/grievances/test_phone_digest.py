"""One digest for one phone: the code sent to it, the public draft, the duplicate check and the filed inquiry
all hold ``pingcheng.personal_data``'s keyed digest, so a resident who asks again is found whichever way the
number was typed and whichever side filed the first inquiry."""

import pytest

from grievances import public_data, services, verification
from grievances.models import Inquiry
from grievances.verification import PhoneCode
from pingcheng.directory.models import Role
from tests.factories import staff
from tests.grievances.public_world import personal_data_key, world

pytestmark = pytest.mark.django_db
TEXT = "我们是一家小微企业，想申请工会经费返还，请问需要准备哪些材料，多久能办好？"


@pytest.fixture
def w(settings):
    personal_data_key(settings)
    return world()


def _filed_by_phone_at_the_desk(w, phone="138 1234 5678") -> Inquiry:
    return services.inquiry_submit(kind=Inquiry.Kind.CONSULT, topic=w.topic, place_unit=w.community,
                                   title="工会经费返还要什么材料", text=TEXT, name="孙桂兰", phone=phone,
                                   channel=Inquiry.Channel.PHONE, idempotency_key="desk-1",
                                   by=staff(Role.DEPARTMENT_HANDLER, w.union, username="union-desk"))  # fmt: skip


@pytest.mark.parametrize("typed", ["13812345678", "138-1234-5678", "+86 138 1234 5678", "１３８１２３４５６７８"])
def test_a_question_asked_again_on_the_web_is_found_as_a_duplicate_of_one_filed_by_phone(w, typed):
    first = _filed_by_phone_at_the_desk(w)
    found = public_data.inquiry_duplicate_of(phone=typed, title="工会经费返还要什么材料", text=TEXT,
                                             idempotency_key="web-draft")  # fmt: skip
    assert found is not None and found.pk == first.pk


def test_the_desk_a_draft_and_a_code_count_one_phone_however_it_was_typed(w):
    inquiry = _filed_by_phone_at_the_desk(w, phone="+86 138-1234-5678")
    verification.phone_code_send(phone="１３８ １２３４ ５６７８", ip="203.0.113.9", purpose="draft")
    assert PhoneCode.objects.filter(phone_digest=inquiry.phone_digest).count() == 1
    assert Inquiry.objects.filter(phone_digest=services.inquiry_phone_digest("13812345678")).get() == inquiry


def test_the_same_question_from_another_phone_is_no_duplicate(w):
    _filed_by_phone_at_the_desk(w)
    assert public_data.inquiry_duplicate_of(phone="13900001111", title="工会经费返还要什么材料", text=TEXT,
                                            idempotency_key="web-draft") is None  # fmt: skip


def test_a_code_sent_to_the_phone_is_counted_under_the_inquiries_digest(w):
    inquiry = _filed_by_phone_at_the_desk(w)
    verification.phone_code_send(phone="138 1234 5678", ip="203.0.113.9", purpose="draft")
    assert PhoneCode.objects.get().phone_digest == inquiry.phone_digest
    draft = public_data.draft_from({"kind": "consult", "topic": w.topic.pk, "place": None, "title": "t", "text": TEXT,
                                    "name": "", "phone": "13812345678", "publish_consent": False}, photo_ids=[])  # fmt: skip
    assert draft["phone_digest"] == inquiry.phone_digest
