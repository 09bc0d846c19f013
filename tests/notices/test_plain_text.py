"""SMS and e-mail are plain text: what the context says arrives as typed, never HTML-escaped."""

import pytest
from django.core import mail

from pingcheng.notices import services, sms
from pingcheng.notices.selectors import inbox_list
from tests.factories import UserFactory
from tests.notices.people import subscriber

pytestmark = pytest.mark.django_db
TYPED = '防汛 & 排涝 <通知> "紧急"'


def test_ampersand_angle_brackets_and_quotes_arrive_in_an_sms_as_typed():
    services.notice_enqueue(kind="generic", recipient=subscriber(phone="13912345678"), key="event:1",
                            context={"body": TYPED})  # fmt: skip
    assert services.notices_sweep() == 1
    [message] = sms.outbox
    assert message.text == f"【平城区融媒体中心】{TYPED}"
    assert "&amp;" not in message.text and "&lt;" not in message.text and "&quot;" not in message.text


def test_ampersand_angle_brackets_and_quotes_arrive_in_an_email_as_typed():
    services.notice_enqueue(kind="generic", recipient=subscriber(email="reader@example.cn"), key="event:1",
                            context={"subject": TYPED, "body": TYPED})  # fmt: skip
    assert services.notices_sweep() == 1
    [message] = mail.outbox
    assert message.subject == TYPED
    assert message.body.startswith(TYPED)


def test_the_newsroom_templates_keep_an_opinion_as_typed():
    user = UserFactory(email="reporter@example.cn")
    services.notice_enqueue(
        kind="article_returned", recipient=user, key="article:1:returned:1",
        context={"headline": "A&B <新> \"稿\"", "level": "初审", "opinion": "改为 “x < y & z”"},
    )  # fmt: skip
    services.notices_sweep()
    [message] = mail.outbox
    assert message.subject == '稿件被退回：A&B <新> "稿"'
    assert "改为 “x < y & z”" in message.body


def test_the_inbox_page_escapes_the_plain_text_once(client):
    user = UserFactory()
    services.notice_enqueue(kind="generic", recipient=user, key="event:1",
                            context={"subject": TYPED, "body": "<script>alert(1)</script> & 更多"})  # fmt: skip
    [message] = inbox_list(user=user)
    assert message.body.startswith("<script>alert(1)</script> & 更多")
    client.force_login(user)
    page = client.get("/admin/inbox/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 更多" in page
    assert "<script>alert(1)" not in page and "&amp;amp;" not in page
