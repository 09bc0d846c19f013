"""Errors stored before they were masked at write time lose the addresses they quote.

Includes rows whose ``recipient`` the retention sweep already blanked: the sweep does not visit them again.
"""

from django.db import migrations


def mask_errors(apps, schema_editor):
    # The masking module, not models.py: a migration must not depend on the current models.
    from pingcheng.notices.masking import mask_contacts

    Notice = apps.get_model("notices", "Notice")
    for notice in Notice.objects.exclude(last_error="").only("pk", "recipient", "last_error").iterator():
        masked = mask_contacts(notice.last_error, known=(notice.recipient,))
        if masked != notice.last_error:
            Notice.objects.filter(pk=notice.pk).update(last_error=masked)


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0005_key_per_person_canceled"),
    ]

    operations = [
        migrations.RunPython(mask_errors, migrations.RunPython.noop),
    ]
