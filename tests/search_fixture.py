"""A small in-memory index of invented French articles, with known entities, shared by the search tests."""

from __future__ import annotations

from searchidx import Article, Entities, Index

ARTICLES: list[tuple[Article, Entities]] = [
    (
        Article(
            id="otan-geneve",
            title="Sommet de Genève : Joe Biden et Vladimir Poutine face à face",
            body=(
                "Le président des États-Unis, Joe Biden, a rencontré Vladimir Poutine à Genève. "
                "Jens Stoltenberg, secrétaire général de l'OTAN, a salué un dialogue utile pour la sécurité "
                "européenne. Les deux présidents ont parlé de cybersécurité et de stabilité stratégique."
            ),
            date="2021-06-16",
            source="Le Temps",
        ),
        Entities(person=("Joe Biden", "Vladimir Poutine", "Jens Stoltenberg"), org=("OTAN",),
                 place=("Genève", "États-Unis")),
    ),
    (
        Article(
            id="stoltenberg-bruxelles",
            title="Stoltenberg réunit les alliés à Bruxelles",
            body=(
                "Jens Stoltenberg a ouvert le sommet de l'OTAN à Bruxelles. Les alliés discutent du budget "
                "de défense et de la Russie. Le secrétaire général insiste sur la solidarité."
            ),
            date="2021-06-14",
            source="Le Monde",
        ),
        Entities(person=("Jens Stoltenberg",), org=("OTAN",), place=("Bruxelles", "Russie")),
    ),
    (
        Article(
            id="macron-ecoles",
            title="Emmanuel Macron annonce un plan pour les écoles",
            body=(
                "Le président de la République a présenté à Marseille un plan de rénovation des écoles. "
                "Les enseignants saluent l'annonce, les syndicats restent prudents sur le financement."
            ),
            date="2021-09-02",
            source="Le Monde",
        ),
        Entities(person=("Emmanuel Macron",), place=("Marseille",)),
    ),
    (
        Article(
            id="vendanges",
            title="Vendanges précoces en Bourgogne",
            body=(
                "La chaleur de l'été a avancé les vendanges en Bourgogne. Les vignerons de Beaune "
                "craignent pour la qualité, mais les rendements restent corrects cette année."
            ),
            date="2020-08-28",
            source="Ouest-France",
        ),
        Entities(place=("Bourgogne", "Beaune")),
    ),
    (
        Article(
            id="poutine-moscou",
            title="Vladimir Poutine durcit le ton à Moscou",
            body=(
                "Depuis Moscou, Vladimir Poutine a mis en garde l'OTAN contre tout élargissement. "
                "Les États-Unis ont répondu par la voix de Jake Sullivan."
            ),
            date="2022-01-10",
            source="Le Temps",
        ),
        Entities(person=("Vladimir Poutine", "Jake Sullivan"), org=("OTAN",),
                 place=("Moscou", "États-Unis", "Russie")),
    ),
    (
        Article(
            id="geneve-lac",
            title="Le lac Léman sous surveillance",
            body=(
                "À Genève, les scientifiques mesurent la température du lac. Les pêcheurs s'inquiètent "
                "de la baisse des populations de perches."
            ),
            date="2021-07-03",
            source="Le Temps",
        ),
        Entities(place=("Genève", "Léman")),
    ),
]
ENTITIES = {a.id: e for a, e in ARTICLES}


class FixedExtractor:
    """Returns the entities written above, so search tests do not depend on the extractor's quality."""

    name = "fixed"

    def extract(self, title: str, text: str) -> Entities:
        for article, ents in ARTICLES:
            if article.title == title:
                return ents
        return Entities()


def build(path: str | None = None) -> Index:
    """The fixture index (in memory, or on disk at ``path``), with the entities above."""
    idx = Index.create(path, extractor=FixedExtractor(), overwrite=True)
    idx.add([a for a, _ in ARTICLES])
    return idx
