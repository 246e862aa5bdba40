"""`make bench`: seed (or reuse) the benchmark tenant on PostgreSQL, run every
benchmark, print a table and write bench/results.json.

    python -m bench.run [--only api,ui,transitions,reminders,marketing,import,messaging] [--reseed]

BENCH_QUICK=1 runs shorter versions (same seed, fewer requests and rows).
The reminders suite runs the phases of BENCH_REMINDER_PHASES (default
burst,steady,procs; procs: reminders/s with 1, 2 and 4 worker processes, burst
size BENCH_PROCS_BURST).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench.common import (
    QUICK,
    RESULTS,
    ROOT,
    Result,
    child_env,
    configure_env,
    ensure_database,
    say,
    setup_django,
    write_results,
)

SUITES = ("api", "ui", "transitions", "reminders", "marketing", "import", "messaging")


def table(rows: list[dict]) -> str:
    head = ("benchmark", "value", "unit", "baseline", "baseline value", "ratio")
    lines = [head] + [
        (
            r["name"],
            f"{r['value']:g}",
            r["unit"],
            r["baseline_name"],
            f"{r['baseline_value']:g}",
            "" if r.get("ratio") is None else f"{r['ratio']:g}",
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append(" | ".join(str(c).ljust(widths[i]) for i, c in enumerate(line)))
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def load_average(when: str) -> Result:
    """The machine's 1-minute load beside its cores: other work skews every figure."""
    import os

    return Result(
        f"machine load average (1 min) at {when}",
        os.getloadavg()[0],
        "runnable",
        "CPU cores",
        os.cpu_count() or 1,
    )


def run_import_bench() -> None:
    """The import issue's benchmark: it merges its own entries into results.json."""
    script = ROOT / "bench" / "import_bench.py"
    if not script.exists():
        say("import: bench/import_bench.py does not exist yet: skipped")
        return
    say("== import (bench/import_bench.py)")
    subprocess.run([sys.executable, str(script)], cwd=ROOT, env=child_env(), check=False)


def run_messaging_bench() -> None:
    """The mass send benchmark (issue 16): it merges its own entries into results.json."""
    say("== messaging (bench/messaging_bench.py)")
    args = [sys.executable, "-m", "bench.messaging_bench"]
    if QUICK:
        args += ["--n", "5000"]
    subprocess.run(args, cwd=ROOT, env=child_env(), check=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=",".join(SUITES))
    parser.add_argument("--reseed", action="store_true", help="drop and re-create the seed")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))

    configure_env()
    ensure_database()
    setup_django()
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from bench import seed as seeding

    call_command("migrate", interactive=False, verbosity=0)
    started = time.monotonic()
    say(f"== seed {'(quick mode)' if QUICK else ''}")
    with scopes_disabled():
        if args.reseed:
            seeding.reseed()
        seed = seeding.seed()
        flow = seeding.flow_tenant()

    results: list[Result] = [load_average("start")]
    if "api" in only:
        from bench import api_bench

        say("== list and detail API")
        results += api_bench.run(seed)
        write_results(results)
    if "ui" in only:
        from bench import ui_bench

        say("== lead list in the browser")
        results += ui_bench.run(seed)
        write_results(results)
    if "transitions" in only:
        from bench import transitions_bench

        say("== transitions")
        results += transitions_bench.run(flow)
        write_results(results)
    if "reminders" in only:
        from bench import reminders_bench

        say(f"== reminders ({','.join(reminders_bench.PHASES)})")
        results += reminders_bench.run(flow)
        write_results(results)
    if "marketing" in only:
        from bench import marketing_bench

        say("== marketing stock (requisitions issued, stock on hand)")
        results += marketing_bench.run()
        write_results(results)
    results.append(load_average("end"))
    write_results(results)
    if "import" in only:
        run_import_bench()
    if "messaging" in only:
        run_messaging_bench()

    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    say("")
    say(table(rows))
    say(f"\n{len(rows)} figures in {RESULTS.relative_to(ROOT)} ({time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
