"""Shared fixtures: the bundled corpus, an index built from it once per session, and paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from searchidx import Index

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def corpus_index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk index of the bundled corpus, built with the default (built-in) extractor."""
    path = tmp_path_factory.mktemp("corpus-index") / "index"
    with Index.create(path, entities="builtin") as index:
        report = index.add([CORPUS])
        assert not report.problems, report.problems
    return path


@pytest.fixture()
def corpus_index(corpus_index_path: Path) -> Iterator[Index]:
    with Index.open(corpus_index_path) as index:
        yield index
