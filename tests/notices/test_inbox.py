from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pingcheng.directory.models import Role
from pingcheng.notices import services
from pingcheng.notices.models import Notice
from pingcheng.notices.selectors import inbox_list, inbox_unread_count
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db
INBOX = reverse("notices:inbox")


def _tell(user, key, subject, **extra):
    notices = services.notice_enqueue(kind="generic", recipient=user, key=key,
                                      context={"subject": subject, "body": f"{subject}的正文"}, **extra)  # fmt: skip
    return next(n for n in notices if n.channel == Notice.Channel.INBOX)


def _read_url(notice):
    return reverse("notices:inbox_mark_read", args=[notice.pk])


@pytest.fixture
def reviewer():
    return staff(Role.EDITOR, username="reviewer")


def test_unread_count_and_list_show_only_the_users_own_messages_newest_first(reviewer):
    other = staff(Role.EDITOR, username="other")
    first = _tell(reviewer, "event:1", "第一条")
    Notice.objects.filter(pk=first.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    _tell(reviewer, "event:2", "第二条")
    _tell(other, "event:3", "别人的")
    assert inbox_unread_count(user=reviewer) == 2
    messages = inbox_list(user=reviewer)
    assert [m.subject for m in messages] == ["第二条", "第一条"]
    assert messages[0].body == "第二条的正文\n\n—— 平城新闻"
    assert messages[0].unread and messages[0].kind == "generic"
    assert [m.subject for m in inbox_list(user=reviewer, limit=1)] == ["第二条"]


def test_a_scheduled_message_shows_from_its_time_on(reviewer):
    _tell(reviewer, "event:1", "明天的", send_after=timezone.now() + timedelta(days=1))
    assert inbox_unread_count(user=reviewer) == 0
    assert inbox_list(user=reviewer) == []


def test_the_inbox_page_lists_own_messages_and_marks_the_unread(client, reviewer, django_assert_max_num_queries):
    read = _tell(reviewer, "event:1", "已读的消息")
    services.notice_mark_read(notice=read)
    _tell(reviewer, "event:2", "新的消息")
    _tell(staff(Role.EDITOR, username="other"), "event:3", "别人的消息")
    client.force_login(reviewer)
    with django_assert_max_num_queries(12):
        response = client.get(INBOX)
    assert response.status_code == 200
    page = response.text
    assert "站内信" in page and "1 条未读" in page
    assert "【未读】</strong>新的消息" in page
    assert "【未读】</strong>已读的消息" not in page and "已读的消息" in page
    assert "别人的消息" not in page
    assert page.index("新的消息") < page.index("已读的消息")
    assert 'action="/admin/inbox/read-all/"' in page


def test_marking_one_message_read_changes_only_that_one(client, reviewer):
    first = _tell(reviewer, "event:1", "第一条")
    second = _tell(reviewer, "event:2", "第二条")
    client.force_login(reviewer)
    response = client.post(_read_url(first))
    assert response.status_code == 302 and response.url == INBOX
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert inbox_unread_count(user=reviewer) == 1
    # Marking it again keeps the first reading time.
    read_at = first.read_at
    client.post(_read_url(first))
    first.refresh_from_db()
    assert first.read_at == read_at


def test_marking_all_read_empties_the_unread_count(client, reviewer):
    _tell(reviewer, "event:1", "第一条")
    _tell(reviewer, "event:2", "第二条")
    other = staff(Role.EDITOR, username="other")
    _tell(other, "event:3", "别人的")
    client.force_login(reviewer)
    response = client.post(reverse("notices:inbox_mark_all_read"), follow=True)
    assert "已将 2 条站内信标为已读" in response.text
    assert inbox_unread_count(user=reviewer) == 0
    assert inbox_unread_count(user=other) == 1


def test_another_users_message_cannot_be_marked_read(client, reviewer):
    others = _tell(staff(Role.EDITOR, username="other"), "event:1", "别人的")
    client.force_login(reviewer)
    assert client.post(_read_url(others)).status_code == 404
    assert client.post(reverse("notices:inbox_mark_read", args=[999999])).status_code == 404
    others.refresh_from_db()
    assert others.read_at is None


def test_an_email_notice_is_not_an_inbox_message(client, reviewer):
    reviewer.email = "reviewer@example.cn"
    reviewer.save()
    services.notice_enqueue(kind="generic", recipient=reviewer, key="event:1", context={"subject": "x", "body": "y"})
    email = Notice.objects.get(channel=Notice.Channel.EMAIL)
    client.force_login(reviewer)
    assert client.post(_read_url(email)).status_code == 404


def test_marking_read_needs_a_post(client, reviewer):
    notice = _tell(reviewer, "event:1", "第一条")
    client.force_login(reviewer)
    assert client.get(_read_url(notice)).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_inbox_is_for_signed_in_staff_only(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and "/admin/login/" in response.url
    client.force_login(UserFactory(is_staff=False))
    response = client.get(INBOX)
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert client.post(reverse("notices:inbox_mark_all_read")).status_code == 302


def test_an_empty_inbox_says_so(client, reviewer):
    client.force_login(reviewer)
    assert "没有站内信" in client.get(INBOX).text


def test_the_inbox_is_never_cached(client, reviewer):
    _tell(reviewer, "event:1", "第一条")
    client.force_login(reviewer)
    response = client.get(INBOX)
    assert response.status_code == 200
    cache_control = response.headers.get("Cache-Control", "")
    assert "no-store" in cache_control and "private" in cache_control
