from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from crm.core.models import Tenant


class Command(BaseCommand):
    help = "Load the demo company (上海商慧示范有限公司): users, teams, months of work."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only when no company exists.")

    def handle(self, *args, if_empty: bool = False, **options):
        from fixtures import demo

        with scopes_disabled():
            if if_empty and Tenant.objects.exists():
                return
            username = demo.load()
        others = ", ".join(name for name, *_rest in demo.DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo company loaded. Log in as {username} / {demo.DEMO_PASSWORD} "
                f"(also {others} with the same password)."
            )
        )
