"""Units and confirmed subscribers for the subscription and trigger tests."""

from django.utils import timezone

from pingcheng.directory.models import Unit
from pingcheng.notices.models import Frequency, Subscriber, Subscription, Topic
from tests.factories import UnitFactory, district


def unit_tree() -> dict[str, Unit]:
    top = district()
    xinwang = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=top)
    zhenhua = UnitFactory(code="zhenhua", name="振华街道", kind=Unit.Kind.STREET, parent=top)
    yujinyuan = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=xinwang)
    return {"district": top, "xinwang": xinwang, "zhenhua": zhenhua, "yujinyuan": yujinyuan}


def follower(
    *, email: str = "", phone: str = "", unit: Unit | None = None, topic: str = Topic.NEWS,
    frequency: str = Frequency.IMMEDIATE, confirmed: bool = True, active: bool = True,
) -> Subscriber:  # fmt: skip
    person = Subscriber.objects.create(
        email=email, phone=phone, confirmed_at=timezone.now() if confirmed else None, is_active=active
    )
    Subscription.objects.create(subscriber=person, unit=unit, topic=topic, frequency=frequency)
    return person
