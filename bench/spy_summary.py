"""Where an indexing run's time went, from a `py-spy` raw profile of the indexing process and its workers.

    py-spy record --pid <indexing process> --subprocesses --rate 20 --format raw --nonblocking -o spy.txt
    python bench/spy_summary.py spy.txt [--top 25]

Each sample is put in one part: ``worker`` (a stack in a worker process), ``commit`` (under the segment's
commit or the wire-copy groups it builds), ``results`` (the executor's thread receiving the workers' results),
``queries`` (a scale benchmark's timed queries), else ``writer`` (adding articles). Prints the seconds of each
part (samples / rate), then each part's functions by own and by total samples. A sample counts a process
while it can run: with more processes than cores the seconds exceed CPU time, the shares do not."""

from __future__ import annotations

import argparse
import collections
import re

_FRAME = re.compile(r" \((.*?):\d+\)$")


def part_of(frames: list[str], processes: int) -> str:
    if processes > 1:
        return "worker"
    if any("_flush_segment" in f or "copy_groups" in f or "IndexWriter.commit" in f for f in frames):
        return "commit"
    if any("ExecutorManagerThread" in f for f in frames):
        return "results"
    if any(f.startswith("timed ") for f in frames):
        return "queries"
    return "writer"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profile", help="py-spy --format raw output")
    ap.add_argument("--rate", type=float, default=20.0, help="the sampling rate given to py-spy")
    ap.add_argument("--top", type=int, default=25)
    ns = ap.parse_args()
    parts: collections.Counter[str] = collections.Counter()
    own: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    total: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    with open(ns.profile, encoding="utf-8") as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            n = int(count)
            raw = stack.split(";")
            frames = [_FRAME.sub(lambda m: " " + m.group(1).rsplit("/", 1)[-1], x) for x in raw
                      if not x.startswith("process ")]
            if not frames:
                continue
            part = part_of(frames, sum(x.startswith("process ") for x in raw))
            parts[part] += n
            own[part][frames[-1]] += n
            for name in set(frames):
                total[part][name] += n
    for part, n in parts.most_common():
        print(f"{part:8s} {n / ns.rate:8.0f} s")
    for part, n in parts.most_common():
        print(f"\n== {part}: own")
        for name, c in own[part].most_common(ns.top):
            print(f"{c / ns.rate:8.0f} s  {name}")
        print(f"== {part}: total (frames under nearly every sample left out)")
        below = [(name, c) for name, c in total[part].most_common() if c < 0.95 * n]
        for name, c in below[: ns.top * 2]:
            print(f"{c / ns.rate:8.0f} s  {name}")


if __name__ == "__main__":
    main()
