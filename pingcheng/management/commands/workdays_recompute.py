from django.core.management.base import BaseCommand, CommandError

from pingcheng.workdays import deadlines_recompute_every, deadlines_recompute_provisional, deadlines_recompute_spanning

# The bounds ``WorkdayYear`` accepts.
MIN_YEAR, MAX_YEAR = 2000, 2100


class Command(BaseCommand):
    help = (
        "Recompute stored working-day deadlines and print how many changed. By default only those still marked "
        "provisional (their span reached a year the calendar did not know); --year also recomputes certain "
        "deadlines whose span touches that year, --all every deadline (after calendar data was loaded or "
        "edited outside the admin). Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            metavar="YEAR",
            help="recompute every deadline, provisional or not, whose span touches YEAR (repeatable)",
        )
        scope.add_argument("--all", action="store_true", dest="every", help="recompute every stored deadline")

    def handle(self, *args, years, every, **options):
        # No transaction around the run: each group's UPDATE is guarded on the values it read, so an
        # interrupted run leaves correct rows behind and a rerun finishes the job without long row locks.
        if every:
            results = deadlines_recompute_every()
        elif years:
            if not all(MIN_YEAR <= year <= MAX_YEAR for year in years):
                raise CommandError(f"--year must be between {MIN_YEAR} and {MAX_YEAR}")
            results = deadlines_recompute_spanning(years=set(years))
        else:
            results = deadlines_recompute_provisional()
        for label, changed in results.items():
            self.stdout.write(f"{label}: {changed}")
        self.stdout.write(f"changed: {sum(results.values())}")
