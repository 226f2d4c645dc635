"""Index one corpus file through the library (`Index.create` + `Index.add`, entities as the library default)
and print wall time and CPU of the writer process, of its worker processes, and of the final commit.

    PYTHONPATH=<source tree> python bench/index_cpu.py CORPUS.jsonl.gz INDEX_FOLDER

Run it alternately with PYTHONPATH on two trees (e.g. ``git archive main | tar -x -C /tmp/base``) to compare
them on a shared machine: CPU moves much less than wall time with the load of other processes."""

from __future__ import annotations

import os
import resource
import sys
import time

from searchidx import Index


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    last = [0.0, 0.0]

    def progress(n: int) -> None:
        last[:] = [time.perf_counter(), time.process_time()]

    wall, cpu = time.perf_counter(), time.process_time()
    idx = Index.create(dst, overwrite=True)
    idx.add([src], progress=progress)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"articles {len(idx)}  wall {time.perf_counter() - wall:.1f} s  writer CPU {time.process_time() - cpu:.1f} s"
          f"  workers CPU {children.ru_utime + children.ru_stime:.1f} s  final commit wall "
          f"{time.perf_counter() - last[0]:.1f} s, CPU {time.process_time() - last[1]:.1f} s"
          f"  load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
