"""Wire copies: near-duplicates grouped at indexing, one hit per group, groups kept right incrementally."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from copies_fixture import ADDED_PARAGRAPH, COPIES, CORRECTION, ORIGINAL, REWORDED_HEADLINE, SAME_SUBJECT
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from searchidx import Index
from searchidx.cli import app
from searchidx.explore import copies
from searchidx.explore.copies import MIN_WORDS, THRESHOLD, jaccard, python_signature, signature
from searchidx.models import Article


def _article(record: dict[str, str]) -> Article:
    return Article(id=record["id"], title=record["title"], body=record["body"], date=record["date"],
                   source=record["source"])


def _write(folder: Path, records: tuple[dict[str, str], ...] | list[dict[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for r in records:
        (folder / f"{r['id']}.json").write_text(json.dumps(r, ensure_ascii=False), "utf-8")


@pytest.fixture()
def fixture_index() -> Index:
    index = Index.create(None, entities="builtin")
    index.add([_article(r) for r in (*COPIES, *SAME_SUBJECT)])
    return index


needs_native = pytest.mark.skipif(copies._minhash is None, reason="the C MinHash was not built (no C compiler)")
#: word characters of several scripts and widths (1 to 4 UTF-8 bytes), "_", digits that are not ASCII, letters
#: whose lowercase is longer ("İ"), combining accents, separators
ALPHABET = list("aéÉzZ_09²½١İßǅ\u0301\u4e2d\U0001d400\U0001F600 .,'’-\n\u00a0")


def test_the_c_minhash_is_built_where_ci_runs() -> None:
    if os.environ.get("CI") != "true":
        pytest.skip("only CI requires the build (a user's machine may lack a C compiler)")
    assert copies._minhash is not None


@needs_native
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(ALPHABET, min_size=1, max_size=12), min_size=MIN_WORDS - 2, max_size=80),
       st.sampled_from([" ", "  ", ", ", "\n"]))
def test_c_signatures_equal_the_numpy_ones(words: list[str], sep: str) -> None:
    body = sep.join(words)
    assert signature(body) == python_signature(body)


@needs_native
def test_c_signatures_equal_the_numpy_ones_on_real_bodies() -> None:
    bodies = [r["body"] for r in (*COPIES, *SAME_SUBJECT)]
    bodies.append("mot " * 5000)  # more words than the C code's first allocation holds
    bodies.append("x" * 600 + " fin" * 40)  # a word longer than the C code's encoding buffer
    assert [signature(b) for b in bodies] == [python_signature(b) for b in bodies]
    assert all(len(signature(b)) == 128 for b in bodies) and signature("trop court") == b""


def test_signatures_tell_copies_from_look_alikes() -> None:
    base = signature(ORIGINAL["body"])
    for copy in (REWORDED_HEADLINE, ADDED_PARAGRAPH, CORRECTION):
        assert jaccard(base, signature(copy["body"])) >= THRESHOLD, copy["id"]
    for other in SAME_SUBJECT:
        assert jaccard(base, signature(other["body"])) < 0.2, other["id"]
    assert signature(" ".join(["mot"] * (MIN_WORDS - 1))) == b""


def test_copies_are_grouped_and_look_alikes_are_not(fixture_index: Index) -> None:
    versions = fixture_index.versions("journal-b")
    assert [a.id for a in versions] == ["afp-1", "journal-a", "journal-b", "journal-c"]  # oldest first
    assert fixture_index.copy_group("journal-c") == "afp-1"  # named after its oldest article
    assert fixture_index.copy_group("journal-d") is None
    assert fixture_index.copy_group("journal-e") is None
    assert [a.id for a in fixture_index.versions("journal-e")] == ["journal-e"]
    assert fixture_index.versions("nope") == []


def test_search_shows_one_hit_per_group(fixture_index: Index) -> None:
    folded = fixture_index.search("dockers", facets=["source"])
    every = fixture_index.search("dockers", facets=["source"], all_versions=True)
    assert every.total == folded.total == 5
    assert len(every.hits) == 5
    assert len(folded.hits) == 2
    group_hit = next(h for h in folded.hits if h.group)
    assert group_hit.group == "afp-1" and group_hit.versions == 3
    assert next(h for h in folded.hits if not h.group).id == "journal-d"
    assert folded.facets == every.facets  # facet counts count every article
    assert sum(v.count for v in folded.facets["source"]) == 5
    assert {h["versions"] for h in folded.as_dict()["hits"]} == {3, 0}
    # the group's best-ranked member stands for it: the same as the first of them without folding
    first = next(h for h in every.hits if h.group == "afp-1")
    assert group_hit.id == first.id


def test_versions_count_only_matching_copies(fixture_index: Index) -> None:
    result = fixture_index.search("Rouen capitainerie")  # only the version with the added paragraph
    assert [h.id for h in result.hits][:1] == ["journal-b"]
    assert result.hits[0].versions == 0 and result.hits[0].group == "afp-1"


def test_paging_over_folded_hits(fixture_index: Index) -> None:
    pages = [fixture_index.search("port", limit=1, offset=i).hits for i in range(4)]
    ids = [p[0].id for p in pages if p]
    groups = [fixture_index.copy_group(i) or i for i in ids]
    assert len(groups) == len(set(groups)) == 3  # the group, journal-d, journal-e: each once


def test_groups_follow_incremental_changes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus, [ORIGINAL, REWORDED_HEADLINE, SAME_SUBJECT[0]])
    with Index.create(tmp_path / "ix", entities="none") as index:
        index.add([corpus])
        assert [a.id for a in index.versions("afp-1")] == ["afp-1", "journal-a"]
        _write(corpus, [ADDED_PARAGRAPH])  # added: joins the group
        index.add([corpus])
        assert [a.id for a in index.versions("afp-1")] == ["afp-1", "journal-a", "journal-b"]
        changed = dict(REWORDED_HEADLINE, body=SAME_SUBJECT[1]["body"])  # changed into another story: leaves
        _write(corpus, [changed])
        index.add([corpus])
        assert [a.id for a in index.versions("afp-1")] == ["afp-1", "journal-b"]
        assert index.copy_group("journal-a") is None
        (corpus / "afp-1.json").unlink()  # removed: the group is renamed after its oldest remaining article
        index.add([corpus])
        assert index.copy_group("journal-b") is None
        (corpus / "journal-a.json").unlink()
        _write(corpus, [CORRECTION, ORIGINAL])
        index.add([corpus])
        assert [a.id for a in index.versions("journal-c")] == ["afp-1", "journal-b", "journal-c"]
    with Index.open(tmp_path / "ix") as reopened:  # the groups saved beside the index are the same
        assert [a.id for a in reopened.versions("journal-c")] == ["afp-1", "journal-b", "journal-c"]
        assert len(list((tmp_path / "ix").glob("copies-*.npz"))) == 1


def test_cli_folds_copies_and_lists_versions(corpus_index_path: Path) -> None:
    runner = CliRunner()
    env = {"SEARCHIDX_TTY": "0"}
    folded = runner.invoke(app, ["search", "autonomie stratégique", "-i", str(corpus_index_path)], env=env)
    assert folded.exit_code == 0
    assert "+ 2 versions" in folded.stdout
    assert "2 wire copies folded" in folded.stderr
    every = runner.invoke(app, ["search", "autonomie stratégique", "--all-versions", "--json",
                                "-i", str(corpus_index_path)], env=env)
    hits = [h for h in json.loads(every.stdout)["hits"] if not h["missing"]]  # those with both words
    assert len(hits) == 3 and {h["group"] for h in hits} == {"001_sommet-bruxelles-macron-otan.txt"}
    listed = runner.invoke(app, ["show", "032_sommet-otan-macron-correctif.txt", "--versions", "--json",
                                 "-i", str(corpus_index_path)], env=env)
    data = json.loads(listed.stdout)
    assert data["group"] == "001_sommet-bruxelles-macron-otan.txt"
    assert [v["source"] for v in data["versions"]] == ["Agence Presse Francophone", "La Gazette du Rhône",
                                                       "Le Courrier de l'Est"]


def _link_pairwise(matrix: np.ndarray) -> list[int]:
    """`copies._link` without leaving out the rows already grouped (its loop as it first was)."""
    parent = list(range(len(matrix)))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    rows = copies.PERMUTATIONS // copies.BANDS
    for band in range(copies.BANDS):
        keys = [bytes(r) for r in matrix[:, band * rows:(band + 1) * rows]]
        order = sorted(range(len(matrix)), key=lambda d: keys[d])
        start = 0
        for i in range(1, len(order)):
            if keys[order[i]] != keys[order[i - 1]]:
                start = i
                continue
            b = order[i]
            for a in (order[i - 1], order[start]):
                ra, rb = find(a), find(b)
                if ra != rb and np.count_nonzero(matrix[a] == matrix[b]) >= copies.THRESHOLD * copies.PERMUTATIONS:
                    parent[max(ra, rb)] = min(ra, rb)
    return [find(x) for x in range(len(matrix))]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 60), st.integers(0, 2**32 - 1))
def test_linking_leaves_out_only_rows_already_grouped(n: int, seed: int) -> None:
    """Signatures drawn as variants of a few bases (some near, some far): the same roots as checking every
    continuing row of every band."""
    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 4, (3, copies.PERMUTATIONS), dtype=np.uint16)
    matrix = bases[rng.integers(0, 3, n)].copy()
    flips = rng.random(matrix.shape) < rng.choice([0.05, 0.3, 0.6], n)[:, None]
    matrix[flips] = rng.integers(0, 4, int(flips.sum()), dtype=np.uint16)
    assert copies._link(matrix) == _link_pairwise(matrix)


def test_ids_from_the_id_terms_match_the_stored_ones(tmp_path: Path) -> None:
    """`Collection.ids` reads the ids of many documents from the id field's terms: the stored ids, also for a
    replaced article (its id then names a deleted document too) and a deleted one."""
    corpus = tmp_path / "corpus"
    _write(corpus, [*COPIES, *SAME_SUBJECT])
    with Index.create(tmp_path / "ix", entities="none") as index:
        index.add([corpus])
        _write(corpus, [dict(ORIGINAL, title="Titre corrigé")])  # replaced: "afp-1" is in two documents
        (corpus / f"{SAME_SUBJECT[0]['id']}.json").unlink()
        index.add([corpus])
    with Index.open(tmp_path / "ix") as index:
        collection = index.backend._arrays()
        stored = [str(collection.reader.stored_fields(d)["id"]) for d in range(collection.size)]
        assert collection.ids(list(range(collection.size))) == stored  # all: from the terms
        assert collection.ids([collection.size - 1]) == stored[-1:]  # one: from its stored fields
        assert stored.count(ORIGINAL["id"]) == 2
