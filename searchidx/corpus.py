"""Read article files into `Article` objects: formats, cleaning, and bad-input reporting.

Inputs are files and folders (walked recursively, sorted, hidden entries skipped). Formats, chosen by suffix
(case-insensitive), each optionally gzipped (``x.jsonl.gz``; gzip data is also recognised by its magic bytes):

* ``.txt`` / ``.text`` / ``.md`` / ``.markdown`` -- one article per file, see `parse_text_article`;
* ``.json`` -- one article object, a list of them, or ``{"articles": [...]}`` (a ``.json`` file that is really
  JSON Lines is read as such);
* ``.jsonl`` / ``.ndjson`` -- one article object per line, streamed line by line (never loaded whole).

JSON fields: ``id``, ``title`` (or ``headline``/``titre``), ``body`` (or ``text``/``content``/``texte``; a list
of strings is joined as paragraphs), optional ``date``, ``source``, ``url``, ``author``, ``section``, ``lede``.
Numbers are coerced to text, ``null`` counts as missing.

Ids: the record's ``id`` (``str()`` of a number), else the file's path relative to the indexed root (posix
style, NFC), with ``#N`` appended for the N-th item (1-based) of a JSON list or ``#LINE`` for a JSON Lines line.

Robustness: every bad file, line or record is reported once through ``on_problem(Problem(path, reason, line))``
and reading goes on. Nothing raises except `iter_articles`/`iter_files` given an input path that does not exist
(`InputError`, raised at call time, before anything is read). Without ``on_problem`` problems are logged as
warnings on the ``searchidx.corpus`` logger.
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import gzip
import hashlib
import json
import logging
import os
import stat
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from .cleaning import clean_line, clean_text, parse_date
from .errors import InputError
from .models import Article, Problem
from .records import HEADER_KEYS, parse_text, parse_text_article, record_to_article

__all__ = [
    "TEXT_SUFFIXES",
    "JSON_SUFFIXES",
    "JSONL_SUFFIXES",
    "HEADER_KEYS",
    "MAX_FILE_BYTES",
    "iter_articles",
    "iter_files",
    "read_file",
    "clean_text",
    "clean_line",
    "parse_text_article",
    "parse_date",
    "file_digest",
    "is_supported",
]

log = logging.getLogger(__name__)

ProblemHandler = Callable[[Problem], None]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_ALL_SUFFIXES = TEXT_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

#: Whole-file formats (text, JSON) bigger than this, once decompressed, are refused with a Problem.
MAX_FILE_BYTES = 512 * 1024 * 1024
_SNIFF_BYTES = 8192
_GZIP_MAGIC = b"\x1f\x8b"
_BINARY_MAGICS = (
    b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF", b"BZh", b"\xfd7zXZ",
    b"7z\xbc\xaf", b"Rar!", b"\xd0\xcf\x11\xe0", b"RIFF", b"\x00\x00\x01\x00", b"SQLite format 3",
)  # fmt: skip


# ------------------------------------------------------------------------------------------------- files


def is_supported(path: str | Path) -> bool:
    """True if `path` has a suffix searchidx reads (``.txt``, ``.md``, ``.json``, ``.jsonl``..., or ``+.gz``)."""
    return _format_suffix(Path(path)) in _ALL_SUFFIXES


def _format_suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1]


def _printable(text: str) -> str:
    """Undecodable bytes of a file name (surrogate escapes) become U+FFFD; NFC."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return unicodedata.normalize("NFC", text)


def _display(path: Path) -> str:
    """The path as the user would recognise it: relative to the current folder if inside it, else absolute."""
    absolute = os.path.abspath(path)
    try:
        cwd = os.getcwd()
        rel = os.path.relpath(absolute, cwd)
        shown = absolute if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel
    except (OSError, ValueError):
        shown = absolute
    return _printable(shown)


def _relative_id(path: Path, root: Path) -> str:
    try:
        rel = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root)))
    except ValueError:
        rel = Path(path.name)
    if rel.parts and rel.parts[0] == os.pardir:
        rel = Path(path.name)
    return _printable(rel.as_posix())


