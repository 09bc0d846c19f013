"""A hand-typed or tampered id in an autocomplete field gets the form's message, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

FIELDS = [
    ("/admin/directory/unit/add/", "parent"),
    ("/admin/directory/membership/add/", "unit"),
    ("/admin/campaigns/campaign/add/", "lead_unit"),
    ("/admin/campaigns/campaign/add/", "partner_units"),
    ("/admin/articles/article/add/", "units"),
    ("/admin/articles/article/add/", "series"),
]


@pytest.mark.parametrize("value", ["abc", "1.5", "99999999999999999999999", "0x10"])
@pytest.mark.parametrize(("url", "field"), FIELDS)
def test_an_id_that_is_not_one_is_a_form_error(admin_client, url, field, value):
    response = admin_client.post(url, {field: value, "name": "测试"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.text or "有效" in response.text
