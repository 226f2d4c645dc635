"""The interactive session: its state machine, and the `shell` command driven through stdin."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from searchidx.cli import app
from searchidx.errors import UsageError
from searchidx.shell import Session


def test_filters_are_added_removed_and_excluded() -> None:
    s = Session()
    assert s.apply("Poutine") is None and s.query == "Poutine"
    s.apply("+place:Genève")
    s.apply("+place:geneve")  # the same value, accents and case aside
    assert s.filters == {"place": ["Genève"]}
    s.apply("-place:GENEVE")
    assert s.filters == {}
    s.apply("-person:Joe Biden")
    assert s.excludes == {"person": ["Joe Biden"]} and s.query == "Poutine"
    assert s.describe() == "-person:Joe Biden"
    s.apply(":clear")
    assert not s.excludes
    s.apply(":facets person year")
    assert s.facets == ["person", "year"]
    assert s.apply(":help") == "help" and s.apply(":quit") == "quit"


def test_bad_commands_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        Session().apply(":facets nope")
    with pytest.raises(UsageError):
        Session().apply(":bogus")
    s = Session()
    s.apply("-otan")  # not a field:value pair: a query with an exclusion
    assert s.query == "-otan" and not s.excludes


def test_shell_command(corpus_index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEARCHIDX_TTY", "0")
    monkeypatch.setenv("HOME", str(corpus_index_path.parent))
    lines = "Poutine\n+place:geneve\n:facets nope\n:quit\n"
    result = CliRunner().invoke(app, ["shell", "--index", str(corpus_index_path)], input=lines)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "000_b79cdb675a26dda6.txt" in out
    assert "place:" in out and "Genève" in out
    assert "unknown facet 'nope'" in result.stderr
