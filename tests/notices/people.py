"""Recipients for notice tests."""

from django.utils import timezone

from pingcheng.notices.models import Subscriber


def subscriber(*, email: str = "", phone: str = "", confirmed: bool = True, is_active: bool = True) -> Subscriber:
    return Subscriber.objects.create(
        email=email, phone=phone, confirmed_at=timezone.now() if confirmed else None, is_active=is_active
    )
