"""The built-in extractor against hand-annotated news (skipped when ../shared/data is absent)."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest
from conftest import REPO, SHARED_DATA

from searchidx.entities import get_extractor

GOLD = SHARED_DATA / "ner" / "news-gold-dev.jsonl"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_entities", REPO / "bench" / "entities.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not GOLD.exists(), reason="evaluation data absent")
def test_news_gold_f1_at_least_085_micro_and_per_type() -> None:
    bench = _bench()
    rows, _ = bench.evaluate(get_extractor("builtin"), bench.load_news(GOLD))
    f1 = {t: rows[t][2] for t in ("person", "org", "place", "micro")}
    assert min(f1.values()) >= 0.85, f1
