"""Incremental indexing: counts, pruning, duplicate ids, batched commits, the crash-safe storage."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

from searchidx.engines.whoosh import indexing, pool, schema, storage
from searchidx.index import Index
from searchidx.models import Article, Problem


def write_article(folder: Path, name: str, title: str, body: str, id: str | None = None) -> Path:
    path = folder / name
    header = f"Id: {id}\n" if id else ""
    path.write_text(f"{title}\n{header}\n{body}\n", "utf-8")
    return path


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(5):
        write_article(folder, f"a{i}.txt", f"Titre numéro {i}", f"Le corps de l'article {i} parle de Lyon.")
    lines = [json.dumps({"id": f"j{i}", "title": f"Dépêche {i}", "body": "Grève à Marseille."}) for i in range(4)]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def new_index(tmp_path: Path) -> Index:
    return Index.create(tmp_path / "ix", entities="none")


def counts(report: object) -> tuple[int, int, int, int]:
    return (report.added, report.updated, report.removed, report.unchanged)  # type: ignore[attr-defined]


def test_incremental_counts(tmp_path: Path, corpus_dir: Path) -> None:
    with new_index(tmp_path) as idx:
        assert counts(idx.add(corpus_dir)) == (9, 0, 0, 0)
        assert len(idx) == 9
        assert counts(idx.add(corpus_dir)) == (0, 0, 0, 9)

        write_article(corpus_dir, "a1.txt", "Titre modifié", "Nouveau corps à Grenoble.")
        (corpus_dir / "a2.txt").unlink()
        write_article(corpus_dir, "new.txt", "Nouvel article", "Un texte inédit.")
        report = idx.add(corpus_dir)
        assert counts(report) == (1, 1, 1, 7)
        assert len(idx) == 9
        assert idx.search("Grenoble").total == 1
        assert idx.get("a2.txt") is None

        # a file back to earlier content is read again (its old key belongs to deleted documents)
        write_article(corpus_dir, "a1.txt", "Titre numéro 1", "Le corps de l'article 1 parle de Lyon.")
        assert counts(idx.add(corpus_dir)) == (0, 1, 0, 8)
        assert idx.search("Grenoble").total == 0


def test_no_prune_keeps_vanished_files(tmp_path: Path, corpus_dir: Path) -> None:
    with new_index(tmp_path) as idx:
        idx.add(corpus_dir)
        (corpus_dir / "a0.txt").unlink()
        report = idx.add(corpus_dir, prune=False)
        assert report.removed == 0 and len(idx) == 9
        assert idx.add(corpus_dir).removed == 1 and len(idx) == 8


def test_prune_only_under_given_folders(tmp_path: Path, corpus_dir: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    write_article(other, "x.txt", "Autre", "Ailleurs.")
    with new_index(tmp_path) as idx:
        idx.add([corpus_dir, other])
        assert idx.add(other).removed == 0  # corpus_dir was not given again: its articles stay
        assert len(idx) == 10


def test_duplicate_ids_first_wins_and_both_named(tmp_path: Path, corpus_dir: Path) -> None:
    write_article(corpus_dir, "z_dup.txt", "Doublon", "Texte du doublon.", id="j1")
    problems: list[Problem] = []
    with new_index(tmp_path) as idx:
        report = idx.add(corpus_dir, on_problem=problems.append)
        dup = [p for p in problems if "duplicate id" in p.reason]
        assert len(dup) == 1
        assert dup[0].path.endswith("z_dup.txt") and "feed.jsonl:2" in dup[0].reason
        assert report.added == 9 and len(idx) == 9
        got = idx.get("j1")
        assert got is not None and got.title == "Dépêche 1"
        # later runs keep the rule: the indexed article wins, the duplicate is reported again
        problems.clear()
        idx.add(corpus_dir, on_problem=problems.append)
        assert [p.path for p in problems if "duplicate id" in p.reason] == [dup[0].path]
        assert "feed.jsonl" in problems[0].reason
        # once the first file is gone, the other one gets the id
        (corpus_dir / "feed.jsonl").unlink()
        idx.add(corpus_dir)
        got = idx.get("j1")
        assert got is not None and got.title == "Doublon"


def test_article_objects_replace(tmp_path: Path) -> None:
    with new_index(tmp_path) as idx:
        idx.add(Article(id="x", title="Un", body="premier"))
        report = idx.add(Article(id="x", title="Deux", body="second"))
        assert (report.added, report.updated) == (0, 1)
        assert len(idx) == 1 and idx.get("x").title == "Deux"  # type: ignore[union-attr]


def test_commit_every_makes_generations(tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commits: list[int] = []
    original = indexing.Run.commit

    def counting(self: indexing.Run) -> None:
        if self.writer is not None:
            commits.append(self.pending)
        original(self)

    monkeypatch.setattr(indexing.Run, "commit", counting)
    with new_index(tmp_path) as idx:
        idx.add(corpus_dir, commit_every=2)
        assert commits == [2, 2, 2, 2, 1]
        assert len(idx) == 9


def test_file_cut_by_a_crash_is_read_again(tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file half-committed (commit mid-file, then a crash) has no file key, so the next run redoes it."""
    with new_index(tmp_path) as idx:
        calls = 0
        original = indexing.Run.add_article

        def crashing(self: indexing.Run, *args: object, **kwargs: object) -> bool:
            nonlocal calls
            calls += 1
            if calls == 8:  # inside feed.jsonl (files: a0..a4.txt, then feed.jsonl)
                raise KeyboardInterrupt
            return original(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(indexing.Run, "add_article", crashing)
        with pytest.raises(KeyboardInterrupt):
            idx.add(corpus_dir, commit_every=1)
        monkeypatch.setattr(indexing.Run, "add_article", original)
    with Index.open(tmp_path / "ix") as idx:
        assert len(idx) == 7
        report = idx.add(corpus_dir)
        assert (report.added, report.updated, report.unchanged) == (2, 2, 5)
        assert len(idx) == 9


@pytest.mark.parametrize("packed", [True, False], ids=["c-pool", "python-pool"])
def test_spilled_posting_runs_read_back_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packed: bool) -> None:
    """A writer whose memory limit forces sorted runs to disk (`pool.TermPool.save`) writes the same postings
    as one that keeps them all in memory, with the C pool (`pool.CompactPool`) and the Python one."""
    if packed and pool._native is None:
        pytest.skip("_pool was not built")
    if not packed:
        monkeypatch.setattr(pool, "_native", None)
        monkeypatch.setattr(schema, "packing", None)
    articles = [Article(id=f"d{i}", title=f"Titre {i} mot{i % 7}",
                        body=" ".join(f"terme{(i * 31 + j * 17) % 900} Lyon" for j in range(60)))
                for i in range(300)]
    runs: list[int] = []
    original, new_pool = pool.TermPool.save, pool.new_pool
    limit = [0]  # the pool's limit in bytes, 0: the writer's own

    def counting(self: pool.TermPool) -> None:
        runs.append(1)
        original(self)

    def limited(tempstore: object, limitmb: int) -> pool.TermPool:
        made = new_pool(tempstore, limitmb)
        made.limit = limit[0] or made.limit
        return made

    monkeypatch.setattr(pool.TermPool, "save", counting)
    monkeypatch.setattr(pool, "new_pool", limited)
    monkeypatch.setattr(storage, "FREE_EVERY", 4096)  # runs read are freed as the merge goes: same postings
    postings = []
    for name, limit[0] in (("big", 0), ("spilled", 60_000 if packed else 1 << 20)):
        with Index.create(tmp_path / name, entities="none") as idx:
            idx.add(articles)
            with idx.backend._ix.reader() as reader:
                postings.append(list(reader.iter_postings()))
            assert idx.search("terme17").total > 0
    assert len(runs) >= 3  # the small writer did spill, several runs were merged
    assert len(postings[0]) > 15_000 and postings[0] == postings[1]