def _os_reason(exc: OSError, path: Path) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if isinstance(exc, FileNotFoundError):
        return "broken symbolic link" if os.path.islink(path) else "file not found (removed while reading?)"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read: {exc.strerror or exc}"


def _open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading in binary mode (separate function so tests can simulate failures)."""
    return open(path, "rb")  # noqa: SIM115 - closed by the caller


class _TooLarge(Exception):
    pass


def _read_all(stream: IO[bytes]) -> bytes:
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _TooLarge
    return data


def _binary_reason(sample: bytes) -> str | None:
    """Why a file starting with `sample` is binary rather than text, or None if it looks like text."""
    if not sample:
        return None
    for magic in _BINARY_MAGICS:
        if sample.startswith(magic):
            return "binary file (not text)"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # UTF-16 text, decoded as such
    controls = sum(sample.count(bytes([b])) for b in (*range(0, 9), *range(14, 27), *range(28, 32), 127))
    if controls > 0.05 * len(sample):
        return "binary file (not text)"
    if b"\x00" in sample:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        except UnicodeDecodeError:
            return "binary file (not text)"
    return None


def _decode(data: bytes) -> tuple[str, str | None]:
    """Bytes to text: UTF-8 (BOM dropped), UTF-16 with a BOM, else cp1252, else latin-1 (with a warning)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "invalid UTF-8, decoded as cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "invalid UTF-8, decoded as latin-1"


