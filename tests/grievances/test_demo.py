"""The inquiry desk's demo: the seed page's union-fee refund as topics, FAQ and a published answer, and open
inquiries at several stages on the union's and the street's desks."""

from io import StringIO

import pytest
from django.core.management import call_command

import pingcheng.urls  # noqa: F401 — imported with DEBUG off (see tests/campaigns/test_demo.py)
from grievances import access, selectors
from grievances.models import FaqEntry, Inquiry, InquiryEvent, Topic
from pingcheng.directory.models import Unit

pytestmark = pytest.mark.django_db
S = Inquiry.Status


@pytest.fixture
def loaded(demo_with_accounts):
    """The demo with its logins, loaded once for this module (tests/module_data.py)."""


def _counts():
    return (Topic.objects.count(), FaqEntry.objects.count(), Inquiry.objects.count(), InquiryEvent.objects.count())


def test_loading_twice_gives_the_same_rows(loaded):
    before = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == before


def test_union_fee_refund_routes_to_the_union_with_its_phones_and_faq(loaded):
    topic = Topic.objects.get(slug="union-fee-refund")
    assert topic.default_unit.code == "trade-union"
    assert "0352-5209130" in topic.default_unit.public_phones
    answers = " ".join(FaqEntry.objects.filter(topic=topic).values_list("answer", flat=True))
    assert "10个工作日内完成返还" in answers and "0352-5209130" in answers


def test_three_answers_are_published_and_others_wait_at_several_stages(loaded):
    published = list(selectors.answers_public())
    assert len(published) == 3 and all(inquiry.public_replies for inquiry in published)
    statuses = set(Inquiry.objects.values_list("status", flat=True))
    assert {S.CLOSED, S.ASSIGNED, S.ACCEPTED, S.RETURNED} <= statuses


def test_the_union_handler_sees_its_inquiries_and_the_street_an_overdue_one(loaded):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    union = access.inquiries_for_user(users.get(username="union"))
    assert union.filter(status=S.ASSIGNED).exists()
    street_counts = selectors.desk_counts(user=users.get(username="xinwang"))
    assert street_counts.overdue == 1 and street_counts.open == 2
    assert Unit.objects.get(code="trade-union").public_phones


@pytest.fixture
def without_accounts(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def test_without_accounts_two_answers_from_the_seed_article_are_public(client, without_accounts):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    assert not get_user_model().objects.filter(username="union").exists()
    published = list(selectors.answers_public())
    assert len(published) >= 2
    union = Unit.objects.get(code="trade-union")
    for inquiry in published:
        page = client.get(reverse("grievances:answer", args=[inquiry.pk]))
        assert page.status_code == 200 and "0352-5209130" in page.content.decode()
    answers = " ".join(reply.text for inquiry in published for reply in inquiry.public_replies)
    assert "2020年1月1日至2022年12月31日" in answers and "10个工作日内完成返还" in answers
    by_unit = client.get(reverse("grievances:answers_unit", args=[union.code]))
    assert by_unit.status_code == 200 and published[0].public_title in by_unit.content.decode()


def test_the_earlier_answers_have_their_history_and_no_personal_data(without_accounts):
    for inquiry in Inquiry.objects.filter(idempotency_key__startswith="demo-union-phone-"):
        assert inquiry.status == S.CLOSED and inquiry.phone == "" and inquiry.name == ""
        actions = list(inquiry.events.values_list("action", flat=True))
        assert actions == ["recorded", "assigned", "accepted", "answered", "auto_closed", "published"]
        assert inquiry.answered_at.date() <= inquiry.deadline_due


def test_loading_twice_without_accounts_adds_nothing(without_accounts):
    before = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == before
