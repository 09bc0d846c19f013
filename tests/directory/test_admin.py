import pytest

from pingcheng.directory.models import Role, Unit
from tests.factories import UnitFactory, district, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def streets():
    root = district()
    return (UnitFactory(code="xinwang", name="新旺街道", kind=Unit.Kind.STREET, parent=root),
            UnitFactory(code="zhenhua", name="振华街道", kind=Unit.Kind.STREET, parent=root))  # fmt: skip


def test_district_admin_edits_the_directory(client, streets):
    client.force_login(staff(Role.DISTRICT_ADMIN))
    url = f"/admin/directory/unit/{streets[0].pk}/change/"
    response = client.get(url)
    assert response.status_code == 200 and 'name="name"' in response.text
    response = client.post(url, {"name": "新旺街道办事处", "short_name": "新旺", "code": "xinwang", "kind": "street",
                                 "parent": district().pk, "sort_order": 10, "is_active": "on"})  # fmt: skip
    assert response.status_code == 302
    assert Unit.objects.get(code="xinwang").name == "新旺街道办事处"


def test_street_staff_read_their_part_of_the_directory_only(client, streets):
    xinwang, zhenhua = streets
    client.force_login(staff(Role.STREET_STAFF, xinwang))
    listing = client.get("/admin/directory/unit/")
    assert listing.status_code == 200
    assert "新旺街道" in listing.text and "振华街道" not in listing.text
    page = client.get(f"/admin/directory/unit/{xinwang.pk}/change/")
    assert page.status_code == 200 and 'name="name"' not in page.text  # read-only view
    assert client.post(f"/admin/directory/unit/{xinwang.pk}/change/", {"name": "改名"}).status_code == 403
    assert client.get(f"/admin/directory/unit/{zhenhua.pk}/change/").status_code in (302, 404)


def test_staff_without_a_membership_cannot_enter_the_directory(client, streets):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/admin/directory/unit/").status_code == 403


def test_only_administrators_manage_accounts(client, streets):
    client.force_login(staff(Role.STREET_STAFF, streets[0]))
    assert client.get("/admin/auth/user/").status_code == 403
    client.force_login(staff(Role.DISTRICT_ADMIN))
    assert client.get("/admin/auth/user/").status_code == 200


def test_a_unit_without_a_kind_is_a_form_error(client, streets):
    client.force_login(staff(Role.DISTRICT_ADMIN))
    response = client.post("/admin/directory/unit/add/", {"name": "无类型", "code": "no-kind", "kind": "",
                                                          "parent": district().pk, "sort_order": 1})  # fmt: skip
    assert response.status_code == 200
    assert not Unit.objects.filter(code="no-kind").exists()