def test_a_run_being_merged_gives_its_read_bytes_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary disk of a large index: the start of a run already merged is freed (a hole punched) while
    the rest is read, so the runs and the segment made from them are not on disk twice."""
    if storage._fallocate is None:
        pytest.skip("no fallocate on this system")
    path = tmp_path / "run"
    path.write_bytes(os.urandom(1 << 20))
    full = os.stat(path).st_blocks
    monkeypatch.setattr(storage, "FREE_EVERY", 64 << 10)
    freeing = storage.Freeing(str(path))
    if freeing.fd < 0:
        pytest.skip("cannot open the file for writing")
    for _ in range(12):
        freeing.read(64 << 10)
    if freeing.fd < 0:
        pytest.skip("this file system has no holes")
    assert freeing.freed == 12 * (64 << 10)
    assert os.stat(path).st_blocks < full * 0.3 and path.stat().st_size == 1 << 20
    assert path.read_bytes()[(12 * 64 << 10):] != bytes((1 << 20) - (12 * 64 << 10))  # the rest is intact
    freeing.close()
    assert freeing.fd == -1


def test_runs_smaller_than_the_step_are_freed_while_merged(tmp_path: Path) -> None:
    """The runs of a large build are small against `storage.FREE_EVERY` and are read side by side, each to
    its end only when the merge ends: halfway through the merge, half of their blocks are free already."""
    if storage._fallocate is None:
        pytest.skip("no fallocate on this system")
    terms = pool.TermPool(FileStorage(str(tmp_path)), 1)
    terms.limit = 2_000_000
    for doc in range(2_000):
        terms.add_field_postings("body", doc, [(f"t{(j * 800 + doc) % 40_000:05d}".encode(), 2, 2.0, os.urandom(6))
                                               for j in range(50)])
    assert len(terms.runs) >= 4

    def allocated() -> int:
        return sum(p.stat().st_blocks * 512 for p in tmp_path.glob("*.run"))

    assert max(p.stat().st_size for p in tmp_path.glob("*.run")) < storage.FREE_EVERY
    full = allocated()
    count = 0
    for _ in terms.groups():
        count += 1
        if count == 20_000:
            assert allocated() < full * 0.65
    assert count == 40_000 and allocated() == 0


def test_a_compound_segment_is_never_on_disk_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Assembling a new segment's compound file frees each part as it is copied (Whoosh deleted the parts
    only after copying them all): the folder never holds much more than the segment once."""
    articles = [Article(id=f"d{i}", title=f"Titre {i}", body=" ".join(f"terme{(i * 31 + j * 17) % 5000}"
                                                                       for j in range(300)))
                for i in range(400)]
    folder = tmp_path / "ix"
    sizes: list[int] = []
    original = storage._copy_freeing

    def measured(store: object, name: str, out: object) -> None:
        original(store, name, out)  # type: ignore[arg-type]
        sizes.append(sum(p.stat().st_blocks * 512 for p in folder.iterdir() if p.is_file()))

    monkeypatch.setattr(storage, "_copy_freeing", measured)
    monkeypatch.setattr(storage, "FREE_EVERY", 64 << 10)
    with Index.create(folder, entities="none") as idx:
        idx.add(articles)
        assert idx.search("terme17").total > 0
    segment = max(folder.glob("*.seg"), key=lambda p: p.stat().st_size).stat().st_size
    assert len(sizes) >= 4 and segment > 1 << 20
    assert max(sizes) < segment * 1.15 + (1 << 20)  # Whoosh's assembly peaked at twice the segment


