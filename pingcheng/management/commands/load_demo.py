from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from pingcheng.directory import demo as directory_demo

# Each product adds its loader here; each is idempotent and runs after the directory.
PRODUCT_LOADERS: list[str] = ["articles.demo.load"]


class Command(BaseCommand):
    help = "Load the demo data (the seed page of Pingcheng news) idempotently; --accounts adds demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts", action="store_true", help="also create one demo staff account per role (never in production)"
        )

    def handle(self, *args, accounts: bool = False, **options):
        units = directory_demo.load_units()
        self.stdout.write(f"单位：{len(units)} 个")
        for dotted in PRODUCT_LOADERS:
            summary = import_string(dotted)(units=units)
            self.stdout.write(summary)
        if accounts:
            rows = directory_demo.load_accounts(units)
            # The articles loader ran before the accounts existed; link the demo logins to their bylines now.
            import_string("articles.demo.link_demo_accounts")()
            self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {directory_demo.DEMO_PASSWORD}）："))
            for username, role, unit in rows:
                self.stdout.write(f"  {username:<14} {role:<12} {unit}")
