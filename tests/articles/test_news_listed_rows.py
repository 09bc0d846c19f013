"""The sections, streets and communities the news pages list (the search page's filters, the front page's
streets) are kept per process and news generation: a new one, a changed one and a removed one show at once."""

import pytest

from articles.models import Section
from articles.selectors import front_page_units
from pingcheng.directory.models import Unit
from tests.factories import UnitFactory, district

pytestmark = pytest.mark.django_db


@pytest.fixture
def street():
    return UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=district())


def _offered(client) -> str:
    return client.get("/search/").text


def test_a_new_community_is_offered_at_once(client, street, django_capture_on_commit_callbacks):
    assert "御锦源社区" not in _offered(client)  # the process now keeps the filter choices
    with django_capture_on_commit_callbacks(execute=True):
        UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    assert "御锦源社区" in _offered(client)


def test_a_deactivated_community_is_no_longer_offered_at_once(client, street, django_capture_on_commit_callbacks):
    community = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=street)
    assert "御锦源社区" in _offered(client)
    community.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        community.save()
    assert "御锦源社区" not in _offered(client)


def test_a_new_street_joins_the_front_page_blocks_at_once(street, django_capture_on_commit_callbacks):
    assert [unit.code for unit in front_page_units()] == ["xinwang"]
    with django_capture_on_commit_callbacks(execute=True):
        UnitFactory(code="zhenhua", name="振华街道", kind=Unit.Kind.STREET, parent=district())
    assert {unit.code for unit in front_page_units()} == {"xinwang", "zhenhua"}


def test_a_new_section_is_offered_and_a_deleted_one_is_not(client, django_capture_on_commit_callbacks):
    assert "创城" not in _offered(client)
    with django_capture_on_commit_callbacks(execute=True):
        section = Section.objects.create(name="创城", slug="chuangcheng")
    assert ">创城</option>" in _offered(client)
    with django_capture_on_commit_callbacks(execute=True):
        section.delete()
    assert ">创城</option>" not in _offered(client)
