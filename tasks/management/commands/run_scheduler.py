from django.core.management.base import BaseCommand

from tasks import scheduler


class Command(BaseCommand):
    help = "Run the reminder scheduler loop (safe to run twice: a second one waits)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run a single tick (and the import recovery) and exit.",
        )
        parser.add_argument("--interval", type=float, default=None)

    def handle(self, *args, once: bool = False, interval=None, **options):
        if once:
            result = scheduler.tick()
            self.stdout.write(f"due={result['due']} stale={result['stale']}")
            imports = scheduler.recover_imports()
            if imports:
                self.stdout.write(f"imports re-enqueued={len(imports)}")
            return
        scheduler.run_forever(interval=interval)
