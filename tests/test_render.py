"""Rendering: plain text when piped, rich on a terminal (snapshot-like), fields, snippets, facet bars."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from searchidx import render
from searchidx.errors import UsageError
from searchidx.models import Entities, FacetValue, Hit, SearchResult

HIT = Hit(
    id="otan-geneve",
    title="Sommet de Genève",
    score=3.5,
    snippet="Le président des <em>États</em>-<em>Unis</em>, Joe Biden, a rencontré Vladimir Poutine à Genève.",
    date="2021-06-16",
    source="Le Temps",
    entities=Entities(person=("Joe Biden",), org=("OTAN",), place=("Genève",)),
    rank=1,
)
RESULT = SearchResult(query="etats unis", total=1, hits=[HIT],
                      facets={"person": [FacetValue("Joe Biden", 4), FacetValue("Vladimir Poutine", 2)]})


def test_plain_output() -> None:
    assert render.plain_result(RESULT) == (
        "  1. Sommet de Genève\n"
        "     16 juin 2021 · Le Temps · otan-geneve\n"
        "     #Joe Biden #OTAN #Genève\n"
        "     Le président des *États*-*Unis*, Joe Biden, a rencontré Vladimir Poutine à Genève.\n"
        "person:\n"
        "       4  Joe Biden\n"
        "       2  Vladimir Poutine\n"
    )


def test_fields_choose_columns() -> None:
    assert render.plain_result(RESULT, ("title", "date")) == "Sommet de Genève\n16 juin 2021\n" + render.plain_facets(
        RESULT.facets
    )
    assert render.parse_fields("title, date,title") == ("title", "date")
    assert render.parse_fields(None) == render.DEFAULT_FIELDS
    with pytest.raises(UsageError, match="unknown field 'titre' for --fields"):
        render.parse_fields("titre")
    assert render.hit_record(HIT, ("id", "score")) == {"id": "otan-geneve", "score": 3.5}


def _terminal(width: int = 60) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, width=width, color_system="standard", highlight=False), buf


def test_terminal_output_snapshot() -> None:
    out, buf = _terminal()
    render.print_result(RESULT, out=out)
    text = buf.getvalue()
    assert "\x1b[1mSommet de Genève\x1b[0m" in text  # bold title
    assert "\x1b[1;33mÉtats\x1b[0m" in text and "\x1b[1;33mUnis\x1b[0m" in text  # highlighted matches
    assert "\x1b[36m16 juin 2021\x1b[0m" in text  # French date
    plain = Console(file=io.StringIO(), width=60)
    plain.begin_capture()
    render.print_result(RESULT, out=plain)
    lines = plain.end_capture().splitlines()
    assert lines[:5] == [
        "  1. Sommet de Genève",
        "     16 juin 2021 · Le Temps · otan-geneve",
        "     #Joe Biden  #OTAN  #Genève",
        "     Le président des États-Unis, Joe Biden, a rencontré",
        "     Vladimir Poutine à Genève.",
    ]
    assert lines[6] == "person"
    assert lines[7] == "  Joe Biden         4  ████████████████████"
    assert lines[8] == "  Vladimir Poutine  2  ██████████"


def test_snippet_is_cut_to_two_lines_with_highlights_kept() -> None:
    snippet = "un deux trois <em>quatre</em> cinq six sept huit neuf dix onze douze treize quatorze quinze"
    lines = render.snippet_lines(snippet, width=20)
    assert len(lines) == 2
    texts = ["".join(t for t, _ in line) for line in lines]
    assert texts[0] == "un deux trois quatre"
    assert texts[1].endswith(" …") and len(texts[1]) <= 20
    assert ("quatre", True) in lines[0]


def test_summary_lines() -> None:
    r = SearchResult(query="stoltenbreg", total=0, hits=[], suggestion="stoltenberg")
    assert render.summary(r, "stoltenbreg") == ["Vouliez-vous dire : stoltenberg ?", "0 articles match; showing 0."]
    fixed = SearchResult(query="stoltenberg", total=2, hits=[HIT, HIT], suggestion="stoltenberg")
    assert render.summary(fixed, "stoltenbreg")[0] == "Résultats pour : stoltenberg (au lieu de : stoltenbreg)"


def test_is_terminal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEARCHIDX_TTY", "1")
    assert render.is_terminal(io.StringIO())
    monkeypatch.setenv("SEARCHIDX_TTY", "0")
    assert not render.is_terminal()
    monkeypatch.delenv("SEARCHIDX_TTY")
    assert not render.is_terminal(io.StringIO())
