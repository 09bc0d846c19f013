"""Who may open which notice: a user reaches only their own inbox rows, with the same 404 for "missing" and
"not yours"."""

from django.http import Http404
from django.utils import timezone

from pingcheng.notices.models import Notice


def inbox_notice_for_user(*, user, notice_id: int) -> Notice:
    notice = Notice.objects.filter(
        pk=notice_id, user=user, channel=Notice.Channel.INBOX, send_after__lte=timezone.now()
    ).first()
    if notice is None:
        raise Http404("No such notice in this inbox")
    return notice


def subscriber_by_token(*, token: str):
    """The subscriber a manage or unsubscribe link names; 404 for a token nobody holds."""
    from pingcheng.notices.models import Subscriber

    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        raise Http404("No such subscription link")
    return subscriber
