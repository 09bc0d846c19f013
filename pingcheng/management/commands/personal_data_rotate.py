from django.core.management.base import BaseCommand

from pingcheng.personal_data import personal_data_rotate


class Command(BaseCommand):
    help = "Re-encrypt every encrypted personal-data column with the first key of PERSONAL_DATA_KEYS."

    def handle(self, *args, **options):
        for label, changed in personal_data_rotate().items():
            self.stdout.write(f"{label}: {changed} rows re-encrypted")
