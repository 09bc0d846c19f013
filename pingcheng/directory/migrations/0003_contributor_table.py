from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_contributor"),
        ("articles", "0004_contributor_photo_moved"),
    ]

    operations = [migrations.AlterModelTable(name="contributor", table=None)]
