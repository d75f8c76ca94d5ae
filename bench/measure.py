#!/usr/bin/env python3
"""Times commands for bench/run and prints the table (Python 3 stdlib; hyperfine and
/usr/bin/time from the system).

    measure.py pair  --out R.jsonl --label L --a-name wfk --a CMD --b-name kustomize --b CMD
    measure.py one   --out R.jsonl --label L --a-name wfk --a CMD [--ok 0,1]
    measure.py table R.jsonl

How a command is timed depends on how long one run takes (measured first, by a run that
also checks the command succeeds and saves its output):

- under 2 s: hyperfine (`-N`, no shell) in rounds, the two commands alternating from round
  to round (A B, B A, A B, ...), each round a few runs after a warm-up; the median is over
  every run of every round. Peak memory: /usr/bin/time -f %M over 5 more runs, alternating.
- 2 s or more: /usr/bin/time -f '%e %M' runs, alternating, as many as fit the budget
  (at least one: the first run counts).

Peak memory is the maximum resident set size (the kernel's ru_maxrss) of the process;
the table shows the median over the runs. CPU is user + system time: hyperfine's mean for
the hyperfine-timed commands, the median of /usr/bin/time's %U + %S for the others. On a
busy machine wall time grows with the load; CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HYPERFINE_BELOW = 2.0  # seconds per run
FAST_BUDGET = 3.0  # seconds of hyperfine runs per command
SLOW_BUDGET = 30.0  # seconds of /usr/bin/time runs per command
ROUNDS = 5
RSS_RUNS = 5
TIME = "/usr/bin/time"


def timed(cmd: str, ok: set[int], save: Path | None = None) -> tuple[float, int, float]:
    """One run under /usr/bin/time: (wall seconds, peak RSS in KiB, user+system seconds)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        out = open(save, "wb") if save else subprocess.DEVNULL
        try:
            t0 = time.perf_counter()
            r = subprocess.run(
                [TIME, "-o", tf.name, "-f", "%e %M %U %S", *shlex.split(cmd)],
                stdout=out,
                stderr=subprocess.PIPE,
            )
            wall = time.perf_counter() - t0
        finally:
            if save:
                out.close()
        if r.returncode not in ok:
            sys.exit(f"measure: `{cmd}` exited {r.returncode}:\n{r.stderr.decode(errors='replace')[-2000:]}")
        last = tf.read().strip().splitlines()[-1]
        _, rss, user, system = last.split()
        # perf_counter around the child is finer than %e (10 ms); the time process adds
        # well under a millisecond.
        return wall, int(rss), float(user) + float(system)


