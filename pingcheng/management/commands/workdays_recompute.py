from django.core.management.base import BaseCommand

from pingcheng.workdays import deadlines_recompute_all


class Command(BaseCommand):
    help = (
        "Recompute the deadlines still marked provisional (their span reached a year the working-day calendar "
        "did not know) and print how many changed. Idempotent: a second run changes nothing."
    )

    def handle(self, *args, **options):
        results = deadlines_recompute_all()
        for label, changed in results.items():
            self.stdout.write(f"{label}: {changed}")
        self.stdout.write(f"changed: {sum(results.values())}")
