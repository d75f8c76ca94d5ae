#!/usr/bin/env python3
"""Times commands for bench/run and prints the table (Python 3 stdlib; hyperfine and
/usr/bin/time from the system).

    measure.py many  --out R.jsonl --label L --command C --run wfk CMD [--run helm CMD ...]
                     [--skip kustomize WHY] [--optional 'wfk before'] [--save-dir D] [--ok 0,1]
    measure.py pair  --out R.jsonl --label L --command C --a CMD --b CMD   # wfk, kustomize
    measure.py one   --out R.jsonl --label L --command C --a CMD [--ok 0,1]  # wfk alone
    measure.py table R.jsonl

`many` times any number of named commands in one alternation (bench/run: wfk, "wfk
before", helm, kustomize); `--skip NAME WHY` puts NAME in the row as not run (the table
shows "—"). A command whose first run fails is recorded as failed (the table says so and
`table --check` exits 1) and the others are still timed; `--optional NAME` only says that
such a failure is expected to be possible (it is logged as a note, not a warning).

How a command is timed depends on how long one run takes (measured first, by a run that
also checks the command succeeds and saves its output):

- under 2 s: hyperfine (`-N`, no shell) in rounds, the commands alternating from round
  to round (A B C, C B A, A B C, ...), each round a few runs after a warm-up; the median is
  over every run of every round. Peak memory: /usr/bin/time -f %M over 5 more runs,
  alternating.
- 2 s or more: /usr/bin/time -f '%e %M' runs, alternating, as many as fit the budget
  (at least one: the first run counts).

Peak memory is the maximum resident set size (the kernel's ru_maxrss) of the process;
the table shows the median over the runs. CPU is user + system time: hyperfine's mean for
the hyperfine-timed commands, the median of /usr/bin/time's %U + %S for the others. On a
busy machine wall time grows with the load; CPU time much less.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
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


class Failed(Exception):
    """A command exited with a status not in `ok`."""


def timed(cmd: str, ok: set[int], save: Path | None = None) -> tuple[float, int, float]:
    """One run under /usr/bin/time: (wall seconds, peak RSS in KiB, user+system seconds).
    Raises Failed when the command fails."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, contextlib.ExitStack() as stack:
        out = stack.enter_context(open(save, "wb")) if save else subprocess.DEVNULL
        t0 = time.perf_counter()
        r = subprocess.run(
            [TIME, "-o", tf.name, "-f", "%e %M %U %S", *shlex.split(cmd)],
            stdout=out,
            stderr=subprocess.PIPE,
            check=False,
        )
        wall = time.perf_counter() - t0
        if r.returncode not in ok:
            err = r.stderr.decode(errors="replace")
            # /usr/bin/time adds "Command exited with non-zero status N" last.
            lines = [x for x in err.splitlines() if x.strip() and not x.startswith("Command exited")]
            raise Failed(f"`{cmd}` exited {r.returncode}:\n" + "\n".join(lines[-20:]))
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
            check=False,
        )
        if r.returncode != 0:
            sys.exit(f"measure: hyperfine `{cmd}` failed:\n{r.stderr.decode(errors='replace')[-2000:]}")
        result = json.load(tf)["results"][0]
        return result["times"], result["user"] + result["system"]


def count_objects(path: Path) -> int:
    n = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith("kind: "):
                n += 1
    return n


