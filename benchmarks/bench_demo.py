"""How long ``copath demo`` takes end to end (fit, scenario, sensitivity, report).

Target (issue 6): under 3 minutes on the 2-core machine. Runs the installed ``copath``
command in a subprocess, as ``make demo`` does, and appends the wall time to
``results.md``.

    .venv/bin/python benchmarks/bench_demo.py
"""

from __future__ import annotations

import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _record import record



def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "copath", "demo", "--out", tmp], capture_output=True, text=True,
                             check=False)
        wall = time.perf_counter() - t0
        report = Path(tmp) / "report.html"
        size = report.stat().st_size if report.is_file() else 0
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:])
        raise SystemExit(f"copath demo failed with exit code {run.returncode}")
    verdict = next((line for line in run.stdout.splitlines() if line.startswith("Diagnostics")), "")
    # the fit's size as the demo printed it ("..., 2 chains x 800 draws ...")
    size_said = next((line.split("), ", 1)[-1].rstrip(" .") for line in run.stdout.splitlines()
                      if line.startswith("Fitting to")), "the demo's default draws")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        "## Demo: `copath demo` end to end",
        "",
        f"{stamp}, {platform.machine()}, {platform.python_version()}, 2 cores.",
        "",
        "| run | seconds | target |",
        "| --- | --- | --- |",
        f"| copath demo (fit {size_said}, scenario, sensitivity, report) | {wall:.0f} | 180 |",
        "",
        f"Report written: {size // 1024} KiB. Fit verdict: {verdict}",
        "",
    ]
    record(lines)


if __name__ == "__main__":
    main()
