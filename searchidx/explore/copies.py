"""Wire copies: near-duplicate articles (the same agency story in several outlets, corrected or updated)
found by MinHash over word shingles of the body, and folded into one hit per group in search results.

Two steps, split so that incremental indexing can never leave a group stale:

- At indexing time each article gets a MinHash *signature* (`signature`: the `PERMUTATIONS` minima of
  multiply-shift hashes over its 5-word shingles), stored in a column of its document. This is the costly part
  (the body is read once, in the indexing workers) and it depends on the article alone.
- Groups are a function of the signatures of the live articles of one index generation (`CopyGroups.build`:
  LSH banding proposes pairs, each checked against `THRESHOLD`, then grouped transitively). They are computed
  once per generation and saved beside the index (``copies-<generation>.npz``, like the facet table), so
  adding, changing or removing an article re-groups exactly the articles present.

Threshold: two bodies are copies when the estimated Jaccard similarity of their shingle sets is at least
`THRESHOLD` (0.5). A reworded headline leaves the body alone (1.0); an added paragraph to a 300-word
dispatch, ~0.75; a correction of a few words, ~0.9; two different stories on the same subject share few
5-word sequences (< 0.1). Bodies of fewer than `MIN_WORDS` words (captions, "Vidéo") are never grouped.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

from searchidx.explore.arrays import Ints

try:
    from searchidx.explore import _minhash
except ImportError:  # pragma: no cover - built without a C compiler
    _minhash = None  # type: ignore[assignment]

__all__ = ["MIN_WORDS", "PERMUTATIONS", "SHINGLE", "THRESHOLD", "CopyGroups", "collapse", "is_copies_file",
           "jaccard", "signature"]

SHINGLE = 5  # words per shingle
PERMUTATIONS = 64
#: LSH: 16 bands of 4 rows. A pair shares a band (and is then checked) with probability 1 - (1 - J**4)**16:
#: 0.64 at Jaccard 0.5, 0.89 at 0.6, 0.99 at 0.7, so copies just above the threshold may stay apart.
BANDS = 16
MIN_WORDS = 30
THRESHOLD = 0.5
_rng = np.random.default_rng(20211116)  # fixed: signatures must not change between runs
_A = _rng.integers(1, 1 << 63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 1 << 63, PERMUTATIONS, dtype=np.uint64)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
                 0xFF51AFD7ED558CCD], dtype=np.uint64)  # one odd constant per word of a shingle
_MIX_BYTES, _A_BYTES, _B_BYTES = (v.astype("<u8").tobytes() for v in (_MIX, _A, _B))
_WORD = re.compile(r"\w+")
_FORMAT = 1
_FILE = re.compile(r"^copies-\d+\.npz(\.\d+\.tmp)?$")

Minima = npt.NDArray[np.uint16]


def signature(body: str) -> bytes:
    """`python_signature`, computed in C (`_minhash`) when that module was built."""
    if _minhash is None:
        return python_signature(body)
    return _minhash.minima(body.lower(), _MIX_BYTES, _A_BYTES, _B_BYTES, MIN_WORDS)


def python_signature(body: str) -> bytes:
    """The MinHash signature of a body, b"" when it is too short: `PERMUTATIONS` minima, each kept as its
    low 16 bits (little-endian; 128 bytes per article: two different minima agree by chance once in 65,536).

    Each word is hashed once (CRC-32 of its lowercase form); a shingle's hash mixes its `SHINGLE` word hashes
    (multiply-add, modulo 2**64); each of the `PERMUTATIONS` hash functions is a multiply-shift
    ``(a * x + b) >> 32``, and the signature keeps each one's minimum over the body's distinct shingles."""
    words = _WORD.findall(body.lower())
    n = len(words)
    if n < MIN_WORDS:
        return b""
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=n)
    with np.errstate(over="ignore"):
        shingles = hashes[: n - SHINGLE + 1] * _MIX[0]
        for k in range(1, SHINGLE):
            shingles = shingles + hashes[k: n - SHINGLE + 1 + k] * _MIX[k]
        # a shingle seen twice changes no minimum: no need to make them distinct (a sort)
        mins = ((shingles[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)).min(axis=0)
    return bytes((mins & np.uint64(0xFFFF)).astype("<u2").tobytes())


def jaccard(a: bytes, b: bytes) -> float:
    """The Jaccard similarity of two bodies' shingle sets as estimated from their signatures."""
    if not a or not b:
        return 0.0
    return float(np.mean(np.frombuffer(a, dtype="<u2") == np.frombuffer(b, dtype="<u2")))


