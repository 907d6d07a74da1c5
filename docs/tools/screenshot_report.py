"""Make docs/images/report.png (a synthetic county's report) or report-zh-CN.png (the built-in
example's, in Chinese), rendered by headless Chromium.

    python docs/tools/screenshot_report.py [--households 2000] [--chromium /usr/bin/chromium]
    python docs/tools/screenshot_report.py --example --lang zh-CN --size 1280,1600 --out docs/images/report-zh-CN.png

Generates a seeded synthetic county (three years from 2016, so that exited households have
time to relapse), writes its report with ``relapse-guard report`` (Dazu's policy, as of
2018-12-31; charts need the ``plot`` extra), opens report.html in headless Chromium with a
fresh profile and no network services, and saves the top of the page as a PNG. With
``--example`` the report is the built-in example's (the demo's households of Yubei,
``relapse_guard.reporting.collect_example``) instead; ``--lang`` says it in that language.
Not run by the test suite: it needs Chromium, and for Chinese a font with its glyphs (Debian:
``apt-get install chromium fonts-noto-cjk``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from relapse_guard.population import generate_population
from relapse_guard.reporting import collect_example, write_report

DOCS = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--policy", default="dazu_2016")
    parser.add_argument("--as-of", default="2018-12-31")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--size", default="1280,2400", help="window width,height in pixels")
    parser.add_argument("--out", type=Path, default=DOCS / "images" / "report.png")
    parser.add_argument("--keep", type=Path, help="also copy the report directory here")
    parser.add_argument("--example", action="store_true", help="the built-in example's report, not a county's")
    parser.add_argument("--lang", default="en", help="the report's language: en or zh-CN (default en)")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        print(f"no Chromium at {args.chromium} (apt-get install chromium, or --chromium PATH)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        report = work / "report"
        if args.example:
            title = "防返贫监测报告：示例" if args.lang == "zh-CN" else "Relapse report: example"
            write_report(collect_example(lang=args.lang), report, title=title)
        else:
            county = work / "county"
            generate_population(county, households=args.households, months=36, seed=args.seed, processes=1)
            command = [sys.executable, "-m", "relapse_guard", "report", str(county), "--lang", args.lang]
            command += ["--policy", args.policy, "--as-of", args.as_of, "--out", str(report)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode not in (0, 1):
                print(done.stderr, file=sys.stderr)
                return done.returncode
        if args.keep is not None:
            shutil.copytree(report, args.keep, dirs_exist_ok=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shot = subprocess.run(
            [
                args.chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={work / 'profile'}",
                f"--window-size={args.size}",
                f"--screenshot={args.out}",
                (report / "report.html").as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if shot.returncode != 0 or not args.out.exists():
            print(shot.stderr, file=sys.stderr)
            return 1
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
