"""Migration alerts 0003: warning mobiles move into the staff members' notice preferences."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

MIGRATION = ("alerts", "0003_staffphone_into_preference")


def test_warning_mobiles_become_the_preference_number_and_a_chosen_number_stays():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    before = sorted(executor.loader.graph.node_map[MIGRATION].parents)
    try:
        executor.migrate([parent.key for parent in before])
        old = MigrationExecutor(connection).loader.project_state([parent.key for parent in before]).apps
        User = old.get_model("auth", "User")
        StaffPhone = old.get_model("alerts", "StaffPhone")
        Preference = old.get_model("notices", "StaffNoticePreference")
        no_preference = User.objects.create(username="grid")
        blank_number = User.objects.create(username="community")
        own_number = User.objects.create(username="street")
        StaffPhone.objects.create(user=no_preference, phone="13900000001")
        StaffPhone.objects.create(user=blank_number, phone="13900000002")
        StaffPhone.objects.create(user=own_number, phone="13900000003")
        Preference.objects.create(user=blank_number, by_inbox=False, by_email=True)
        Preference.objects.create(user=own_number, by_sms=True, phone="13800000003")
    finally:
        MigrationExecutor(connection).migrate(leaves)

    from pingcheng.notices.models import StaffNoticePreference

    created = StaffNoticePreference.objects.get(user_id=no_preference.pk)
    # Created with what applied without a row: inbox and e-mail, no SMS for ordinary work notices.
    assert (created.phone, created.by_inbox, created.by_email, created.by_sms) == ("13900000001", True, True, False)
    filled = StaffNoticePreference.objects.get(user_id=blank_number.pk)
    assert (filled.phone, filled.by_inbox, filled.by_email) == ("13900000002", False, True)
    assert StaffNoticePreference.objects.get(user_id=own_number.pk).phone == "13800000003"
    assert "alerts_staffphone" not in connection.introspection.table_names()
