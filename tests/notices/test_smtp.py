"""E-mail through Django's SMTP backend to a real SMTP server on loopback (aiosmtpd), headers and all."""

import email
import logging
import socket
from email.header import decode_header, make_header
from email.message import Message
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.test import Client, override_settings

from pingcheng.notices import services
from pingcheng.notices.models import Notice
from tests.notices.subscribing import follower, unit_tree

pytestmark = pytest.mark.django_db


class Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    # aiosmtpd, the stand-in for the district's mail server, logs each envelope's addresses to "mail.log" at INFO;
    # that is the peer's log, not ours, so the whole-run privacy check (tests/test_log_privacy.py) is not given it.
    # Our own loggers stay as they are: a product log line with an address still fails the run.
    peer_log = logging.getLogger("mail.log")
    level = peer_log.level
    peer_log.setLevel(logging.WARNING)
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD=""):  # fmt: skip
        yield collector
    controller.stop()
    peer_log.setLevel(level)


def _header(message: Message, name: str) -> str:
    """A header's value unfolded (RFC 5322 lets a long one continue on the next line) and decoded."""
    return str(make_header(decode_header(message[name]))).replace("\r\n", "").strip()


def test_a_subscriber_s_email_goes_through_smtp_with_the_one_click_unsubscribe_headers(smtp_server):
    person = follower(email="resident@example.com", unit=unit_tree()["yujinyuan"])
    [notice] = services.notice_enqueue(kind="news_published", recipient=person, key="article:7:subscribers",
                                       context={"title": "御锦源社区开展防汛演练 & 疏散", "url": "http://x/news/7/"})  # fmt: skip
    assert services.notices_sweep() == 1
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["resident@example.com"]
    message = email.message_from_bytes(envelope.original_content)
    assert _header(message, "Subject") == "新闻：御锦源社区开展防汛演练 & 疏散"
    unsubscribe = f"/subscribe/unsubscribe/{person.token}/"
    list_unsubscribe = _header(message, "List-Unsubscribe")
    assert list_unsubscribe.startswith("<http://") and list_unsubscribe.endswith(unsubscribe + ">")
    assert _header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == f"<notice.{notice.uuid}@pingcheng.example>"
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert unsubscribe in body and "&amp;" not in body

    # What a mail client does with the header: POST List-Unsubscribe=One-Click to the URL, no cookies.
    url = list_unsubscribe.strip("<>")
    response = Client(enforce_csrf_checks=True).post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert not person.is_active


def test_staff_email_has_no_list_headers(smtp_server):
    from pingcheng.directory.models import Role
    from tests.factories import staff

    user = staff(Role.EDITOR, email="editor@example.com")
    services.notice_enqueue(kind="generic", recipient=user, key="g:1", context={"subject": "稿件", "body": "x"})
    assert services.notices_sweep() == 1
    message = email.message_from_bytes(smtp_server.envelopes[0].original_content)
    assert message["List-Unsubscribe"] is None


def test_a_refused_recipient_is_retried_later_not_lost(smtp_server):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 no such user"

    smtp_server.handle_RCPT = refuse
    person = follower(email="resident@example.com", unit=None)
    [notice] = services.notice_enqueue(kind="news_published", recipient=person, key="article:8:subscribers",
                                       context={"title": "t", "url": "http://x/"})  # fmt: skip
    assert services.notices_sweep() == 0
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED and "resident@example.com" not in notice.last_error