class CopyGroups:
    """The copy groups of one index generation: ``of[doc]`` is the group number of a document (-1: alone),
    ``names[g]`` the group's name (the id of its oldest article, ties by id)."""

    def __init__(self, of: Ints, names: list[str]) -> None:
        self.of = of
        self.names = names

    def __len__(self) -> int:
        return len(self.names)

    def members(self, doc: int) -> Ints:
        """The documents of ``doc``'s group, ascending (``doc`` alone when it has none)."""
        group = int(self.of[doc])
        if group < 0:
            return np.asarray([doc], dtype=np.int64)
        order, bounds = self._by_group
        return order[bounds[group]:bounds[group + 1]]

    @cached_property
    def _by_group(self) -> tuple[Ints, Ints]:
        """The grouped documents ordered by group (ascending within one), and where each group starts."""
        grouped = np.flatnonzero(self.of >= 0)
        order = grouped[np.argsort(self.of[grouped], kind="stable")]
        return order, np.searchsorted(self.of[order], np.arange(len(self.names) + 1))

    def name(self, doc: int) -> str | None:
        group = int(self.of[doc])
        return None if group < 0 else self.names[group]

    @classmethod
    def build(cls, signatures: list[bytes], live: npt.NDArray[np.bool_], ids: Callable[[list[int]], list[str]],
              dates: npt.NDArray[np.str_]) -> CopyGroups:
        """Groups of the live documents whose signatures (by document number) are near: LSH banding gives the
        candidate pairs, each kept when its estimated Jaccard similarity is at least `THRESHOLD`; groups are
        the connected components of the kept pairs. ``ids``: the ids of documents, asked once, for the grouped ones."""
        size = len(signatures)
        width = PERMUTATIONS * 2
        docs = np.asarray([d for d, s in enumerate(signatures) if len(s) == width and live[d]], dtype=np.int64)
        of = np.full(size, -1, dtype=np.int64)
        names: list[str] = []
        if len(docs) < 2:
            return cls(of, names)
        matrix = np.frombuffer(b"".join(signatures[d] for d in docs), dtype="<u2").reshape(len(docs), -1)
        roots = np.asarray(_link(matrix), dtype=np.int64)
        sizes = np.bincount(roots, minlength=len(docs))
        by_root: dict[int, list[int]] = {}
        for row in np.flatnonzero(sizes[roots] > 1):
            by_root.setdefault(int(roots[row]), []).append(int(docs[row]))
        grouped = [d for members in by_root.values() for d in members]
        id_of = dict(zip(grouped, ids(grouped), strict=True))
        for members in by_root.values():
            oldest = min(members, key=lambda d: (dates[d] or "\uffff", id_of[d]))
            of[members] = len(names)
            names.append(id_of[oldest])
        return cls(of, names)

    # -- kept beside the index, one file per generation --------------------------------------------------------
    def save(self, path: Path) -> None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.savez_compressed(f, meta=np.asarray([len(self.of), _FORMAT]), of=self.of.astype(np.int32),
                                names=np.frombuffer("\x1f".join(self.names).encode("utf-8"), dtype=np.uint8))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, size: int) -> CopyGroups | None:
        try:
            with np.load(path) as data:
                if data["meta"].tolist() != [size, _FORMAT]:
                    return None
                text = data["names"].tobytes().decode("utf-8")
                of = data["of"].astype(np.int64)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None
        names = text.split("\x1f") if text else []
        if len(of) != size or (len(of) and int(of.max(initial=-1)) >= len(names)):
            return None
        return cls(of, names)


