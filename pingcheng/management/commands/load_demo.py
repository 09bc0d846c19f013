from django.core.management.base import BaseCommand

from pingcheng.demo import demo_loaders
from pingcheng.directory import demo as directory_demo


class Command(BaseCommand):
    help = "Load the demo data (the seed page of Pingcheng news) idempotently; --accounts adds demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts", action="store_true", help="also create one demo staff account per role (never in production)"
        )

    def handle(self, *args, accounts: bool = False, **options):
        units = directory_demo.load_units()
        self.stdout.write(f"单位：{len(units)} 个")
        for loader in demo_loaders():
            self.stdout.write(loader.load(units=units))
        if accounts:
            rows = directory_demo.load_accounts(units)
            # The products' loaders ran before the accounts existed; let them link the logins to their rows now.
            for loader in demo_loaders():
                if loader.link_accounts is not None:
                    loader.link_accounts()
            self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {directory_demo.DEMO_PASSWORD}）："))
            for username, role, unit in rows:
                self.stdout.write(f"  {username:<14} {role:<12} {unit}")
