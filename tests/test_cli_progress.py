"""The indexing progress bar: silent off a terminal; the article estimate behind its ETA."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from searchidx import cli, corpus


def test_no_progress_bar_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    with cli._progress(["corpus"]) as tick:
        assert tick is None


def test_progress_bar_on_a_terminal_counts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Titre\n\nCorps.\n", "utf-8")
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    with cli._progress([str(tmp_path)]) as tick:
        assert tick is not None
        tick(1)


def test_expected_articles(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Titre\n\nCorps.\n", "utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": 1}\n{"id": 2}\n', "utf-8")
    with gzip.open(tmp_path / "c.jsonl.gz", "wt") as f:
        f.write('{"id": 3}\n' * 5)
    assert corpus.count_articles([str(tmp_path)]) == 1 + 2 + 5
    (tmp_path / "d.json").write_text("[]", "utf-8")
    assert corpus.count_articles([str(tmp_path)]) is None  # a JSON array: count unknown
