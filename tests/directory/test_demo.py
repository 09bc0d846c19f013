import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from pingcheng.directory.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db


def _counts():
    return (Unit.objects.count(), Membership.objects.count(), get_user_model().objects.count())


def test_demo_data_loads_twice_without_duplicates(settings):
    settings.DEBUG = True  # demo accounts are created in development only
    call_command("load_demo", "--accounts", verbosity=0)
    first = _counts()
    call_command("load_demo", "--accounts", verbosity=0)
    assert _counts() == first
    assert first[0] >= 19


def test_demo_directory_has_the_units_and_union_contacts_of_the_seed_page():
    call_command("load_demo", verbosity=0)
    names = set(Unit.objects.values_list("name", flat=True))
    for name in ["平城区", "新旺街道", "御锦源社区", "柳园东院社区", "小南头街道", "古城街道", "文瀛湖街道", "西京社区",
                 "大庆路街道", "振华街道", "平城区人民检察院", "平城区城市管理局", "平城区总工会", "平城区税务局"]:
        assert name in names
    union = Unit.objects.get(code="trade-union")
    assert union.address == "平城区行政办公中心北区121"
    assert union.phone_list == ["0352-5209130", "18535257842", "18335204270"]
    assert Unit.objects.get(code="yujinyuan").parent.name == "新旺街道"
    assert Unit.objects.get(code="xijing").parent.name == "文瀛湖街道"


def test_demo_accounts_cover_every_working_role(settings):
    settings.DEBUG = True  # demo accounts are created in development only
    call_command("load_demo", "--accounts", verbosity=0)
    roles = set(Membership.objects.values_list("role", flat=True))
    expected = {Role.REPORTER, Role.CORRESPONDENT, Role.EDITOR, Role.DEPUTY_CHIEF, Role.CHIEF_EDITOR,
                Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.DEPARTMENT_HANDLER,
                Role.SUPERVISOR, Role.DISTRICT_ADMIN}  # fmt: skip
    assert expected <= roles
    assert get_user_model().objects.get(username="editor").check_password("pingcheng-demo-2026")


def test_demo_without_accounts_flag_creates_no_logins():
    call_command("load_demo", verbosity=0)
    assert not get_user_model().objects.exists()