def hyperfine(cmd: str, runs: int, warmup: int, ok: set[int]) -> tuple[list[float], float]:
    """Wall times of `runs` runs, and their mean user+system seconds."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as tf:
        args = ["hyperfine", "-N", "--style", "none", "--runs", str(runs), "--warmup", str(warmup)]
        if ok != {0}:
            args.append("-i")
        r = subprocess.run(
            [*args, "--export-json", tf.name, cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if r.returncode != 0:
            sys.exit(f"measure: hyperfine `{cmd}` failed:\n{r.stderr.decode(errors='replace')[-2000:]}")
        result = json.load(open(tf.name))["results"][0]
        return result["times"], result["user"] + result["system"]


def count_objects(path: Path) -> int:
    n = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith("kind: "):
                n += 1
    return n


def measure(cmds: list[tuple[str, str]], ok: set[int], save_dir: Path | None) -> dict:
    """Times every command of `cmds` ([(name, cmd)]), alternating between them."""
    samples: dict[str, dict] = {
        name: {"times": [], "rss": [], "cpu": [], "method": ""} for name, _ in cmds
    }
    first: dict[str, float] = {}
    for name, cmd in cmds:
        save = save_dir / f"{name}.out" if save_dir else None
        wall, rss, cpu = timed(cmd, ok, save)
        first[name] = wall
        samples[name]["rss"].append(rss)
        if save:
            samples[name]["objects"] = count_objects(save)
        if wall >= HYPERFINE_BELOW:
            samples[name]["times"].append(wall)
            samples[name]["cpu"].append(cpu)
    use_hyperfine = shutil.which("hyperfine") is not None
    fast = [(n, c) for n, c in cmds if first[n] < HYPERFINE_BELOW]
    slow = [(n, c) for n, c in cmds if first[n] >= HYPERFINE_BELOW]
    # Fast commands: rounds, alternating order.
    for r in range(ROUNDS if fast else 0):
        order = fast if r % 2 == 0 else list(reversed(fast))
        for name, cmd in order:
            per_round = max(3, min(100, math.ceil(FAST_BUDGET / max(first[name], 1e-4) / ROUNDS)))
            if use_hyperfine:
                samples[name]["method"] = "hyperfine"
                times, cpu = hyperfine(cmd, per_round, 2 if r == 0 else 1, ok)
                samples[name]["times"] += times
                samples[name]["cpu"] += [cpu] * len(times)
            else:
                samples[name]["method"] = "/usr/bin/time"
                for _ in range(per_round):
                    wall, _, cpu = timed(cmd, ok)
                    samples[name]["times"].append(wall)
                    samples[name]["cpu"].append(cpu)
    for i in range(RSS_RUNS - 1 if fast else 0):
        order = fast if i % 2 == 0 else list(reversed(fast))
        for name, cmd in order:
            samples[name]["rss"].append(timed(cmd, ok)[1])
    # Slow commands: /usr/bin/time, alternating, within the budget.
    if slow:
        more = {n: max(0, min(10, int(SLOW_BUDGET / first[n])) - 1) for n, _ in slow}
        for i in range(max(more.values())):
            order = slow if i % 2 == 0 else list(reversed(slow))
            for name, cmd in order:
                if i < more[name]:
                    wall, rss, cpu = timed(cmd, ok)
                    samples[name]["times"].append(wall)
                    samples[name]["rss"].append(rss)
                    samples[name]["cpu"].append(cpu)
        for name, _ in slow:
            samples[name]["method"] = "/usr/bin/time"
    out = {}
    for name, cmd in cmds:
        s = samples[name]
        out[name] = {
            "cmd": cmd,
            "method": s["method"],
            "runs": len(s["times"]),
            "median_s": statistics.median(s["times"]),
            "min_s": min(s["times"]),
            "max_s": max(s["times"]),
            "cpu_s": statistics.median(s["cpu"]),
            "rss_kib": statistics.median(s["rss"]),
            "rss_max_kib": max(s["rss"]),
            "objects": s.get("objects"),
        }
    return out


def fmt_time(s: float) -> str:
    if s >= 10:
        return f"{s:.1f} s"
    if s >= 1:
        return f"{s:.2f} s"
    ms = s * 1000
    return f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def fmt_mem(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def table(path: Path) -> str:
    rows = [json.loads(line) for line in open(path) if line.strip()]
    head = (
        "| platform | command | objects | wfk wall (median) | wfk CPU | wfk peak RSS "
        "| kustomize wall (median) | kustomize CPU | kustomize peak RSS "
        "| kustomize ÷ wfk: wall | CPU | memory | runs (wfk / kustomize) |"
    )
    out = [head, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for row in rows:
        a = row["results"]["wfk"]
        b = row["results"].get("kustomize")
        objects = a.get("objects") or ""
        wfk = f"{fmt_time(a['median_s'])} | {fmt_time(a['cpu_s'])} | {fmt_mem(a['rss_kib'])}"
        if b:
            if b.get("objects") not in (None, a.get("objects")):
                objects = f"{a.get('objects')} / {b.get('objects')}"
            kus = f"{fmt_time(b['median_s'])} | {fmt_time(b['cpu_s'])} | {fmt_mem(b['rss_kib'])}"
            ratios = (
                f"{b['median_s'] / a['median_s']:.0f}× | {b['cpu_s'] / max(a['cpu_s'], 1e-6):.0f}× "
                f"| {b['rss_kib'] / a['rss_kib']:.1f}×"
            )
            runs = f"{a['runs']} / {b['runs']}"
        else:
            kus = f"{row.get('note') or '—'} | — | —"
            ratios = "— | — | —"
            runs = f"{a['runs']} / —"
        out.append(f"| {row['label']} | {row['command']} | {objects} | {wfk} | {kus} | {ratios} | {runs} |")
    # Growth of `render prod` with the number of components.
    by = {(r["label"], r["command"]): r for r in rows}
    growth = []
    for tool in ("wfk", "kustomize"):
        t = {}
        for n in (10, 100, 1000):
            r = by.get((f"{n} components", "render prod"))
            if r and tool in r["results"]:
                t[n] = r["results"][tool]["median_s"]
        if 100 in t and 1000 in t:
            extra = f", time(100)/time(10) = {t[100] / t[10]:.1f}" if 10 in t else ""
            growth.append(f"- {tool}: time(1000)/time(100) = {t[1000] / t[100]:.1f}{extra}")
    if growth:
        out += ["", "Growth of `render prod` (linear would be 10):", *growth]
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="what", required=True)
    for what in ("pair", "one"):
        s = sub.add_parser(what)
        s.add_argument("--out", required=True)
        s.add_argument("--label", required=True)
        s.add_argument("--command", required=True, help="what the row times, for the table")
        s.add_argument("--a", required=True)
        s.add_argument("--ok", default="0")
        s.add_argument("--save-dir")
        s.add_argument("--note", default="")
        if what == "pair":
            s.add_argument("--b", required=True)
    t = sub.add_parser("table")
    t.add_argument("results")
    a = p.parse_args()
    if a.what == "table":
        print(table(Path(a.results)))
        return 0
    cmds = [("wfk", a.a)] + ([("kustomize", a.b)] if a.what == "pair" else [])
    save = Path(a.save_dir) if a.save_dir else None
    if save:
        save.mkdir(parents=True, exist_ok=True)
    ok = {int(x) for x in a.ok.split(",")}
    results = measure(cmds, ok, save)
    row = {"label": a.label, "command": a.command, "results": results, "note": a.note}
    with open(a.out, "a") as fh:
        fh.write(json.dumps(row) + "\n")
    for name, r in results.items():
        print(
            f"  {a.label} / {a.command} / {name}: median {fmt_time(r['median_s'])} over {r['runs']} runs "
            f"({r['method']}), peak RSS {fmt_mem(r['rss_kib'])}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
