"""Checksums of an index's files, so a damaged file is found and named instead of read as wrong results.

Each commit writes a manifest, ``_MAIN_<gen>.sums`` (JSON), before the rename that makes its TOC visible:
the TOC's size and CRC-32, and each segment file's size, modification time and CRC-32. Opening a
generation (`check`) then costs a stat per segment file, not a read of the index:

* the TOC (a few kB) is read whole and its CRC compared;
* a segment file must have the recorded size (a truncated file is found by the stat alone);
* a segment file with the recorded modification time is taken as written at its commit; one with another
  time (written to since, or copied) is read whole and its CRC compared; when it matches, the new time is
  recorded (when the folder is writable) so a copied index pays this once.

Damage that keeps a file's size and modification time (bit rot under the file system) is found only by a
full check (``check(..., full=True)``). A generation without a manifest (an index written before manifests
existed) is read without checks, as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import zlib
from collections.abc import Iterable
from typing import Any

_BLOCK = 1 << 20


def sums_name(indexname: str, gen: int) -> str:
    return f"_{indexname}_{gen}.sums"


def _crc(path: str) -> int:
    crc = 0
    with open(path, "rb") as f:
        while block := f.read(_BLOCK):
            crc = zlib.crc32(block, crc)
    return crc


def segment_files(segments: Iterable[Any], names: Iterable[str]) -> list[str]:
    """The files of ``segments`` among ``names`` (a compound segment is one ``.seg`` file)."""
    names = list(names)
    found = []
    for segment in segments:
        if segment.is_compound():
            found.append(segment.make_filename(segment.COMPOUND_EXT))
        else:
            found.extend(n for n in names if n.startswith(segment.segment_id() + "."))
    return sorted(found)


def write(storage: Any, indexname: str, gen: int, toc: bytes, segments: Iterable[Any]) -> None:
    """Writes the manifest of generation ``gen`` (durably) before its TOC ``toc`` is made visible. The sums of
    files an older manifest recorded with the same size and time are taken from it, not computed again."""
    known: dict[str, list[int]] = {}
    older = re.compile(rf"^_{re.escape(indexname)}_([0-9]+)\.sums$")
    for name in storage.list():
        if (m := older.match(name)) and int(m.group(1)) < gen:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                known.update(_load(storage, name)["files"])
    files: dict[str, list[int]] = {}
    for name in segment_files(segments, storage.list()):
        path = storage._fpath(name)
        st = os.stat(path)
        old = known.get(name)
        if old is not None and old[:2] == [st.st_size, st.st_mtime_ns]:
            files[name] = old
        else:
            files[name] = [st.st_size, st.st_mtime_ns, _crc(path)]
    _save(storage, sums_name(indexname, gen), {"toc": [len(toc), zlib.crc32(toc)], "files": files})


def _load(storage: Any, name: str) -> dict[str, Any]:
    with open(storage._fpath(name), "rb") as f:
        data = json.loads(f.read())
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or len(data.get("toc", ())) != 2:
        raise ValueError("not a manifest")
    return data


def _save(storage: Any, name: str, data: dict[str, Any]) -> None:
    tmp = storage._fpath(f"{name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="ascii") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, storage._fpath(name))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_checked: set[tuple[str, int, int, int]] = set()  # (path, size, time, crc) read whole by this process


def check(storage: Any, indexname: str, gen: int, full: bool = False) -> str | None:
    """None when generation ``gen`` is intact as far as its manifest tells, else what is damaged, naming the
    file (``"MAIN_x.seg: its content does not match its checksum"``). ``full``: every file is read whole."""
    name = sums_name(indexname, gen)
    if not storage.file_exists(name):
        return None  # written before manifests
    try:
        sums = _load(storage, name)
    except (OSError, ValueError) as exc:
        return f"{name}: cannot be read ({exc})"
    toc_name = f"_{indexname}_{gen}.toc"
    try:
        with open(storage._fpath(toc_name), "rb") as f:
            toc = f.read()
    except OSError as exc:
        return f"{toc_name}: cannot be read ({exc.strerror})"
    if [len(toc), zlib.crc32(toc)] != sums["toc"]:
        return f"{toc_name}: its content does not match its checksum"
    changed = False
    for file, (size, mtime, crc) in sums["files"].items():
        path = storage._fpath(file)
        try:
            st = os.stat(path)
        except OSError as exc:
            return f"{file}: {exc.strerror}"
        if st.st_size != size:
            return f"{file}: {st.st_size:,} bytes instead of {size:,} (truncated or overwritten)"
        if st.st_mtime_ns == mtime and not full:
            continue
        if (path, size, st.st_mtime_ns, crc) not in _checked:
            if _crc(path) != crc:
                return f"{file}: its content does not match its checksum"
            _checked.add((path, size, st.st_mtime_ns, crc))
        if st.st_mtime_ns != mtime:
            sums["files"][file] = [size, st.st_mtime_ns, crc]
            changed = True
    if changed:
        with contextlib.suppress(OSError):  # a read-only folder: checked again by the next process
            _save(storage, name, sums)
    return None
