"""Entity extraction: built-in extractor, canonical names, aliases, get_extractor, optional spaCy backend."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from searchidx.entities import canonical_alias, extract_entities, get_extractor
from searchidx.errors import UsageError
from searchidx.models import Entities

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "000_b79cdb675a26dda6.txt"


def ents(title: str, body: str) -> Entities:
    ex = get_extractor("builtin")
    assert ex is not None
    return ex.extract(title, body)


@pytest.fixture(scope="module")
def sample() -> dict[str, list[str]]:
    if not SAMPLE.exists():
        pytest.skip("sample article missing")
    return extract_entities(SAMPLE.read_text(encoding="utf-8"))


def test_sample_persons_fullest_form(sample: dict[str, list[str]]) -> None:
    assert {"Jens Stoltenberg", "Joe Biden", "Vladimir Poutine", "Jake Sullivan"} <= set(sample["person"])
    for bad in ("M. Biden", "Stoltenberg", "Biden", "Poutine"):
        assert bad not in sample["person"]


def test_sample_orgs_and_places(sample: dict[str, list[str]]) -> None:
    assert "OTAN" in sample["org"]
    assert "Union européenne" in sample["org"] or "UE" in sample["org"]
    assert "l'OTAN" not in sample["org"]
    assert {"Genève", "Russie", "Moscou"} <= set(sample["place"])


def test_sample_each_name_once_and_in_one_type(sample: dict[str, list[str]]) -> None:
    all_names = [n for names in sample.values() for n in names]
    assert len(all_names) == len(set(all_names))


def test_honorifics_dropped() -> None:
    e = ents("Réunion", "Mme Hidalgo a reçu M. Dupont-Aignan hier. Le Dr Raoult n'était pas là.")
    assert "Hidalgo" in e.person
    assert "Dupont-Aignan" in e.person
    assert "Raoult" in e.person
    assert not any(n.startswith(("M.", "Mme", "Dr")) for n in e.person)


def test_fullest_form_wins() -> None:
    e = ents("Visite", "Le président Emmanuel Macron est arrivé. M. Macron a salué la foule. Macron a ensuite parlé.")
    assert e.person == ("Emmanuel Macron",)


def test_elision_dropped() -> None:
    e = ents("Sommet", "Les ministres de l'OTAN ont reçu le soutien d'Emmanuel Macron et qu'Angela Merkel a salué.")
    assert "OTAN" in e.org
    assert "l'OTAN" not in e.org
    assert "Emmanuel Macron" in e.person
    assert "Angela Merkel" in e.person
    assert not any(n.startswith(("d'", "qu'")) for n in e.person)


def test_leading_lowercase_article_dropped() -> None:
    e = ents("Grève", "Les syndicats de la SNCF et de la RATP appellent à la grève.")
    assert "SNCF" in e.org and "RATP" in e.org


def test_le_monde_keeps_its_article() -> None:
    e = ents("Presse", "Selon Le Monde, l'enquête avance. Le Parisien a confirmé, comme les journalistes du Figaro.")
    assert "Le Monde" in e.org
    assert "Le Parisien" in e.org
    assert "Le Figaro" in e.org
    assert "Monde" not in e.org and "Figaro" not in e.place


def test_alias_merging() -> None:
    assert canonical_alias("org", "NATO") == "OTAN"
    assert canonical_alias("org", "UE") == canonical_alias("org", "Union européenne")
    assert canonical_alias("org", "Nations unies") == canonical_alias("org", "ONU")
    assert canonical_alias("place", "USA") == "États-Unis"
    assert canonical_alias("place", "Etats-Unis") == "États-Unis"
    assert canonical_alias("person", "Zorglub Dupont") == "Zorglub Dupont"
    e = ents("Défense", "Le NATO summit a eu lieu. L'OTAN a publié un communiqué.")
    assert e.org.count("OTAN") == 1
    assert "NATO" not in e.org


def test_sentence_initial_capitals_are_not_names() -> None:
    e = ents(
        "Intempéries",
        "Hier, les pompiers sont intervenus. Pourtant la pluie continuait. Visiblement rien n'y faisait. "
        "Selon la préfecture, aucune victime. Ensuite, la route a rouvert.",
    )
    assert not e, e


def test_a_lyon_is_a_place() -> None:
    e = ents("Transports", "Un accident s'est produit à Lyon mardi, puis un autre à Tarnos-les-Bains.")
    assert "Lyon" in e.place
    assert "Tarnos-les-Bains" in e.place  # unknown town after "à"


def test_ministry_is_an_org() -> None:
    e = ents("Sécurité", "Le ministère de l'Intérieur a annoncé des renforts.")
    assert "ministère de l'Intérieur" in e.org
    assert "Intérieur" not in e.place and "Intérieur" not in e.person


def test_parquet_de_is_org_and_place() -> None:
    e = ents("Enquête", "Le parquet de Nanterre a ouvert une enquête.")
    assert "parquet de Nanterre" in e.org
    assert "Nanterre" in e.place


def test_demonyms_are_not_names() -> None:
    e = ents("Tourisme", "Des Français et des Allemands ont visité la ville.")
    assert not e.person and not e.place


def test_title_cue_person() -> None:
    e = ents("Santé", "Le ministre de la Santé Olivier Véran a répondu au député Zébulon Krapotkine.")
    assert "Olivier Véran" in e.person
    assert "Zébulon Krapotkine" in e.person


def test_acronym_org_and_country_acronym_place() -> None:
    e = ents("Social", "La CGT et la CFDT ont signé. Aux USA, la situation est différente.")
    assert {"CGT", "CFDT"} <= set(e.org)
    assert "États-Unis" in e.place


def test_extract_entities_shape() -> None:
    out = extract_entities("\n\nTitre sur Paris\nLe maire de Marseille a parlé.")
    assert set(out) == {"person", "org", "place"}
    assert "Paris" in out["place"] and "Marseille" in out["place"]


def test_get_extractor_names() -> None:
    assert get_extractor("none") is None
    b = get_extractor("builtin")
    assert b is not None and b.name == "builtin"
    auto = get_extractor("auto")
    assert auto is not None and auto.name in ("builtin", "spacy-sm", "spacy-md")
    with pytest.raises(UsageError):
        get_extractor("bogus")


def test_builtin_is_picklable() -> None:
    ex = get_extractor("builtin")
    clone = pickle.loads(pickle.dumps(ex))
    assert clone.extract("Paris", "Rien.").place == ("Paris",)


def test_empty_inputs() -> None:
    assert not ents("", "")
    assert extract_entities("") == {"person": [], "org": [], "place": []}


def test_import_does_not_load_spacy() -> None:
    import subprocess
    import sys

    code = "import sys, searchidx, searchidx.entities; searchidx.entities.get_extractor('builtin'); print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_spacy_backend_canonicalises() -> None:
    pytest.importorskip("spacy")
    try:
        ex = get_extractor("spacy")
    except UsageError:
        pytest.skip("no French spaCy model installed")
    assert ex is not None
    e = ex.extract("Sommet", "Le président Joe Biden a rencontré M. Biden à Genève avec l'OTAN.")
    assert "M. Biden" not in e.person
    assert pickle.loads(pickle.dumps(ex)).name == ex.name
