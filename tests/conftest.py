"""Shared fixtures: the bundled corpus, an index built from it once per session, and paths."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchidx import Index

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED_DATA = REPO.parent / "shared" / "data"
CLUSTER_SH = REPO / "scaleout" / "solr" / "cluster.sh"


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


def _no_solr(reason: str) -> None:
    """Skip a test that needs the Solr cluster; under CI=true that is a failure, not a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"a solr test cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def solr_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a live SolrCloud cluster: $SOLR_URL (as CI starts it), else a 2-node cluster started
    here with scaleout/solr/cluster.sh (when Java and Maven are installed) and stopped at the end."""
    if importlib.util.find_spec("httpx") is None:
        _no_solr("the Solr client is not installed (pip install -e '.[solr]')")
    url = os.environ.get("SOLR_URL")
    if url:
        yield url
        return
    built = (CLUSTER_SH.parent / "target" / "lib").is_dir()
    if not shutil.which("java") or not (built or shutil.which("mvn")):
        _no_solr("no Java 17 / Maven to start a SolrCloud cluster (or set SOLR_URL)")
    env = dict(os.environ, SOLR_CLUSTER_STATE=str(tmp_path_factory.mktemp("solr-cluster")))
    started = subprocess.run(["bash", str(CLUSTER_SH), "start", "--nodes", "2"], env=env, capture_output=True,
                             text=True, timeout=900)
    last = started.stdout.strip().splitlines()[-1:] or [""]
    if started.returncode != 0 or not last[0].startswith("SOLR_URL="):
        subprocess.run(["bash", str(CLUSTER_SH), "stop"], env=env, capture_output=True, timeout=120)
        pytest.fail(f"the SolrCloud cluster did not start: {started.stderr.strip()[-500:]}", pytrace=False)
    os.environ["SOLR_CLUSTER_STATE"] = env["SOLR_CLUSTER_STATE"]  # node-stop / node-start in fault tests
    try:
        yield last[0].partition("=")[2]
    finally:
        subprocess.run(["bash", str(CLUSTER_SH), "stop"], env=env, capture_output=True, timeout=120)
        os.environ.pop("SOLR_CLUSTER_STATE", None)


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fails the run when a test left a process running: a child of this process, or any process whose
    command line names this session's temporary folder. They are killed (by pid) before failing."""
    yield
    import signal
    import time

    import procs

    base = str(tmp_path_factory.getbasetemp())

    def leftovers() -> set[int]:
        own = {p for p in procs.children(os.getpid()) if not procs.is_resource_tracker(p)}
        return own | set(procs.pids_naming(base))

    left = set()
    if leftovers():
        time.sleep(1.0)  # a process being stopped right now
        left = leftovers()
    if left:
        described = [f"{pid}: {procs.cmdline(pid)}" for pid in sorted(left)]
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        pytest.fail("processes left behind by the tests (killed now):\n" + "\n".join(described))