def test_tuned_writer_writes_what_whoosh_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`WholeLengths` and the term pool (`pool.TermPoolWriter`) change how the writer works, not what it
    writes: every posting, every term's statistics (lengths, weights, frequency) and the search scores equal
    those of Whoosh's own writer."""
    articles = [Article(id=f"d{i}", title="" if i % 5 == 0 else f"Titre {i} " + "mot " * (i % 9),
                        body=" ".join(f"terme{(i * 13 + j) % 97}" for j in range(3 + i * 7 % 400)))
                for i in range(120)]
    stats, hits, postings = [], [], []
    for name, tuned in (("whoosh", False), ("tuned", True)):
        if not tuned:
            monkeypatch.setattr(indexing, "_tuned", lambda writer: writer)
        else:
            monkeypatch.undo()
        with Index.create(tmp_path / name, entities="none") as idx:
            idx.add(articles)
            with idx.backend._ix.reader() as reader:
                infos = [(f, t, reader.term_info(f, t)) for f, t in reader.all_terms()]
                stats.append([(f, t, i.doc_frequency(), i.weight(), i.min_length(), i.max_length(), i.max_weight())
                              for f, t, i in infos])
                postings.append(list(reader.iter_postings()))
            found = idx.search("terme5 titre mot", limit=50, all_versions=True)  # the bodies are near-copies
            hits.append([(h.id, round(h.score, 9)) for h in found.hits])
    assert len(stats[0]) > 200 and stats[0] == stats[1]
    assert len(postings[0]) > 5_000 and postings[0] == postings[1]
    assert len(hits[0]) > 10 and hits[0] == hits[1]