def _link(matrix: Minima) -> list[int]:
    """The group root of each row: rows equal in a band (LSH: `BANDS` bands of rows of the signature) are
    candidates, and a candidate joins the group of the row before it in the band's sorted run (or of the
    run's first row) when their estimated Jaccard similarity is at least `THRESHOLD`. Checking neighbours in
    a run, not every pair, keeps this linear in the rows even when many articles are identical."""
    parent = list(range(len(matrix)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    need = THRESHOLD * PERMUTATIONS
    rows = PERMUTATIONS // BANDS
    for band in range(BANDS):
        part = matrix[:, band * rows:(band + 1) * rows].astype(np.uint64)
        keys = np.zeros(len(matrix), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for col in range(rows):
                keys = keys * np.uint64(1000003) ^ part[:, col]
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        new = np.r_[True, ordered[1:] != ordered[:-1]]
        first = np.maximum.accumulate(np.where(new, np.arange(len(ordered)), 0))  # each position's run start
        more = np.flatnonzero(~new)  # positions that continue a run
        if band:  # those whose row is already grouped with both neighbours would change nothing: left out
            roots = _roots(np.asarray(parent, dtype=np.int64))
            own = roots[order[more]]
            more = more[(own != roots[order[more - 1]]) | (own != roots[order[first[more]]])]
        for i in more.tolist():
            b = int(order[i])
            for a in (int(order[i - 1]), int(order[first[i]])):
                ra, rb = find(a), find(b)
                if ra != rb and np.count_nonzero(matrix[a] == matrix[b]) >= need:
                    parent[max(ra, rb)] = min(ra, rb)
    return [find(x) for x in range(len(matrix))]


def _roots(parent: Ints) -> Ints:
    """Each row's root in a union-find forest whose parents are never after their rows (pointer jumping)."""
    while True:
        up = parent[parent]
        if np.array_equal(up, parent):
            return parent
        parent = up


def is_copies_file(name: str) -> bool:
    """True for a copy-group table saved in an index folder (or its temporary file)."""
    return bool(_FILE.match(name))


def groups_of(folder: Path | None, generation: int | None, size: int, build: Callable[[], CopyGroups]) -> CopyGroups:
    """The groups of a generation: loaded from ``folder`` when saved there, else built and saved (older
    generations' files removed). A read-only folder only means the next process builds them again."""
    path = folder / f"copies-{generation}.npz" if folder and generation is not None and generation >= 0 else None
    groups = CopyGroups.load(path, size) if path else None
    if groups is not None:
        return groups
    groups = build()
    if path:
        try:
            groups.save(path)
            for old in path.parent.glob("copies-*.npz"):
                number = old.name[len("copies-"):-len(".npz")]
                if number.isdigit() and int(number) < (generation or 0):
                    old.unlink(missing_ok=True)
        except OSError:
            pass
    return groups


def collapse(top: Callable[[int], list[int]], of: Ints, k: int, available: int) -> list[int]:
    """The first ``k`` documents of a ranking, one per copy group (its best-ranked member). ``top(n)``
    gives the ranking's first ``n`` documents, of ``available`` in all; asked again for more while groups
    fold the page."""
    n = k + 16
    while True:
        ranked = top(n)
        seen: set[int] = set()
        page: list[int] = []
        for doc in ranked:
            group = int(of[doc])
            if group >= 0:
                if group in seen:
                    continue
                seen.add(group)
            page.append(doc)
            if len(page) == k:
                return page
        if n >= available:
            return page
        n *= 4
