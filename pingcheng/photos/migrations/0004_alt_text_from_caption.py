"""Alt text is asked for on its own now (a description of the picture, not its caption): photos from before
get their caption as alt text, so no picture a reader already sees loses the words a screen reader reads.

Not undone on the way back: the alt text a photo had and the one copied here are the same column.
"""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Left


def copy_caption_to_alt_text(apps, schema_editor) -> None:
    Photo = apps.get_model("photos", "Photo")
    Photo.objects.filter(alt_text="").exclude(caption="").update(alt_text=Left(F("caption"), 200))


class Migration(migrations.Migration):
    dependencies = [("photos", "0003_content_types")]

    operations = [
        migrations.AlterField(
            model_name="photo",
            name="alt_text",
            field=models.CharField(
                blank=True,
                help_text="供读屏软件朗读：用一句话描述画面上有什么，不要照抄图片说明。稿件送审前必须填写。",
                max_length=200,
                verbose_name="替代文字",
            ),
        ),
        migrations.RunPython(copy_caption_to_alt_text, migrations.RunPython.noop),
    ]
