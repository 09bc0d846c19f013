from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pingcheng.demo import demo_loaders
from pingcheng.directory import demo as directory_demo


class Command(BaseCommand):
    help = "Load the demo data (the seed page of Pingcheng news) idempotently; --accounts adds demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts", action="store_true", help="also create one demo staff account per role (never in production)"
        )

    def handle(self, *args, accounts: bool = False, **options):
        if accounts and not settings.DEBUG:
            # The demo password is printed here and written in the README: with DEBUG off this may be a real
            # site, where those logins (a district administrator among them) would be open to anyone.
            raise CommandError(
                "演示账号的密码是公开的，只能在开发环境（DEBUG=true）中创建；当前 DEBUG 为关闭状态，未做任何修改。"
                " Demo accounts have a published password and are only created with DEBUG=true; nothing was changed."
            )
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
