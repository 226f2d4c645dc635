"""Property tests: whatever the text or query, the analyzer and the search answer or raise QuerySyntaxError."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from searchidx import Article, Index
from searchidx.analysis import analyze
from searchidx.errors import QuerySyntaxError
from searchidx.models import SearchResult

FIELDS = ["title", "body", "date", "person", "org", "place", "source", "year", "month", "id", "unknown", "x", ""]
PIECES = ['"', "(", ")", "-", "+", "*", "?", "~", "^", ":", "ET", "OU", "SAUF", "AND", "OR", "NOT", "et", "ou",
          "l'", "’", "«", "»", "..", "[", "]", "{", "}", "\\", "/", "2021", "2021-06", "juin", "OTAN", "Genève",
          "États-Unis", "aujourd'hui", " ", "  ", "\t", "\n", "\x00", "\u200b", "\ufeff", "ǅ", "ﬁ", "𝔘", "🇫🇷"]


@st.composite
def queries(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(
        st.sampled_from(PIECES),
        st.sampled_from(FIELDS).map(lambda f: f + ":"),
        st.text(max_size=8),
        st.from_regex(r"[a-zé]{1,10}", fullmatch=True),
    ), max_size=12))
    return "".join(parts) if draw(st.booleans()) else " ".join(parts)


@pytest.fixture(scope="module")
def idx() -> Iterator[Index]:
    index = Index.create(None, entities="none")
    index.add([
        Article(id="a", title="Sommet de l'OTAN à Genève", body="Joe Biden et Vladimir Poutine.", date="2021-06-16",
                source="Le Temps"),
        Article(id="b", title="Grève à la SNCF", body="Les cheminots d'Île-de-France en grève.", date="2021-07-01"),
        Article(id="c", title="États-Unis", body="Washington, aujourd'hui, « sécurité nationale ».", date="2020-01-02"),
    ])
    yield index
    index.close()


def check_search(idx: Index, query: str) -> None:
    try:
        result = idx.search(query, facets=["person", "year"])
    except QuerySyntaxError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return
    assert isinstance(result, SearchResult)
    assert 0 <= len(result.hits) <= result.total <= 3


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_analyze_any_unicode(text: str) -> None:
    for mode in ("index", "query"):
        terms = analyze(text, mode=mode)
        assert all(isinstance(t, str) and t for t in terms)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries())
def test_search_never_raises_anything_else(idx: Index, query: str) -> None:
    check_search(idx, query)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60))
def test_search_random_unicode(idx: Index, query: str) -> None:
    check_search(idx, query)


@pytest.mark.parametrize("query", [
    '"', '"otan', 'otan"', "(", ")", "((otan)", "otan))", "-", "+", "*", "OU", "ET", "SAUF", "NOT", "AND otan",
    "otan OR", "unknown:otan", "person:", ":", "title:(", "date:2021..", "date:..", "year:abc", "~", "^2",
    "otan~", "otan^", "[", "{", "\\", "\x00", "ET ET OU SAUF", "-(-(-otan))",
])
def test_hostile_queries(idx: Index, query: str) -> None:
    check_search(idx, query)


@pytest.mark.parametrize("query", [
    "otan " * 2000,
    "a" * 10_000,
    '"' * 10_000,
    "(" * 10_000,
    ")" * 10_000,
    "-" * 10_000,
    "person:" * 1400,
    "OU " * 3333,
    "(otan " * 1600,
])
def test_10000_character_queries(idx: Index, query: str) -> None:
    assert len(query) >= 9_000
    check_search(idx, query)


def test_cli_maps_a_query_error_to_one_line_and_exit_2(tmp_path: Path) -> None:
    from searchidx.cli import Exit, app

    ix = tmp_path / "ix"
    with Index.create(ix, entities="none") as index:
        index.add(Article(id="a", title="OTAN", body="Genève"))
    runner = CliRunner()
    bad = None
    for query in ['"otan', "(otan", "otan)", "OU", "unknown:otan", "person:", "-", "ET ET"]:
        result = runner.invoke(app, ["search", query, "--index", str(ix)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (query, result.exception)
        assert result.exit_code in (Exit.OK, Exit.NO_RESULT, Exit.USAGE), (query, result.exit_code)
        if result.exit_code == Exit.USAGE:
            bad = query
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("Error: "), (query, lines)
            assert "Traceback" not in result.output
    assert bad is not None, "at least one of these queries should be a syntax error"