class _Reader:
    """Reads one file, reporting each problem once through `report`."""

    def __init__(self, path: Path, root: Path, report: ProblemHandler) -> None:
        self.path = path
        self.root = root
        self.rel = _relative_id(path, root)
        self.shown = _display(path)
        self._report = report

    def problem(self, reason: str, line: int | None = None) -> None:
        self._report(Problem(self.shown, reason, line))

    def read(self) -> Iterator[Article]:
        fmt = _format_suffix(self.path)
        line_hint: list[int] = [0]  # last line reached, for messages about corrupt gzip data
        try:
            raw = _open_binary(self.path)
        except OSError as exc:
            self.problem(_os_reason(exc, self.path))
            return
        try:
            with raw:
                head = raw.read(2)
                raw.seek(0)
                stream: IO[bytes] = raw
                if head == _GZIP_MAGIC:
                    stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
                elif self.path.name.lower().endswith(".gz"):
                    self.problem("corrupt gzip file (not gzip data)")
                    return
                if fmt in JSONL_SUFFIXES:
                    yield from self._read_jsonl(stream, line_hint)
                else:
                    yield from self._read_whole(stream, fmt)
        except OSError as exc:
            if isinstance(exc, gzip.BadGzipFile):
                self.problem(self._gzip_reason(exc, line_hint[0]))
            else:
                self.problem(_os_reason(exc, self.path))
        except (EOFError, zlib.error) as exc:
            self.problem(self._gzip_reason(exc, line_hint[0]))
        except _TooLarge:
            self.problem(f"file too large (more than {MAX_FILE_BYTES // 2**20} MB of text)")
        except Exception as exc:  # the last safety net: reading must go on whatever the input
            self.problem(f"unexpected error: {type(exc).__name__}: {exc}")

    def _gzip_reason(self, exc: BaseException, line: int) -> str:
        where = f" after line {line}" if line else ""
        return f"corrupt gzip data{where}: {exc}"

    # -- whole-file formats

    def _read_whole(self, stream: IO[bytes], fmt: str) -> Iterator[Article]:
        data = _read_all(stream)
        if not data or data.isspace():
            self.problem("empty file")
            return
        if reason := _binary_reason(data[:_SNIFF_BYTES]):
            self.problem(reason)
            return
        text, warning = _decode(data)
        del data
        if warning:
            self.problem(warning)
        if fmt in JSON_SUFFIXES:
            yield from self._parse_json(text)
            return
        article, warnings = parse_text(text, self.rel)
        if not article.title and not article.body:
            self.problem("empty file (no text after cleaning)")
            return
        if warnings:
            self.problem("; ".join(warnings))
        yield dataclasses.replace(article, path=self.rel)

    def _parse_json(self, text: str) -> Iterator[Article]:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":  # JSON Lines in a .json file
                yield from self._jsonl_lines(enumerate(text.split("\n"), 1))
                return
            self.problem(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", exc.lineno)
            return
        if isinstance(data, dict) and isinstance(data.get("articles"), list):
            data = data["articles"]
        if isinstance(data, list):
            if not data:
                self.problem("empty file (empty JSON list)")
            for n, item in enumerate(data, 1):
                article, warnings = record_to_article(item, f"{self.rel}#{n}", self.rel)
                if warnings:
                    self.problem(f"item {n}: " + "; ".join(warnings))
                if article is not None:
                    yield article
            return
        article, warnings = record_to_article(data, self.rel, self.rel)
        if warnings:
            self.problem("; ".join(warnings))
        if article is not None:
            yield article

    # -- JSON Lines, streamed

    def _read_jsonl(self, stream: IO[bytes], line_hint: list[int]) -> Iterator[Article]:
        first = stream.read(_SNIFF_BYTES)
        if reason := _binary_reason(first):
            self.problem(reason)
            return
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text, _ = _decode(first + _read_all(stream))
            yield from self._jsonl_lines(enumerate(text.split("\n"), 1))
            return

        def lines() -> Iterator[tuple[int, str]]:
            warned = False
            # Re-join the sniffed chunk with the rest of the stream, then split on b"\n" only.
            chained = _ChainedLines(first, stream)
            for number, raw in enumerate(chained, 1):
                line_hint[0] = number
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    line, warning = _decode(raw)
                    if not warned:
                        self.problem(f"{warning} (this line; later ones not reported)", number)
                        warned = True
                yield number, line

        yield from self._jsonl_lines(lines())

    def _jsonl_lines(self, lines: Iterable[tuple[int, str]]) -> Iterator[Article]:
        seen_any = False
        for number, line in lines:
            if not line.strip():
                continue
            seen_any = True
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                self.problem(f"invalid JSON: {exc.msg} (column {exc.colno})", number)
                continue
            article, warnings = record_to_article(record, f"{self.rel}#{number}", self.rel, number)
            if warnings:
                self.problem("; ".join(warnings), number)
            if article is not None:
                yield article
        if not seen_any:
            self.problem("empty file")


class _ChainedLines:
    """Iterate the lines (split on b"\\n" only) of `first` followed by the rest of `stream`."""

    def __init__(self, first: bytes, stream: IO[bytes]) -> None:
        self.first = first
        self.stream = stream

    def __iter__(self) -> Iterator[bytes]:
        head_lines = self.first.split(b"\n")
        carry = head_lines.pop()  # the (possibly partial) last line of the sniffed chunk
        yield from head_lines
        if carry:
            yield carry + self.stream.readline()
        yield from self.stream


def read_file(path: Path, root: Path, on_problem: ProblemHandler | None = None) -> Iterator[Article]:
    """The articles of one file (any supported format, gzipped or not); problems go to `on_problem`.

    Ids default to the path relative to `root`; `Article.path` is that relative path (posix), and
    `Article.line` the line of a JSON Lines record. Never raises: unreadable, binary, empty, corrupt or
    malformed input is reported (once per file, line or record) and skipped, keeping every good article.
    """
    report = on_problem or _log_problem
    return _Reader(Path(path), Path(root), report).read()


def _log_problem(problem: Problem) -> None:
    log.warning("%s", problem)


# ------------------------------------------------------------------------------------------------ walking


def _check_inputs(paths: Sequence[str | Path]) -> list[Path]:
    if isinstance(paths, str | Path):
        paths = [paths]
    checked = []
    for p in paths:
        path = Path(p)
        if not os.path.lexists(path):
            raise InputError(f"{p}: no such file or folder; check the path (relative to {os.getcwd()})")
        checked.append(path)
    return checked


def iter_files(
    paths: Sequence[str | Path],
    on_problem: ProblemHandler | None = None,
    *,
    on_skip: Callable[[Path], None] | None = None,
) -> Iterator[tuple[Path, Path]]:
    """(file, root) for every supported file under `paths`, recursively, in sorted order.

    A file given directly has its parent folder as root. Hidden files and folders (name starting with ".")
    are skipped inside folders; files with an unsupported suffix are passed to `on_skip` (and otherwise
    ignored), except when named directly, which is a Problem. Symbolic links are followed, but a folder is
    never entered twice (so link loops end); broken links, links to an enclosing folder, unreadable folders
    and special files are reported to `on_problem`. Raises `InputError` at call time if a path does not exist.
    """
    checked = _check_inputs(paths)
    return _walk(checked, on_problem or _log_problem, on_skip)


def _walk(
    paths: list[Path], report: ProblemHandler, on_skip: Callable[[Path], None] | None
) -> Iterator[tuple[Path, Path]]:
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def check_regular(path: Path, st: os.stat_result) -> bool:
        if not stat.S_ISREG(st.st_mode):
            report(Problem(_display(path), "not a regular file (device, pipe or socket), skipped"))
            return False
        key = (st.st_dev, st.st_ino)
        if key in seen_files:
            return False
        seen_files.add(key)
        return True

    def walk_dir(folder: Path, root: Path, ancestors: frozenset[tuple[int, int]]) -> Iterator[tuple[Path, Path]]:
        try:
            st = os.stat(folder)
        except OSError as exc:
            report(Problem(_display(folder), _os_reason(exc, folder)))
            return
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            report(Problem(_display(folder), "symbolic link loop (points to an enclosing folder), skipped"))
            return
        if key in seen_dirs:
            return
        seen_dirs.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            report(Problem(_display(folder), _os_reason(exc, folder)))
            return
        inner = ancestors | {key}
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                entry_st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                report(Problem(_display(path), _os_reason(exc, path)))
                continue
            if stat.S_ISDIR(entry_st.st_mode):
                yield from walk_dir(path, root, inner)
            elif not is_supported(path):
                if on_skip is not None:
                    on_skip(path)
            elif check_regular(path, entry_st):
                yield path, root

    for path in paths:
        try:
            st = os.stat(path)
        except OSError as exc:
            report(Problem(_display(path), _os_reason(exc, path)))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from walk_dir(path, path, frozenset())
        elif not is_supported(path):
            report(Problem(_display(path), "unsupported file type (expected .txt, .md, .json, .jsonl, or .gz)"))
        elif check_regular(path, st):
            yield path, path.parent


def iter_articles(
    paths: Sequence[str | Path],
    on_problem: ProblemHandler | None = None,
    *,
    on_skip: Callable[[Path], None] | None = None,
) -> Iterator[Article]:
    """Every article in `paths` (files and folders, recursively), streamed, in file order.

    Bad files, lines and records are reported once each to `on_problem` (default: logged) and skipped;
    files with unsupported suffixes go to `on_skip`. Raises `InputError` at call time, before reading
    anything, if an input path does not exist; never raises afterwards.
    """
    checked = _check_inputs(paths)
    report = on_problem or _log_problem

    def generate() -> Iterator[Article]:
        for path, root in _walk(checked, report, on_skip):
            yield from _Reader(path, root, report).read()

    return generate()


# ------------------------------------------------------------------------------------------------- digest


def count_articles(paths: Sequence[str | Path]) -> int | None:
    """About how many articles ``paths`` hold (lines of JSON Lines, one per text file), for a progress ETA;
    None when it cannot tell (a JSON file, an unreadable input)."""
    total = 0
    try:
        for path, _ in iter_files(paths, on_problem=lambda _p: None):
            suffix = _format_suffix(path)
            if suffix in JSONL_SUFFIXES:
                opener = gzip.open if path.name.lower().endswith(".gz") else open
                with opener(path, "rb") as f:
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
            elif suffix in JSON_SUFFIXES:
                return None
            else:
                total += 1
    except (OSError, EOFError, InputError):
        return None
    return total or None


def file_digest(path: Path) -> str:
    """BLAKE2b hex digest (128 bits) of the file's raw bytes, streamed; raises OSError if unreadable."""
    h = hashlib.blake2b(digest_size=16)
    with _open_binary(Path(path)) as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
