"""Residents follow a newsroom section (栏目) as well as units: the subscription pages offer the sections, and an
article published in a section reaches its followers once, whatever else of theirs matches, at their
frequency (a digest carries it once)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.links import section_stream
from articles.models import Section
from pingcheng.errors import DomainError
from pingcheng.notices import audience, sms
from pingcheng.notices.models import DigestItem, Frequency, Notice, Subscription, Topic
from pingcheng.notices.subscriptions import subscriber_subscribe
from tests.newsroom_fixtures import deliver_notices, publish_after_review
from tests.notices.subscribing import follower, unit_tree

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def units():
    return unit_tree()


@pytest.fixture
def sections():
    return {
        "news": Section.objects.create(name="平城新闻", slug="pingcheng-news", sort_order=1),
        "people": Section.objects.create(name="百姓故事", slug="people", sort_order=2),
    }


def _stream_follower(section, *, phone="", email="", frequency=Frequency.IMMEDIATE, unit=None):
    person = follower(phone=phone, email=email, unit=unit, topic=Topic.NEWS, frequency=frequency)
    if unit is None:
        person.subscriptions.all().delete()  # the section alone, not the district's news
    Subscription.objects.create(subscriber=person, topic=Topic.NEWS, stream=section_stream(section.pk),
                                frequency=frequency)  # fmt: skip
    return person


def test_an_article_reaches_its_sections_followers_and_each_subscriber_once(desk, units, sections):
    section_only = _stream_follower(sections["news"], phone="13900000001")
    both = _stream_follower(sections["news"], phone="13900000002", unit=units["yujinyuan"])
    unit_only = follower(phone="13900000003", unit=units["yujinyuan"], topic=Topic.NEWS)
    other_section = _stream_follower(sections["people"], phone="13900000004")
    other_unit = follower(phone="13900000005", unit=units["zhenhua"], topic=Topic.NEWS)
    publish_after_review(desk, units["yujinyuan"], section=sections["news"])
    deliver_notices()
    told = list(Notice.objects.filter(kind="news_published").values_list("subscriber", flat=True))
    assert sorted(told) == sorted([section_only.pk, both.pk, unit_only.pk])
    assert other_section.pk not in told and other_unit.pk not in told
    assert sorted(message.phone for message in sms.outbox) == ["13900000001", "13900000002", "13900000003"]


def test_an_article_without_units_still_reaches_its_sections_followers(desk, units, sections):
    section_only = _stream_follower(sections["news"], email="reader@example.com")
    publish_after_review(desk, section=sections["news"])
    deliver_notices()
    assert list(Notice.objects.filter(kind="news_published").values_list("subscriber", flat=True)) == [section_only.pk]


def test_a_digest_subscriber_following_the_unit_and_the_section_gets_the_article_once_in_the_digest(
    desk, units, sections, monkeypatch
):
    person = _stream_follower(sections["news"], phone="13900000006", unit=units["yujinyuan"],
                              frequency=Frequency.DAILY)  # fmt: skip
    publish_after_review(desk, units["yujinyuan"], section=sections["news"], headline="平城区开展防汛应急演练")
    deliver_notices()
    assert not Notice.objects.filter(kind="news_published").exists()
    assert DigestItem.objects.filter(subscriber=person).count() == 1
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert audience.digests_send(frequency=Frequency.DAILY,
                                 now=datetime.combine(tomorrow, datetime.min.time(), SHANGHAI).replace(hour=8)) == 1  # fmt: skip
    [digest] = Notice.objects.filter(kind="digest_daily")
    assert [item["title"] for item in digest.context["items"]] == ["平城区开展防汛应急演练"]


def test_the_more_immediate_frequency_wins_when_a_unit_and_a_section_both_match(desk, units, sections):
    person = follower(phone="13900000007", unit=units["yujinyuan"], topic=Topic.NEWS, frequency=Frequency.WEEKLY)
    Subscription.objects.create(subscriber=person, topic=Topic.NEWS, stream=section_stream(sections["news"].pk))
    publish_after_review(desk, units["yujinyuan"], section=sections["news"])
    deliver_notices()
    assert Notice.objects.filter(kind="news_published", subscriber=person).count() == 1
    assert not DigestItem.objects.filter(subscriber=person).exists()


def test_a_subscription_to_a_stream_has_no_unit_and_is_unique(units, sections):
    person = _stream_follower(sections["news"], phone="13900000008")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(subscriber=person, topic=Topic.NEWS, stream=section_stream(sections["news"].pk))
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(subscriber=person, topic=Topic.NEWS, stream=section_stream(sections["people"].pk),
                                    unit=units["yujinyuan"])  # fmt: skip


def test_subscribing_to_an_unknown_stream_or_to_nothing_is_refused(units, sections):
    with pytest.raises(DomainError) as refused:
        subscriber_subscribe(address="a@example.com", units=[], topics=[], frequency="immediate",
                             streams=["section:999999"])  # fmt: skip
    assert refused.value.code == "stream_unknown"
    with pytest.raises(DomainError) as refused:
        subscriber_subscribe(address="a@example.com", units=[], topics=[], frequency="immediate", streams=[])
    assert refused.value.code == "topics_required"


def test_the_subscribe_page_offers_the_sections_and_a_section_alone_is_a_subscription(client, units, sections):
    page = client.get("/subscribe/")
    assert "关注的栏目" in page.text and "平城新闻" in page.text and "百姓故事" in page.text
    response = client.post("/subscribe/", {"address": "reader@example.com", "streams": [section_stream(sections["news"].pk)],
                                           "frequency": "daily"}, REMOTE_ADDR="10.0.0.1")  # fmt: skip
    assert response.status_code == 200
    [row] = Subscription.objects.filter(subscriber__email="reader@example.com")
    assert (row.topic, row.unit, row.stream, row.frequency) == ("news", None, f"section:{sections['news'].pk}", "daily")


def test_the_subscribe_page_refuses_nothing_chosen_and_an_unknown_section_with_a_message(client, units, sections):
    nothing = client.post(
        "/subscribe/", {"address": "reader@example.com", "frequency": "daily"}, REMOTE_ADDR="10.0.0.2"
    )
    assert nothing.status_code == 400 and "请至少选择一项订阅内容或一个栏目" in nothing.text
    unknown = client.post("/subscribe/", {"address": "reader@example.com", "streams": ["section:999999"],
                                          "frequency": "daily"}, REMOTE_ADDR="10.0.0.3")  # fmt: skip
    assert unknown.status_code == 400 and not Subscription.objects.exists()


def test_the_manage_page_shows_and_changes_the_followed_sections(
    client, units, sections, django_assert_max_num_queries
):
    person = _stream_follower(sections["news"], email="reader@example.com", unit=units["yujinyuan"])
    with django_assert_max_num_queries(9):
        page = client.get(f"/subscribe/manage/{person.token}/")
    checked = f'value="{section_stream(sections["news"].pk)}" id="id_streams_0" checked'
    assert page.status_code == 200 and checked in page.text.replace("\n", " ")
    response = client.post(f"/subscribe/manage/{person.token}/", {
        "streams": [section_stream(sections["people"].pk)], "units": [units["xinwang"].pk], "frequency": "weekly"})  # fmt: skip
    assert response.status_code == 302
    assert sorted(person.subscriptions.values_list("topic", "unit", "stream", "frequency")) == [
        ("news", None, f"section:{sections['people'].pk}", "weekly")
    ]


def test_the_subscribers_admin_names_the_followed_section(admin_client, units, sections):
    person = _stream_follower(sections["people"], phone="13900000009")
    page = admin_client.get(f"/admin/notices/subscriber/{person.pk}/change/")
    assert page.status_code == 200 and "百姓故事" in page.text
