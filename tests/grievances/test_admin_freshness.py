"""FAQ and topic edits in the admin reach the cached public pages at once (as a service's change does), and a
deleted FAQ entry leaves them too."""

import pytest
from django.urls import reverse

from grievances.models import FaqEntry
from tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(desk_world):
    return FaqEntry.objects.create(topic=desk_world.topic, unit=desk_world.union, question="工会经费返还哪些年度？",
                                   answer="返还2020年至2022年缴纳的工会经费。")  # fmt: skip


def _cached_faq(client) -> str:
    client.logout()
    first = client.get(reverse("grievances:faq")).content.decode()
    assert client.get(reverse("grievances:faq")).content.decode() == first  # served again, from the cache
    return first


def _admin(client, user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


def test_a_faq_answer_changed_in_the_admin_shows_on_the_cached_faq_page_at_once(
    client, desk_world, faq, django_capture_on_commit_callbacks
):
    assert "2020年至2022年" in _cached_faq(client)
    admin = _admin(client, desk_world.union_handler)
    url = reverse("admin:grievances_faqentry_change", args=[faq.pk])
    data = admin_form_data(admin, url)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {**data, "answer": "返还2020年1月1日至2022年12月31日缴纳的工会经费（筹备金）。"})
    assert response.status_code == 302
    page = _cached_faq(client)
    assert "2022年12月31日" in page and "返还2020年至2022年缴纳" not in page


def test_a_faq_entry_deleted_in_the_admin_leaves_the_cached_faq_page(
    client, desk_world, faq, django_capture_on_commit_callbacks
):
    assert faq.question in _cached_faq(client)
    admin = _admin(client, desk_world.supervisor)
    url = reverse("admin:grievances_faqentry_delete", args=[faq.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302 and not FaqEntry.objects.filter(pk=faq.pk).exists()
    assert faq.question not in _cached_faq(client)


def test_a_topic_renamed_in_the_admin_shows_on_the_cached_faq_page_at_once(
    client, desk_world, faq, django_capture_on_commit_callbacks
):
    assert "工会经费返还" in _cached_faq(client)
    admin = _admin(client, desk_world.supervisor)
    url = reverse("admin:grievances_topic_change", args=[desk_world.topic.pk])
    data = admin_form_data(admin, url)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url, {**data, "name": "小微企业工会经费返还"}).status_code == 302
    assert "小微企业工会经费返还" in _cached_faq(client)


def test_without_the_admins_signal_the_cached_page_stays_as_it_was(client, desk_world, faq):
    """The control: an edit that bypasses the admin (and its refresh) is not seen until the cache expires —
    so the tests above show the admin's refresh, not an uncached page."""
    assert "2020年至2022年" in _cached_faq(client)
    FaqEntry.objects.filter(pk=faq.pk).update(answer="改过的解答")
    assert "改过的解答" not in _cached_faq(client)
