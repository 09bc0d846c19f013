import pytest
from django.http import Http404

from pingcheng.directory import access
from pingcheng.directory.models import Membership, Role, Unit
from tests.factories import UnitFactory, UserFactory, district, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = district()
    xinwang = UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=root)
    yujinyuan = UnitFactory(code="yujinyuan", name="御锦源社区", kind=Unit.Kind.COMMUNITY, parent=xinwang)
    grid = UnitFactory(code="yjy-grid-1", name="御锦源第一网格", kind=Unit.Kind.GRID, parent=yujinyuan)
    zhenhua = UnitFactory(code="zhenhua", name="振华街道", kind=Unit.Kind.STREET, parent=root)
    zh_community = UnitFactory(code="zh-c1", name="振华一社区", kind=Unit.Kind.COMMUNITY, parent=zhenhua)
    return {"root": root, "xinwang": xinwang, "yujinyuan": yujinyuan, "grid": grid, "zhenhua": zhenhua, "zh_c": zh_community}


def test_street_staff_see_their_street_and_everything_below(tree):
    user = staff(Role.STREET_STAFF, tree["xinwang"])
    visible = set(access.units_for_user(user).values_list("code", flat=True))
    assert visible == {"xinwang", "yujinyuan", "yjy-grid-1"}


def test_street_staff_never_see_a_neighbouring_street(tree):
    user = staff(Role.STREET_STAFF, tree["xinwang"])
    assert not access.units_for_user(user).filter(pk__in=[tree["zhenhua"].pk, tree["zh_c"].pk]).exists()
    with pytest.raises(Http404):
        access.unit_access_for_user(user=user, unit_id=tree["zhenhua"].pk)
    assert not access.user_may_act_for(user, tree["zh_c"])


def test_missing_and_forbidden_units_give_the_same_404(tree):
    user = staff(Role.COMMUNITY_STAFF, tree["yujinyuan"])
    with pytest.raises(Http404) as missing:
        access.unit_access_for_user(user=user, unit_id=999999)
    with pytest.raises(Http404) as forbidden:
        access.unit_access_for_user(user=user, unit_id=tree["xinwang"].pk)
    assert str(missing.value) == str(forbidden.value)


def test_community_staff_do_not_see_their_parent_street(tree):
    user = staff(Role.COMMUNITY_STAFF, tree["yujinyuan"])
    assert set(access.units_for_user(user).values_list("code", flat=True)) == {"yujinyuan", "yjy-grid-1"}


def test_district_admin_and_superuser_see_everything(tree):
    admin = staff(Role.DISTRICT_ADMIN, tree["root"])
    superuser = UserFactory(is_superuser=True)
    assert access.units_for_user(admin).count() == Unit.objects.count()
    assert access.units_for_user(superuser).count() == Unit.objects.count()


def test_user_without_membership_sees_nothing(tree):
    assert not access.units_for_user(UserFactory()).exists()


def test_inactive_membership_gives_no_access(tree):
    user = staff(Role.STREET_STAFF, tree["xinwang"])
    Membership.objects.filter(user=user).update(is_active=False)
    user = type(user).objects.get(pk=user.pk)
    assert not access.units_for_user(user).exists()


def test_scope_follows_relations_and_memberships_in_two_streets(tree):
    user = staff(Role.STREET_STAFF, tree["xinwang"])
    Membership.objects.create(user=user, unit=tree["zh_c"], role=Role.COMMUNITY_STAFF)
    user = type(user).objects.get(pk=user.pk)
    scoped = access.scope_to_user_units(Membership.objects.all(), user)
    assert {m.unit.code for m in scoped} == {"xinwang", "zh-c1"}


def test_roles_are_answered_for_a_unit_and_its_ancestors(tree):
    user = staff(Role.STREET_STAFF, tree["xinwang"])
    assert access.user_has_role(user, Role.STREET_STAFF, unit=tree["grid"])
    assert not access.user_has_role(user, Role.STREET_STAFF, unit=tree["zhenhua"])
    assert not access.user_has_role(user, Role.EDITOR)


def test_moving_a_community_rewrites_the_paths_of_its_subtree(tree):
    from pingcheng.directory.services import unit_save

    community = tree["yujinyuan"]
    community.parent = tree["zhenhua"]
    unit_save(unit=community)
    tree["grid"].refresh_from_db()
    assert tree["grid"].path == "/pingcheng/zhenhua/yujinyuan/yjy-grid-1/"
    assert tree["grid"].depth == 3
    user = staff(Role.STREET_STAFF, tree["xinwang"])
    assert not access.units_for_user(user).filter(pk=tree["grid"].pk).exists()


def test_a_unit_cannot_be_put_under_its_own_subtree(tree):
    from django.core.exceptions import ValidationError

    from pingcheng.directory.services import unit_save

    street = tree["xinwang"]
    street.kind = Unit.Kind.DEPARTMENT
    street.parent = tree["yujinyuan"]
    with pytest.raises(ValidationError):
        unit_save(unit=street)


def test_a_community_must_sit_under_a_street(tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        UnitFactory(code="bad", name="错层社区", kind=Unit.Kind.COMMUNITY, parent=tree["root"])
    assert "parent" in error.value.message_dict
