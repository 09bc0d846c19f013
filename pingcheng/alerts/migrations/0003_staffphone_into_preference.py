"""A staff member's SMS number lives in one place: ``notices.StaffNoticePreference.phone``.

Each warning mobile (``StaffPhone``) is copied into its owner's preference, which is created where missing
with the defaults that applied without one (inbox and e-mail, no SMS for work notices), so nothing but the
number changes for them. Where a preference already holds a number, that one stays: the staff member chose it
themselves for their SMS, and a warning now goes to it. Then ``StaffPhone`` is dropped.
"""

from django.db import migrations


def copy_phones(apps, schema_editor):
    StaffPhone = apps.get_model("alerts", "StaffPhone")
    StaffNoticePreference = apps.get_model("notices", "StaffNoticePreference")
    for staff_phone in StaffPhone.objects.all().iterator():
        preference, created = StaffNoticePreference.objects.get_or_create(
            user_id=staff_phone.user_id, defaults={"phone": staff_phone.phone}
        )
        if not created and not preference.phone:
            preference.phone = staff_phone.phone
            preference.save(update_fields=["phone"])


def copy_phones_back(apps, schema_editor):
    StaffPhone = apps.get_model("alerts", "StaffPhone")
    StaffNoticePreference = apps.get_model("notices", "StaffNoticePreference")
    for preference in StaffNoticePreference.objects.exclude(phone="").iterator():
        StaffPhone.objects.get_or_create(user_id=preference.user_id, defaults={"phone": preference.phone})


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_fanout_subscribers"),
        ("notices", "0007_subscriptions"),
    ]

    operations = [
        migrations.RunPython(copy_phones, copy_phones_back),
        migrations.DeleteModel(name="StaffPhone"),
    ]
