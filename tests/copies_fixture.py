"""Hand-made wire copies and look-alikes: one dispatch, three versions of it an archive really holds (a
reworded headline, an added paragraph, a correction), and stories on the same subject that are not copies."""

from __future__ import annotations

DISPATCH = (
    "Les dockers du port du Havre ont entamé mardi une grève de quarante-huit heures pour protester contre "
    "la réforme des retraites, paralysant le premier port à conteneurs de France. Selon la direction du "
    "Grand Port maritime, une vingtaine de navires attendaient en rade mardi soir et les terminaux étaient "
    "à l'arrêt depuis six heures du matin.\n"
    "« Nous ne lâcherons rien tant que le gouvernement n'aura pas retiré son texte », a déclaré devant les "
    "grilles du terminal de France le secrétaire général du syndicat des ouvriers dockers, Johann Fontaine. "
    "La CGT avait appelé l'ensemble des ports français à se joindre au mouvement.\n"
    "Les transitaires s'inquiètent des conséquences pour les entreprises de la région : plusieurs "
    "industriels de la vallée de la Seine disent manquer déjà de pièces. L'Union maritime et portuaire "
    "estime le coût d'une journée de blocage à plusieurs millions d'euros et demande au gouvernement de "
    "renouer le dialogue au plus vite.\n"
    "Le ministre des Transports doit recevoir les représentants des dockers jeudi à Paris."
)

ORIGINAL = {"id": "afp-1", "title": "Grève des dockers : le port du Havre paralysé", "date": "2023-01-31",
            "source": "Agence", "body": DISPATCH}
REWORDED_HEADLINE = {"id": "journal-a", "title": "Retraites : au Havre, les dockers bloquent le premier port de France",
                     "date": "2023-01-31", "source": "Journal A", "body": DISPATCH}
ADDED_PARAGRAPH = {
    "id": "journal-b", "title": "Le port du Havre à l'arrêt, les dockers en grève pour deux jours",
    "date": "2023-01-31", "source": "Journal B",
    "body": DISPATCH + "\nÀ Rouen, le trafic fluvial était également perturbé mardi, selon la capitainerie, qui "
    "prévoit un retour à la normale au plus tôt vendredi. Les syndicats doivent décider mercredi soir d'une "
    "éventuelle reconduction du mouvement, qui pourrait alors s'étendre aux ports de Dunkerque et de "
    "Saint-Nazaire.",
}
CORRECTION = {
    "id": "journal-c", "title": "Grève des dockers : le port du Havre paralysé (rectifié)",
    "date": "2023-02-01", "source": "Journal C",
    "body": DISPATCH.replace("quarante-huit heures", "soixante-douze heures")
    .replace("une vingtaine de navires", "une trentaine de navires")
    .replace("Johann Fontaine", "Johann Fontana")
    + "\nRectificatif : une version précédente de cette dépêche indiquait une grève de quarante-huit heures.",
}
COPIES = (ORIGINAL, REWORDED_HEADLINE, ADDED_PARAGRAPH, CORRECTION)

SAME_SUBJECT = (
    {
        "id": "journal-d", "title": "Au Havre, les dockers reconduisent leur mouvement", "date": "2023-02-02",
        "source": "Journal D",
        "body": "Réunis en assemblée générale mercredi soir sur le terminal de l'Atlantique, les dockers du Havre "
        "ont voté à main levée la reconduction de leur grève jusqu'à lundi. Le vote a été acquis à une large "
        "majorité, malgré les appels au calme de plusieurs élus de la ville.\n"
        "Pour les armateurs, la situation devient critique : la compagnie CMA CGM a annoncé détourner trois "
        "porte-conteneurs vers Anvers et Rotterdam, où les cargaisons seront déchargées puis acheminées par "
        "camion. Les entreprises de logistique de la zone industrielle craignent des pertes durables de "
        "clients au profit des ports du nord de l'Europe.\n"
        "Le maire du Havre a appelé l'État à « prendre ses responsabilités » et a proposé d'accueillir une "
        "table ronde réunissant syndicats, direction portuaire et représentants du ministère.",
    },
    {
        "id": "journal-e", "title": "Marseille-Fos : le trafic perturbé par une journée d'action", "date": "2023-01-31",
        "source": "Journal E",
        "body": "Le grand port maritime de Marseille-Fos a connu mardi une journée d'action à l'appel de la CGT "
        "contre la réforme des retraites. Les portiques des bassins de Fos-sur-Mer sont restés immobiles une "
        "grande partie de la journée et une dizaine de navires ont dû patienter au large.\n"
        "Les agents portuaires se sont rassemblés devant la capitainerie avant de défiler jusqu'à la mairie "
        "de Port-Saint-Louis-du-Rhône. Selon les organisateurs, plus de mille personnes ont participé à la "
        "manifestation, quatre cents selon la police.\n"
        "La direction du port assure que l'essentiel des escales pourra être rattrapé en fin de semaine, "
        "tandis que les croisiéristes ont décalé l'arrivée de deux paquebots attendus mercredi à la Joliette.",
    },
)
