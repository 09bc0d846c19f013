"""Delivery channels: render a notice's templates and hand the message to e-mail or SMS.

Templates live at ``templates/notices/<template>.subject.txt`` and ``.body.txt`` (e-mail) and
``templates/notices/<template>.sms.txt`` (SMS), rendered with the notice's context at send time.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from pingcheng.notices.models import Notice
from pingcheng.notices.sms import get_sms_backend


def _render(notice: Notice, suffix: str) -> str:
    return render_to_string(f"notices/{notice.template}.{suffix}.txt", notice.context).strip()


def send_email(notice: Notice) -> None:
    subject = " ".join(_render(notice, "subject").split())
    message = EmailMessage(
        subject=subject, body=_render(notice, "body"), from_email=settings.DEFAULT_FROM_EMAIL, to=[notice.recipient]
    )
    message.send(fail_silently=False)


def send_sms(notice: Notice) -> None:
    get_sms_backend().send(notice.recipient, _render(notice, "sms"))


CHANNELS = {Notice.Channel.EMAIL: send_email, Notice.Channel.SMS: send_sms}


def deliver(notice: Notice) -> None:
    CHANNELS[Notice.Channel(notice.channel)](notice)