def measure(cmds: list[tuple[str, str]], ok: set[int], save_dir: Path | None) -> dict:
    """Times every command of `cmds` ([(name, cmd)]), alternating between them. A command
    whose first run fails is left out of the rest and recorded as {"failed": message}."""
    samples: dict[str, dict] = {
        name: {"times": [], "rss": [], "cpu": [], "method": ""} for name, _ in cmds
    }
    first: dict[str, float] = {}
    failed: dict[str, str] = {}
    for name, cmd in cmds:
        save = save_dir / f"{name.replace(' ', '-')}.out" if save_dir else None
        try:
            wall, rss, cpu = timed(cmd, ok, save)
        except Failed as e:
            failed[name] = str(e)
            continue
        first[name] = wall
        samples[name]["rss"].append(rss)
        if save:
            samples[name]["objects"] = count_objects(save)
        if wall >= HYPERFINE_BELOW:
            samples[name]["times"].append(wall)
            samples[name]["cpu"].append(cpu)
            samples[name]["method"] = "/usr/bin/time"
    cmds = [(n, c) for n, c in cmds if n not in failed]
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
                    wall, _, cpu = must(timed, cmd, ok)
                    samples[name]["times"].append(wall)
                    samples[name]["cpu"].append(cpu)
    for i in range(RSS_RUNS - 1 if fast else 0):
        order = fast if i % 2 == 0 else list(reversed(fast))
        for name, cmd in order:
            samples[name]["rss"].append(must(timed, cmd, ok)[1])
    # Slow commands: /usr/bin/time, alternating, within the budget.
    if slow:
        more = {n: max(0, min(10, int(SLOW_BUDGET / first[n])) - 1) for n, _ in slow}
        for i in range(max(more.values())):
            order = slow if i % 2 == 0 else list(reversed(slow))
            for name, cmd in order:
                if i < more[name]:
                    wall, rss, cpu = must(timed, cmd, ok)
                    samples[name]["times"].append(wall)
                    samples[name]["rss"].append(rss)
                    samples[name]["cpu"].append(cpu)
    out: dict[str, dict] = {}
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
    for name, message in failed.items():
        out[name] = {"failed": message}
    return out


def must(f, *args):
    """A run after the first: a failure now is not expected, and ends the measurement."""
    try:
        return f(*args)
    except Failed as e:
        sys.exit(f"measure: {e}")


def fmt_time(s: float) -> str:
    if s >= 10:
        return f"{s:.1f} s"
    if s >= 1:
        return f"{s:.2f} s"
    ms = s * 1000
    return f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms"


