"""Existing notices get their own idempotency key, the kind they were sent as and a masked recipient hint.

Before kinds existed the template name was the kind (generic, article_returned, article_published).
"""

import uuid

from django.db import migrations


def fill(apps, schema_editor):
    # The platform's masking, not the model module's helper: a migration must not depend on models.py.
    from pingcheng.chinese import mask_email, mask_phone

    Notice = apps.get_model("notices", "Notice")
    for notice in Notice.objects.filter(uuid__isnull=True).only("pk", "template", "recipient").iterator():
        notice.uuid = uuid.uuid4()
        notice.kind = notice.template
        notice.recipient_hint = (mask_email if "@" in notice.recipient else mask_phone)(notice.recipient)
        notice.save(update_fields=["uuid", "kind", "recipient_hint"])


class Migration(migrations.Migration):

    dependencies = [
        ("notices", "0002_people_kinds_inbox_lease"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
