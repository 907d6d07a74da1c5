"""The engine's cost in CPU instructions per household, counted by valgrind: a steady figure.

Timings on a shared or virtual machine vary by 20-50% from run to run, more than most changes
to the hot path. Instruction counts do not: valgrind's callgrind counts every instruction the
process executes, the same for the same code and inputs (hash randomisation off). This runs
the engine over the first ``--households`` synthetic households once and three times, each in
a fresh process under callgrind, and prints (three passes - one pass) / (two passes x
households): the cost of a household, with start-up and the first pass's caches taken out.

Needs valgrind (Debian: ``apt install valgrind``). About a minute for 300 households.

``--screen scalar|columnar`` counts instead the screen's run of the households (their records
read beforehand), on the engine alone or with the columnar screen: the two ways compared.

``--resume quiet|illness|patch`` counts instead one resume per household: its checkpoint at
the end of January 2017 (made once, outside the count) resumed with one new February fact, a
quiet income assessment or an illness (the full path), the checkpoint decoded from its
compact form; ``patch`` counts the cycle's quiet month, :func:`patch_quiet` on the compact
head (which says None, for the households it is not quiet for, after a few checks).

Run: python benchmarks/engine_instructions.py [--households 300] [--policy yubei_2016] [--recorded]
     [--resume quiet|illness|patch] [--screen scalar|columnar]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

# What each child process runs: the engine over the population ``passes`` times.
CHILD = """
import datetime as dt, sys
from relapse_guard import Engine, load_policy
from relapse_guard.population import synthetic_households
households, policy, recorded, passes = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
population = list(synthetic_households(households, seed=1))
engine = Engine(load_policy(policy), record_decisions=recorded)
as_of = dt.date(2016, 12, 31)
resume = sys.argv[5] if len(sys.argv) > 5 else ""
if resume in ("scalar", "columnar"):  # the screen's run of the records (read beforehand), either way
    from collections import Counter
    from relapse_guard.screening.screen import run_on
    from relapse_guard.screening.screened import Tally
    from relapse_guard.screening.choice import choose
    choice = choose(policy, as_of, record_decisions=recorded)
    records = [(household, facts, ()) for household, facts in population]
    for _ in range(passes):
        for _ in run_on(resume, records, choice, as_of, Tally(), Counter()):
            pass
elif not resume:
    for _ in range(passes):
        for household, facts in population:
            engine.run(household, facts, as_of=as_of)
else:
    from decimal import Decimal
    from relapse_guard.engine import Checkpoint
    from relapse_guard.facts import IllnessReported, IncomeAssessed
    p = engine.policy
    # Checkpointed at the end of January: a February quiet fact is inside the band's year.
    january = dt.date(2017, 1, 31)
    kept = [engine.run_checkpointed(h, f, as_of=january).checkpoint.to_bytes(p) for h, f in population]
    day, month_end = dt.date(2017, 2, 15), dt.date(2017, 2, 28)
    new = [
        [IncomeAssessed(id=h.id + "-jan", household_id=h.id, date=day, income_per_capita=Decimal(50000))]
        if resume in ("quiet", "patch")
        else [IllnessReported(id=h.id + "-ill", household_id=h.id, date=day, member_id=h.members[0].id,
                              self_paid_cost=Decimal(30000))]
        for h, _ in population
    ]
    if resume == "patch":  # the cycle's quiet month: the compact head patched (None: not quiet)
        from relapse_guard.engine.quiet import patch_quiet
        fingerprint = engine.fingerprint
        for _ in range(passes):
            for (household, _), data, facts in zip(population, kept, new):
                patch_quiet(data, household, facts, as_of=month_end, fingerprint=fingerprint)
    else:
        for _ in range(passes):
            for (household, _), data, facts in zip(population, kept, new):
                engine.resume(Checkpoint.from_bytes(data, p), household, facts, as_of=month_end)
"""


def instructions(households: int, policy: str, recorded: bool, passes: int, resume: str = "") -> int:
    """The instructions one child process executes, as callgrind counts them."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-c",
        CHILD,
        str(households),
        policy,
        "1" if recorded else "0",
        str(passes),
        resume,
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--policy", default="yubei_2016")
    parser.add_argument("--recorded", action="store_true", help="record decisions (the default is as a screen runs)")
    parser.add_argument(
        "--resume",
        choices=["quiet", "illness", "patch"],
        default="",
        help="count resumes (a quiet fact, an illness, or a quiet fact patched on the compact head), not runs",
    )
    parser.add_argument(
        "--screen",
        choices=["scalar", "columnar"],
        default="",
        help="count the screen's run of the households (records read beforehand), scalar or columnar",
    )
    args = parser.parse_args()
    if args.screen and args.resume:
        parser.error("--screen and --resume count different things: give one")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt install valgrind)")
    what = args.resume or args.screen
    one = instructions(args.households, args.policy, args.recorded, 1, what)
    three = instructions(args.households, args.policy, args.recorded, 3, what)
    per_household = (three - one) / (2 * args.households)
    mode = "decisions recorded" if args.recorded else "as a screen runs it"
    if args.screen:
        print(f"the {args.screen} screen's run, {mode}, {args.policy}: {per_household:,.0f} instructions a household")
    elif args.resume:
        what = {
            "quiet": "resume from a compact checkpoint with a quiet income assessment",
            "illness": "resume from a compact checkpoint with an illness (the full path)",
            "patch": "a quiet income assessment patched on the compact head (patch_quiet)",
        }[args.resume]
        print(f"{what}, {mode}, {args.policy}: {per_household:,.0f} instructions a household")
    else:
        print(f"engine, {mode}, {args.policy}: {per_household:,.0f} instructions a household")
    print(f"  ({args.households} households; three passes minus one, in fresh processes under callgrind)")


if __name__ == "__main__":
    main()
