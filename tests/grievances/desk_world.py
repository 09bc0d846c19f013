"""A small district for the desk's tests: two departments and a street, their handlers, a supervisor, a
topic routed to the union, and helpers that file inquiries through the service."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from grievances import services
from grievances.models import Inquiry, Topic
from pingcheng.directory.models import Role, Unit
from tests.factories import UnitFactory, district, staff

_keys = itertools.count(1)
PHONE = "13812345678"


@dataclass
class Desk:
    root: Unit
    union: Unit
    urban: Unit
    street: Unit
    community: Unit
    topic: Topic
    street_topic: Topic
    union_handler: object
    urban_handler: object
    street_staff: object
    supervisor: object
    admin: object


@pytest.fixture
def desk_world(db) -> Desk:
    root = district()
    union = UnitFactory(code="trade-union", name="平城区总工会", kind=Unit.Kind.DEPARTMENT, parent=root,
                        public_phones="0352-5209130")  # fmt: skip
    urban = UnitFactory(code="urban", name="平城区城市管理局", kind=Unit.Kind.DEPARTMENT, parent=root)
    street = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=root)
    community = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    topic = Topic.objects.create(name="工会经费返还", slug="union-fee", default_unit=union)
    street_topic = Topic.objects.create(name="市容环境", slug="city", default_unit=street)
    return Desk(
        root=root, union=union, urban=urban, street=street, community=community, topic=topic,
        street_topic=street_topic,
        union_handler=staff(Role.DEPARTMENT_HANDLER, union, username="union-h", email="union@example.cn"),
        urban_handler=staff(Role.DEPARTMENT_HANDLER, urban, username="urban-h"),
        street_staff=staff(Role.STREET_STAFF, street, username="street-s"),
        supervisor=staff(Role.SUPERVISOR, root, username="sup"),
        admin=staff(Role.DISTRICT_ADMIN, root, username="dadmin"),
    )  # fmt: skip


def submit(w: Desk, **fields) -> Inquiry:
    defaults = {
        "kind": Inquiry.Kind.CONSULT, "topic": w.topic, "place_unit": w.community, "title": "工会经费怎么返还",
        "text": "我们是小微企业，想问工会经费返还需要哪些材料。", "name": "孙桂兰", "phone": PHONE,
        "channel": Inquiry.Channel.WEB, "publish_consent": True, "idempotency_key": f"key-{next(_keys)}",
    }  # fmt: skip
    return services.inquiry_submit(**{**defaults, **fields})