def test_walk_problems_are_reported(tmp_path: Path, corpus_dir: Path) -> None:
    os.symlink(corpus_dir / "missing.txt", corpus_dir / "broken.txt")
    problems: list[Problem] = []
    with new_index(tmp_path) as idx:
        idx.add(corpus_dir, on_problem=problems.append)
    assert [p.reason for p in problems] == ["broken symbolic link"]


def test_huge_article_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing, "MAX_ARTICLE_CHARS", 1000)
    problems: list[Problem] = []
    with new_index(tmp_path) as idx:
        idx.add(Article(id="big", title="Gros", body="mot " * 1000 + "fin"), on_problem=problems.append)
        assert len(problems) == 1 and "only the first 1,000" in problems[0].reason
        assert idx.search("fin").total == 0 and idx.search("gros").total == 1


def test_old_files_are_kept_for_readers_then_cleaned(tmp_path: Path, corpus_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with new_index(tmp_path) as idx:
        idx.add(corpus_dir, commit_every=1)
        folder = tmp_path / "ix"
        tocs = sorted(p.name for p in folder.glob("_MAIN_*.toc"))
        assert len(tocs) > storage.KEEP_GENERATIONS  # young generations are kept
        monkeypatch.setattr(storage, "KEEP_SECONDS", 0.0)
        write_article(corpus_dir, "b.txt", "Encore", "Un autre.")
        idx.add(corpus_dir)
        assert len(list(folder.glob("_MAIN_*.toc"))) == storage.KEEP_GENERATIONS
        assert len(idx) == 10


def test_open_falls_back_to_last_complete_generation(tmp_path: Path, corpus_dir: Path) -> None:
    with new_index(tmp_path) as idx:
        idx.add(corpus_dir)
    folder = tmp_path / "ix"
    newest = max(int(p.name.split("_")[2].split(".")[0]) for p in folder.glob("_MAIN_*.toc"))
    (folder / f"_MAIN_{newest + 1}.toc").write_bytes(b"\x04\x08torn")  # a torn TOC, as after a power cut
    with Index.open(folder) as idx:
        assert len(idx) == 9
        idx.add(Article(id="n", title="Nouveau", body="texte"))  # the writer replaces the torn TOC
    with Index.open(folder) as idx:
        assert len(idx) == 10


def test_create_never_deletes_foreign_files(tmp_path: Path) -> None:
    from searchidx.errors import UsageError

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "thesis.txt").write_text("precious", "utf-8")
    with pytest.raises(UsageError, match="not empty"):
        Index.create(folder, entities="none", overwrite=True)
    assert (folder / "thesis.txt").exists()


def test_rebuild_is_one_atomic_step(tmp_path: Path, corpus_dir: Path) -> None:
    with new_index(tmp_path) as idx:
        idx.add(corpus_dir)
    reader = Index.open(tmp_path / "ix")
    assert len(reader) == 9
    with Index.create(tmp_path / "ix", entities="none", overwrite=True) as idx:
        assert len(idx) == 0
    assert len(reader) == 9  # an open reader keeps its snapshot
    reader.close()


def test_in_memory_index_takes_no_lock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    idx = Index.create(None, entities="none")
    idx.add(Article(id="x", title="Un", body="texte"))
    assert list(tmp_path.iterdir()) == []