def fmt_mem(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def fmt_ratio(x: float) -> str:
    if x >= 10:
        return f"{x:.0f}×"
    if x >= 1:
        return f"{x:.1f}×"
    return f"{x:.2f}×"


# The columns of the table, in this order; "wfk before" only when some row has it.
TOOLS = ("wfk", "wfk before", "helm", "kustomize")


def failed_cell(r: dict) -> str:
    first = r["failed"].splitlines()[0]
    code = first.rsplit(" exited ", 1)[-1].rstrip(":")
    return f"fails (exit {code})"


def read_rows(path: Path) -> list[dict]:
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def cells(res: dict, tool: str, cpu: bool = False) -> list[str]:
    """wall, [CPU,] peak RSS of `tool` in a row's results; "—" when it did not run."""
    n = 3 if cpu else 2
    r = res.get(tool)
    if r is None:
        return ["—"] * n
    if "failed" in r:
        return [failed_cell(r)] + ["—"] * (n - 1)
    return [fmt_time(r["median_s"])] + ([fmt_time(r["cpu_s"])] if cpu else []) + [fmt_mem(r["rss_kib"])]


def ratio(ok: dict, tool: str, key: str) -> str:
    """`tool` ÷ wfk on `key`, when both ran."""
    if tool in ok and "wfk" in ok:
        return fmt_ratio(ok[tool][key] / max(ok["wfk"][key], 1e-9))
    return "—"


def table(path: Path) -> str:
    rows = read_rows(path)
    before = any("wfk before" in r["results"] for r in rows)
    tools = [t for t in TOOLS if t != "wfk before" or before]
    head = ["platform", "command", "objects", "wfk wall (median)", "wfk CPU", "wfk peak RSS"]
    align = ["---", "---", "--:", "--:", "--:", "--:"]
    if before:
        head += ["wfk before: wall", "peak RSS", "before ÷ wfk: wall"]
        align += ["--:"] * 3
    head += ["helm wall (median)", "helm peak RSS", "kustomize wall (median)", "kustomize peak RSS"]
    head += ["helm ÷ wfk: wall", "memory", "kustomize ÷ wfk: wall", "memory"]
    align += ["--:"] * 8
    head.append("runs (" + " / ".join(tools) + ")")
    align.append("--:")
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for row in rows:
        res = row["results"]
        ok = {t: res[t] for t in tools if t in res and "failed" not in res[t]}
        counts = [ok[t].get("objects") for t in tools if t in ok and ok[t].get("objects") is not None]
        objects = str(counts[0]) if counts and len(set(counts)) == 1 else " / ".join(map(str, counts))

        line = [row["label"], row["command"], objects, *cells(res, "wfk", cpu=True)]
        if before:
            line += [*cells(res, "wfk before"), ratio(ok, "wfk before", "median_s")]
        line += [*cells(res, "helm"), *cells(res, "kustomize")]
        line += [ratio(ok, "helm", "median_s"), ratio(ok, "helm", "rss_kib")]
        line += [ratio(ok, "kustomize", "median_s"), ratio(ok, "kustomize", "rss_kib")]
        line.append(" / ".join(str(ok[t]["runs"]) if t in ok else "—" for t in tools))
        out.append("| " + " | ".join(line) + " |")
    notes = sorted({f"{t}: {w}" for r in rows for t, w in (r.get("skipped") or {}).items() if w})
    if notes:
        out += ["", "Not run (—):", *[f"- {n}" for n in notes]]
    # Growth of `render prod` with the number of components.
    by = {(r["label"], r["command"]): r for r in rows}
    sizes = sorted(
        {
            int(r["label"].split()[0])
            for r in rows
            if r["label"].endswith(" components") and r["label"].split()[0].isdigit()
        }
    )
    growth = []
    for tool in tools:
        t = {}
        for n in sizes:
            r = by.get((f"{n} components", "render prod"))
            if r and tool in r["results"] and "failed" not in r["results"][tool]:
                t[n] = r["results"][tool]["median_s"]
        steps = [
            f"time({b})/time({a}) = {t[b] / t[a]:.1f}"
            for a, b in itertools.pairwise(sizes)
            if a in t and b in t
        ]
        if steps:
            growth.append(f"- {tool}: " + ", ".join(steps))
    if growth:
        out += ["", "Growth of `render prod` (linear would be 10 per step of 10×):", *growth]
    failures = [
        f"- {r['label']} / {r['command']} / {t}: {res['failed'].splitlines()[0]} "
        + " ".join(res["failed"].splitlines()[1:2])
        for r in rows
        for t, res in r["results"].items()
        if "failed" in res
    ]
    if failures:
        out += ["", "Failed (first run):", *failures]
    return "\n".join(out)


def has_failures(path: Path) -> bool:
    """A command failed that was not --optional."""
    return any(
        "failed" in res and name not in row.get("optional", [])
        for row in read_rows(path)
        for name, res in row["results"].items()
    )


def main() -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="what", required=True)
    for what in ("many", "pair", "one"):
        s = sub.add_parser(what)
        s.add_argument("--out", required=True)
        s.add_argument("--label", required=True)
        s.add_argument("--command", required=True, help="what the row times, for the table")
        s.add_argument("--ok", default="0")
        s.add_argument("--save-dir")
        s.add_argument("--note", default="")
        if what == "many":
            s.add_argument("--run", nargs=2, action="append", default=[], metavar=("NAME", "CMD"))
            s.add_argument("--skip", nargs=2, action="append", default=[], metavar=("NAME", "WHY"))
            s.add_argument("--optional", action="append", default=[], metavar="NAME")
        else:
            s.add_argument("--a", required=True)
        if what == "pair":
            s.add_argument("--b", required=True)
    t = sub.add_parser("table")
    t.add_argument("results")
    t.add_argument("--check", action="store_true", help="exit 1 when a command that is not --optional failed")
    a = p.parse_args()
    if a.what == "table":
        print(table(Path(a.results)))
        return 1 if a.check and has_failures(Path(a.results)) else 0
    if a.what == "many":
        cmds = [(name, cmd) for name, cmd in a.run]
        skipped = {name: why for name, why in a.skip}
        optional = set(a.optional)
    else:
        cmds = [("wfk", a.a)] + ([("kustomize", a.b)] if a.what == "pair" else [])
        skipped, optional = {}, set()
    if not cmds:
        sys.exit("measure: nothing to run")
    save = Path(a.save_dir) if a.save_dir else None
    if save:
        save.mkdir(parents=True, exist_ok=True)
    ok = {int(x) for x in a.ok.split(",")}
    results = measure(cmds, ok, save)
    row = {
        "label": a.label,
        "command": a.command,
        "results": results,
        "note": a.note,
        "skipped": skipped,
        "optional": sorted(optional),
    }
    with open(a.out, "a") as fh:
        fh.write(json.dumps(row) + "\n")
    for name, r in results.items():
        if "failed" in r:
            kind = "note" if name in optional else "warning"
            print(f"  {a.label} / {a.command} / {name}: {kind}: {r['failed']}", file=sys.stderr)
            continue
        print(
            f"  {a.label} / {a.command} / {name}: median {fmt_time(r['median_s'])} over {r['runs']} runs "
            f"({r['method']}), peak RSS {fmt_mem(r['rss_kib'])}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
