"""Credits and figures point at the platform's Contributor and Photo; the newsroom's copies leave its state.

State only: the tables are the same ones (directory 0002 and photos 0001 adopted them); the renames follow
in directory 0003 and photos 0002.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_search_index"),
        ("directory", "0002_contributor"),
        ("photos", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="credit",
                    name="contributor",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="credits",
                        to="directory.contributor", verbose_name="作者",
                    ),
                ),
                migrations.AlterField(
                    model_name="articlephoto",
                    name="photo",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="figures",
                        to="photos.photo", verbose_name="图片",
                    ),
                ),
                migrations.DeleteModel(name="Photo"),
                migrations.DeleteModel(name="Contributor"),
            ]
        ),
    ]
