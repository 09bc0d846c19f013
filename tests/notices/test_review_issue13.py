"""Issue 13 review (notices): what residents, staff and supervisors met when the notices were tried from outside."""


import pytest

from pingcheng.directory.models import Role
from pingcheng.notices.models import StaffNoticePreference
from tests.factories import staff

pytestmark = pytest.mark.django_db


def test_a_staff_member_without_an_email_address_cannot_choose_email_as_their_only_channel(client):
    user = staff(Role.GRID_WORKER, email="")
    client.force_login(user)
    response = client.post("/admin/inbox/preferences/", {"by_email": "on"})
    assert response.status_code == 400 and "没有登记电子邮箱" in response.text
    assert not StaffNoticePreference.objects.filter(user=user).exists()
    # With another channel beside it, or with an address on the account, the choice is saved.
    assert client.post("/admin/inbox/preferences/", {"by_email": "on", "by_inbox": "on"}).status_code == 302
    user.email = "grid@pingcheng.example"
    user.save(update_fields=["email"])
    assert client.post("/admin/inbox/preferences/", {"by_email": "on"}).status_code == 302
    assert StaffNoticePreference.objects.get(user=user).by_inbox is False
