"""A small district for the public desk's tests: a street with a community, the union with its phones, a topic
routed to it, an FAQ entry and published answers (made through the core's services where they exist)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.utils import timezone

from grievances.models import FaqEntry, Inquiry, Reply, Topic
from pingcheng.directory.models import Unit
from pingcheng.personal_data import personal_data_digest
from tests.factories import UnitFactory, district

UNION_PHONES = "0352-5209130、0352-5209131"
_keys = itertools.count(1)


@dataclass
class World:
    street: Unit
    community: Unit
    union: Unit
    topic: Topic
    other_topic: Topic
    faq: FaqEntry


def world() -> World:
    root = district()
    street = UnitFactory(code="xinjianbeilu", name="新建北路街道", kind=Unit.Kind.STREET, parent=root)
    community = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    union = UnitFactory(code="zonggonghui", name="区总工会", kind=Unit.Kind.DEPARTMENT, parent=root,
                        public_phones=UNION_PHONES, sort_order=10)  # fmt: skip
    topic = Topic.objects.create(name="工会会费返还", slug="union-fee", default_unit=union, sort_order=1)
    other = Topic.objects.create(name="其他", slug="other", default_unit=street, sort_order=99)
    faq = FaqEntry.objects.create(
        topic=topic, unit=union, question="小微企业工会经费返还需要哪些材料？",
        answer="需提供工会经费返还申请表、企业营业执照复印件，10个工作日内答复，咨询电话0352-5209130。",
    )  # fmt: skip
    return World(street, community, union, topic, other, faq)


def published_answer(w: World, *, title: str = "小微企业工会经费怎么返还", question: str = "",
                     answer: str = "符合条件的小微企业可申请全额返还工会经费，10个工作日内办结。",
                     topic: Topic | None = None, unit: Unit | None = None) -> Inquiry:  # fmt: skip
    """An answered inquiry whose resident consented and whose answer was published."""
    question = question or "我们公司是小微企业，工会会费返还需要哪些材料？多久能办好？"
    now = timezone.now()
    key = next(_keys)
    phone = f"1390000{key:04d}"
    inquiry = Inquiry.objects.create(
        kind=Inquiry.Kind.CONSULT, topic=topic or w.topic, place_unit=w.community, title=title, text=question,
        name="孙桂兰", phone=phone, phone_digest=personal_data_digest(phone, purpose="inquiry.phone"),
        phone_tail=phone[-4:], status=Inquiry.Status.ANSWERED, lead_unit=unit or w.union, publish_consent=True,
        is_published=True, public_title=title, public_question=question, published_at=now, answered_at=now,
        idempotency_key=f"world-{key}",
    )  # fmt: skip
    Reply.objects.create(inquiry=inquiry, unit=unit or w.union, text=answer, is_official_answer=True, is_public=True)
    return inquiry


TEST_PERSONAL_DATA_KEY = "q2yXz0mC0bGmN4Jg8Zt2eS9F6kqkYwJ0Q2x3gC6o1kE="


def personal_data_key(settings) -> None:
    """Give the test a personal-data key when the test settings name none (the core's settings may)."""
    if not getattr(settings, "PERSONAL_DATA_KEYS", None):
        settings.PERSONAL_DATA_KEYS = [TEST_PERSONAL_DATA_KEY]
