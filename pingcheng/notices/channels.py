"""Delivery channels: render a notice's plain-text templates and hand the message to e-mail or SMS.

Templates live at ``templates/notices/<template>.subject.txt`` and ``.body.txt`` (e-mail and the in-site
inbox) and ``templates/notices/<template>.sms.txt`` (SMS), rendered with the notice's context at send time.
They are plain text: rendered with autoescape off, so ``A & B <C> "D"`` arrives as typed, not as
``A &amp; B``. Where a body is shown in HTML (the inbox page) the HTML template escapes it once.

Each channel receives the notice's ``uuid`` as an idempotency key, the same for every attempt: a provider
or mail client that de-duplicates by it drops the copy a re-claimed notice sends again.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse

from pingcheng.notices.models import Notice
from pingcheng.notices.sms import get_sms_backend


def render_text(name: str, context: dict) -> str:
    """Render a plain-text template without HTML escaping (Django's engine escapes unless told not to)."""
    template = get_template(name, using="django")
    return template.template.render(Context(context, autoescape=False)).strip()


def subscriber_links(notice: Notice) -> dict:
    """The manage and one-click unsubscribe links of a notice to a subscriber (every message to a resident
    carries them; templates print ``unsubscribe_url``), or nothing for staff."""
    if not notice.subscriber_id:
        return {}
    token = notice.subscriber.token
    return {
        "unsubscribe_url": settings.SITE_URL + reverse("subscriptions:unsubscribe", args=[token]),
        "manage_url": settings.SITE_URL + reverse("subscriptions:manage", args=[token]),
    }


def _context(notice: Notice) -> dict:
    return {**notice.context, **subscriber_links(notice)}


def render_subject(notice: Notice) -> str:
    # A subject is one line: template newlines and runs of spaces would break the header.
    return " ".join(render_text(f"notices/{notice.template}.subject.txt", _context(notice)).split())


def render_body(notice: Notice) -> str:
    return render_text(f"notices/{notice.template}.body.txt", _context(notice))


def idempotency_key(notice: Notice) -> str:
    return str(notice.uuid)


def email_message_id(notice: Notice) -> str:
    """A Message-ID that is the same for every attempt at this notice, so a retry is recognisably a copy."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "pingcheng.invalid"
    return f"<notice.{idempotency_key(notice)}@{domain}>"


def send_email(notice: Notice) -> None:
    headers = {"Message-ID": email_message_id(notice), "X-Idempotency-Key": idempotency_key(notice)}
    if links := subscriber_links(notice):
        # RFC 2369 and RFC 8058: a mail client's "unsubscribe" button posts to the link, with no page between.
        headers["List-Unsubscribe"] = f"<{links['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMessage(
        subject=render_subject(notice),
        body=render_body(notice),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.recipient],
        headers=headers,
    )
    message.send(fail_silently=False)


def sms_text(notice: Notice) -> str:
    """The SMS as sent: the template's text, after the signature (NOTICE_SMS_SIGNATURE, 【平城区融媒体中心】)
    unless the template carries a signature of its own. Chinese carriers refuse messages without one."""
    text = render_text(f"notices/{notice.template}.sms.txt", _context(notice))
    signature = settings.NOTICE_SMS_SIGNATURE
    if signature and not text.startswith("【"):
        text = signature + text
    return text


def send_sms(notice: Notice) -> None:
    get_sms_backend().send(notice.recipient, sms_text(notice), idempotency_key=idempotency_key(notice))


# The in-site inbox has no sender: its rows are delivered by being committed.
CHANNELS = {Notice.Channel.EMAIL: send_email, Notice.Channel.SMS: send_sms}


def deliver(notice: Notice) -> None:
    CHANNELS[Notice.Channel(notice.channel)](notice)
