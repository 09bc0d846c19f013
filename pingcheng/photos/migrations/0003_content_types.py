"""The admin's history follows the moved models: the content types of articles.photo and articles.contributor
take their new app labels, so a photo's or a contributor's change history stays on its page.

When the new content type already exists (the database ran ``migrate`` in steps and Django created it), the
history rows are moved to it and the old type deleted. Reversible: the labels go back.
"""

from django.db import migrations

MOVED = [("articles", "photo", "photos"), ("articles", "contributor", "directory")]


def _relabel(apps, moves) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    for old_label, model, new_label in moves:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
        else:
            LogEntry.objects.filter(content_type=old).update(content_type=new)
            old.delete()


def forwards(apps, schema_editor) -> None:
    _relabel(apps, MOVED)


def backwards(apps, schema_editor) -> None:
    _relabel(apps, [(new, model, old) for old, model, new in MOVED])


class Migration(migrations.Migration):
    dependencies = [
        ("photos", "0002_photo_table"),
        ("directory", "0003_contributor_table"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
