"""What the checksums cost: opening (the manifest check), a full check (a copied index), writing a manifest.

    python bench/integrity.py INDEX [--repeat 20]

INDEX: an index folder written by searchidx (e.g. `searchidx index ../shared/data/news/orangesum.jsonl.gz
--index /tmp/ix36 --entities none`). Prints median milliseconds of each step and of a whole `Index.open` plus
a first search in this process.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from searchidx import Index
from searchidx.engines.whoosh import integrity, storage


def median_ms(step: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    store = storage.SafeStorage(str(args.index))
    gen = storage._generations(store)[0]
    toc = storage.read_toc(store, storage.INDEX_NAME, gen)
    files = integrity.segment_files(toc.segments, store.list())
    size = sum((args.index / f).stat().st_size for f in files)
    print(f"{args.index}: generation {gen}, {len(files)} segment files, {size / 1e6:.1f} MB")

    def check() -> None:
        assert integrity.check(store, storage.INDEX_NAME, gen) is None

    def full() -> None:
        integrity._checked.clear()
        assert integrity.check(store, storage.INDEX_NAME, gen, full=True) is None

    def write() -> None:  # as a commit does for new segments (nothing reused): to a scratch name
        data = (args.index / f"_{storage.INDEX_NAME}_{gen}.toc").read_bytes()
        integrity.write(_Scratch(store), storage.INDEX_NAME, 10**6, data, toc.segments)

    def open_and_search() -> None:
        with Index.open(args.index) as idx:
            idx.search("gouvernement")

    print(f"check at open (a stat per segment file): {median_ms(check, args.repeat):.2f} ms")
    print(f"full check (every file read, as for a copied index): {median_ms(full, max(3, args.repeat // 4)):.1f} ms")
    print(f"manifest of a commit (every segment's CRC computed): {median_ms(write, max(3, args.repeat // 4)):.1f} ms")
    print(f"Index.open + first search, in process: {median_ms(open_and_search, max(3, args.repeat // 4)):.1f} ms")
    (args.index / integrity.sums_name(storage.INDEX_NAME, 10**6)).unlink(missing_ok=True)


class _Scratch:
    """The index's storage, with no older manifest listed (so every CRC is computed, as for new files)."""

    def __init__(self, store: storage.SafeStorage) -> None:
        self._store = store

    def list(self) -> list[str]:
        return [n for n in self._store.list() if not n.endswith(".sums")]

    def _fpath(self, name: str) -> str:
        return str(self._store._fpath(name))


if __name__ == "__main__":
    main()
