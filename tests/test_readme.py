"""Every command and Python block of the README runs, and every CLI command is documented there."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from searchidx.cli import app

REPO = Path(__file__).resolve().parents[1]

README = (REPO / "README.md").read_text("utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _console_commands() -> list[str]:
    return [line[2:] for block in _blocks("console") for line in block.splitlines() if line.startswith("$ ")]


def test_readme_has_examples() -> None:
    assert len(_console_commands()) >= 10
    assert _blocks("python")


@pytest.fixture()
def in_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    index = tmp_path / "index"
    monkeypatch.setenv("SEARCHIDX_INDEX", str(index))
    monkeypatch.setenv("SEARCHIDX_TTY", "0")
    return index


def test_console_examples_run(in_repo: Path) -> None:
    runner = CliRunner()
    for command in _console_commands():
        argv = shlex.split(command)
        assert argv[0] == "searchidx"
        result = runner.invoke(app, argv[1:])
        assert result.exit_code == 0, f"{command!r} exited {result.exit_code}: {result.output}"
        assert "Traceback" not in result.output


def test_quick_start_finds_the_given_article_first(in_repo: Path) -> None:
    quick = _blocks("sh")[0]
    assert "searchidx index && searchidx search Stoltenberg" in quick
    runner = CliRunner()
    assert runner.invoke(app, ["index"]).exit_code == 0
    result = runner.invoke(app, ["search", "Stoltenberg", "--json"])
    assert result.exit_code == 0
    import json

    hits = json.loads(result.stdout)["hits"]
    assert hits[0]["id"] == "000_b79cdb675a26dda6.txt"


def test_test_command_is_what_ci_runs() -> None:
    tests_cmd = _blocks("sh")[1].strip()
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert "pip install -e '.[test]'" in tests_cmd and "python -m pytest" in tests_cmd
    assert tests_cmd in ci


def test_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.symlink(REPO / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    for block in _blocks("python"):
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})


def test_every_command_is_documented() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert names
    for name in names:
        assert f"searchidx {name}" in README, f"command {name!r} is not in the README"
