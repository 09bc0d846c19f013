"""The warnings admin is opened by exactly the roles that may issue warnings (``ALERT_ISSUER_ROLES``), so the
admin and the issue page (/alerts/new/) never disagree, whatever the settings say."""

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:alerts_alert_changelist")
ISSUE = reverse("alerts:new")


def _opens(client, user, path) -> bool:
    client.force_login(user)
    status = client.get(path).status_code
    assert status in (200, 403), status
    return status == 200


def test_the_supervisor_opens_the_warnings_admin_and_community_staff_do_not(client, people):
    assert _opens(client, people["supervisor"], CHANGELIST)
    assert _opens(client, people["issuer"], CHANGELIST)
    assert not _opens(client, people["community"], CHANGELIST)
    assert not _opens(client, people["grid"], CHANGELIST)


def test_narrowing_the_issuer_roles_closes_the_admin_as_it_closes_the_issue_page(client, people):
    with override_settings(ALERT_ISSUER_ROLES=["district_admin", "supervisor"]):
        for path in (ISSUE, CHANGELIST):
            assert not _opens(client, people["issuer"], path), path
            assert _opens(client, people["supervisor"], path), path


def test_widening_the_issuer_roles_opens_the_admin_as_it_opens_the_issue_page(client, people):
    with override_settings(ALERT_ISSUER_ROLES=["district_admin", "street_staff", "supervisor", "community_staff"]):
        for path in (ISSUE, CHANGELIST):
            assert _opens(client, people["community"], path), path
            assert not _opens(client, people["grid"], path), path
