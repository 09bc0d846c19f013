from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("photos", "0001_initial"),
        ("articles", "0004_contributor_photo_moved"),
    ]

    operations = [migrations.AlterModelTable(name="photo", table=None)]
