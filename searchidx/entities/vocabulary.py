"""The built-in extractor's French vocabulary: cue words (titles, organisation and place nouns, speech verbs...)
and the patterns its rules match, compiled once."""

from __future__ import annotations

import re

UP = "A-ZÀ-ÖØ-ÞŒÆ"
_WORD = r"[0-9A-Za-zÀ-ÖØ-öø-ÿœŒæÆ]"
# "Pyrénées.Alors", "PKW.Les": a full stop glued to the next sentence (anchored on the stop: a scan from every
# character costs 0.1 ms/article)
GLUE = re.compile(r"([.!?])(?<=(?:[a-zà-ÿ0-9\"»)]{2}|[A-Z]{2})[.!?])(?=[" + UP + r"])")
# OrangeSum drops the break after a credit: "par BFMTVUne situation", "par 6MEDIASLe directeur"
GLUE_CAPS = re.compile(r"\b(?=[A-Z0-9]{4})(?![IVXLCDM]+e\b)([A-Z0-9]*[A-Z][A-Z0-9]{2,})([" + UP + r"][a-zà-ÿ]+)\b")  # not VIIIe
GLUE_CAPS_HINT = re.compile(r"[A-Z0-9]{2}[" + UP + r"][a-zà-ÿ]")  # a cheap test first: few articles have one
# and before it: "Yannick Jadotpar BFMTV", "Agnès Buzynpar LCP" (the scan is anchored on "par ")
GLUE_CREDIT = re.compile(r"par (?=[A-Z0-9]{2,}\b)")
_NAME_BEFORE = re.compile(r"(?<!\w)[" + UP + r"][a-zà-ÿ]+$")


def unglue_credit(m: re.Match[str]) -> str:
    text, start = m.string, m.start()
    glued = start > 0 and text[start - 1].islower() and _NAME_BEFORE.search(text, max(0, start - 40), start)
    return " par " if glued else m.group()
TOKEN = re.compile(
    r"(?P<hon>\b(?:M|MM|Mme|Mlle|Dr|Mgr|Me|Pr|St|Ste)\.?(?=\s+[" + UP + r"]))"
    r"|(?P<word>" + _WORD + r"+(?:[-'’&.]" + _WORD + r"+)*'?’?)"
    r"|(?P<punct>[.!?…:;«»\"“”()\[\]\n,|—–])"
)
ELISION = re.compile(r"^(l|d|qu|jusqu|lorsqu|puisqu|s|n|j|m|t|c)['’](.+)$", re.IGNORECASE)
HYPHEN_ADJ = re.compile(r"^[^-]+-[a-zà-ÿ]{4,}$")  # "Macron-compatible", "franco-allemand": not a name
ROMAN = re.compile(r"^[IVXLCDM]+(?:e|er|ème)?$")
ROAD = re.compile(r"^[AN]\d{1,3}$")

ARTICLES_BEFORE = frozenset("le la les l' du des au aux".split())
CONNECTORS = frozenset("de du des d' la von van der den da di del della dos do bin ben el al y & ibn of".split())
HONORIFICS = frozenset("m mm mme mlle dr mgr me pr monsieur madame mademoiselle".split())
TITLE_CUES = frozenset(
    """président présidente présidents ministre ministres secrétaire porte-parole député députée sénateur sénatrice
    maire adjoint adjointe avocat avocate avocats procureur procureure juge préfet préfète chanteur chanteuse acteur
    actrice comédien comédienne journaliste directeur directrice patron patronne pdg fondateur fondatrice cofondateur
    entraîneur sélectionneur joueur joueuse champion championne écrivain écrivaine auteur autrice réalisateur
    réalisatrice animateur animatrice présentateur présentatrice dessinateur dessinatrice candidat candidate élu élue
    conseiller conseillère professeur docteur épidémiologiste infectiologue chercheur chercheuse photographe styliste
    rappeur rappeuse humoriste footballeur pape roi reine prince princesse dirigeant dirigeante chef leader opposant
    opposante homologue fils fille mère père épouse mari frère sœur soeur veuve compagne compagnon chancelière
    chancelier général commissaire colonel capitaine lieutenant gendarme policier sénateurs vice-président
    vice-présidente délégué déléguée eurodéputé eurodéputée milliardaire militant militante syndicaliste porte-voix
    ambassadeur ambassadrice gouverneur gouverneure star comédien chroniqueur chroniqueuse député-maire cheffe
    mannequin créateur créatrice designer producteur productrice pilote navigatrice navigateur skipper nageur
    nageuse cycliste athlète boxeur tennisman tenniswoman rugbyman attaquant défenseur gardien milieu entraîneure
    ex-président ex-ministre ex-femme ex-mari ex-compagne ex-compagnon petit petite""".split()
)
PLACE_PREPS = frozenset("à en au aux vers via depuis".split())
# nouns that introduce the name of an organisation or publication ("le quotidien Reforma", "la marque Sodilac")
ORG_CUES = frozenset(
    """quotidien quotidiens hebdomadaire hebdomadaires mensuel mensuels magazine magazines journal journaux site sites
    chaîne chaînes radio radios station agence agences groupe groupes société sociétés entreprise entreprises firme
    firmes marque marques enseigne enseignes association associations fédération syndicat syndicats collectif
    collectifs laboratoire laboratoires labo constructeur constructeurs opérateur opérateurs fabricant fabricants géant
    club clubs équipe parti partis mouvement mouvements groupuscule groupuscules start-up startup banque banques
    assureur assureurs distributeur distributeurs compagnie compagnies éditions éditeur éditeurs label ong institut
    cabinet holding filiale filiales organisation organisations fondation application plateforme hebdo tabloïd
    média médias studio studios écurie supermarché hypermarché magasin think-tank boîte usine usines géant géants
    spécialiste""".split()
)
# cue nouns that keep naming a firm or a body across a complement ("la société de restauration d'autoroute X";
# "le magazine de faits divers X" is a programme)
FIRM_CUES = frozenset("""groupe groupes société sociétés entreprise entreprises firme marque marques enseigne
    enseignes association fédération syndicat laboratoire laboratoires constructeur fabricant géant géants spécialiste
    banque compagnie cabinet distributeur assureur opérateur éditeur""".split())
# adjectives/complements allowed between a cue noun and the name ("le quotidien en ligne X", "le groupe fromager X")
CUE_FILLERS = frozenset("en ligne d'information d'informations d'opposition de presse public publique privé privée "
                          "britannique américain américaine allemand allemande espagnol espagnole italien italienne "
                          "belge suisse japonais chinois russe local locale régional régionale national nationale "
                          "satirique économique gratuit spécialisé spécialisée people".split())
# a title followed by "de/du/d'" + name: the name is what the person heads (an org) or represents (a place)
ORG_TITLES = frozenset(
    """président présidente directeur directrice patron patronne pdg fondateur fondatrice cofondateur cofondatrice
    dirigeant dirigeante porte-parole secrétaire responsable salarié salariée salariés employé employée employés
    membre membres actionnaire actionnaires chef cheffe leader gérant gérante administrateur administratrice
    rédacteur rédactrice journaliste journalistes avocat avocate avocats conseiller conseillère entraîneur
    sélectionneur joueur joueuse attaquant défenseur gardien capitaine numéro patrons dirigeants filiale filiales
    concurrent concurrents sous-traitant sous-traitants""".split()
)
# "<noun> de X": X is a place ("la commune de X", "à l'ouest de X", "originaire de X")
PLACE_NOUNS = frozenset(
    """ville villes village villages commune communes municipalité localité bourg hameau quartier quartiers banlieue
    région province état etat département canton district comté île archipel périphérie environs alentours
    centre-ville faubourg agglomération métropole large ouest est nord sud nord-est nord-ouest sud-est sud-ouest
    près proximité loin domicile originaire originaires natif native diocèse capitale frontière frontières
    rues habitants""".split()
)
PLACE_TITLES = frozenset("maire préfet préfète député députée sénateur sénatrice évêque archevêque élu élue habitant "
                         "habitants habitante conseillers curé gouverneur gouverneure consul ambassadeur".split())
# speech verbs whose inverted subject or dative is a medium ("rapporte franceinfo", "a raconté à Ekathimerini")
SPEECH_VERBS = frozenset(
    """rapporte rapportent rapportait révèle révèlent révélait indique indiquent indiquait précise précisent précisait
    affirme affirment affirmait annonce annoncent annonçait écrit écrivent écrivait raconte racontait relate relève
    explique confie confié raconté expliqué déclaré indiqué précisé affirmé assuré révélé souligné détaillé
    annoncé rapporté dit""".split()
)
# last word marking a company / club name ("Savencia SA", "Acme Inc", "Leeds United")
ORG_SUFFIXES = frozenset(
    """sa sas sarl inc ltd llc plc corp corporation group groupe holding ag gmbh airlines airways bank motors pharma
    technologies telecom télécom media médias capital partners industries energy énergie assurances foods systems
    labs studios records productions entertainment network news united cars holdings""".split()
)
# English words naming a body inside a multi-word name ("Royal College of Art", "Southern California Timing
# Association", "American Civil Liberties Union")
EN_ORG_WORDS = frozenset("college university institute museum bank association agency foundation society council "
                          "committee organization organisation league union corporation company department "
                          "commission school academy".split())
ORG_PREFIXES = frozenset("fc as rc sc us ac stade olympique racing sporting real atlético atletico inter "
                         "éditions editions".split())
ARTICLE_WORDS = frozenset("le la les l' un une des du au aux".split())
ORG_HEADS = (
    "Institut|Agence|Association|Fondation|Fédération|Comité|Conseil|Office|Observatoire|Syndicat|Union|Ordre|"
    "Compagnie|Société|Groupe|Collectif|Mouvement|Parti|Front|Banque|Université|École|Ecole|Académie|Direction|"
    "Commission|Haute Autorité|Haut Conseil|Haut-Commissariat|Autorité|Caisse|Musée|Hôpital|Centre|Confédération|"
    "Chambre|Cour|Bourse|Tribunal|Secours|Brigade|Inspection|Régiment|Armée|Garde|Police|Gendarmerie|Ligue|Organisation|"
    "Coalition|Laboratoire|Lycée|Collège|Club|Église|Eglise|Mutuelle|Fonds|Ministère|Assemblée|Sénat|Cellule|"
    "Délégation|Département|Service|Bureau|Préfecture|Parquet|Mairie|Régie|Entreprise|Maison"
)
_ADJ = r"(?:arabes?\b|(?:anti|pro)-[a-zà-ÿœ]+\b|(?:noire|blanche|verte|rouge|bleue|jaune)s?\b|[a-zà-ÿœ][a-zà-ÿœ'-]*(?:ique|iques|ale|ales|al|aux|elle|elles|el|ère|ères|aire|aires|ive|ives|if|ifs|ienne|iennes|ien|iens|ée|ées|eur|eure|ain|aine|aise|ais|ois|oise|ouvrières?|ouvriers?|unies|uni|unie))"
_CAPW = r"[" + UP + r"][\w'’-]*"
_CONN = r"(?:de la |de l['’]|des |du |de |d['’]|pour la |pour le |pour les |et de la |et des |et du |et de |contre la |contre le |contre les |en )"
ORGCAP = re.compile(
    r"\b(?=[" + UP + r"])(?:" + ORG_HEADS + r")(?: " + _ADJ + r"\b(?: et " + _ADJ + r"\b)?| " + _CAPW + r"| " + _CONN + r"(?:" + _CAPW + r"|[a-zà-ÿœ][\w-]*))+"
)
LOWER_HEADS = (
    r"éditions|fondation|mairie|parquet(?: national)?|préfecture|sous-préfecture|rectorat|ambassade|consulat|université|"
    r"police judiciaire|commissariat|centre hospitalier(?: universitaire| régional| intercommunal)?|CHU|CHR|hôpital|"
    r"tribunal(?: correctionnel| judiciaire| administratif| de grande instance| de commerce| pour enfants| de police)?|"
    r"cour d['’]appel|cour d['’]assises(?: spéciale)?|cour administrative d['’]appel|conseil départemental|conseil régional|"
    r"conseil municipal|conseil général|chambre régionale des comptes|maison d['’]arrêt|centre pénitentiaire|"
    r"direction départementale de la sécurité publique|académie|diocèse|barreau|ARS|CCI|Crous|SRPJ|DIPJ|DDSP|Sdis|SDIS|CGT|CFDT|FSU|FO|Unsa|SNCF|"
    r"ministère|secrétariat d['’]État"
)
LOWER_ORG = re.compile(
    r"\b(?=[mpsracuhdbtéfACFUS])(?P<head>" + LOWER_HEADS + r")"
    r" (?P<prep>de la |de l['’]|du |des |de |d['’]|)(?P<name>" + _CAPW + r"(?:(?: | de | du | des | de la | d['’]|-)" + _CAPW + r")*"
    r"(?: " + _ADJ + r"\b)?(?: et (?:de la |de l['’]|des |du )(?!(?:" + ORG_HEADS + r")\b)" + _CAPW + r"(?: " + _ADJ
    + r"\b)?)?)"
)
TITLES_AS_BODIES = frozenset(("garde des sceaux", "haut-commissaire", "haut commissaire"))
# heads of bodies named after a person: the first name right after them is part of the name ("Fondation Brigitte
# Bardot", "Lycée Victor-Hugo"), while "Conseil constitutionnel Laurent Fabius" is a body and its president
NAMED_AFTER = frozenset("Fondation Lycée Collège École Ecole Université Musée Hôpital Institut Maison Centre".split())
PLACE_HEADS = (
    r"place|rue|avenue|boulevard|quai|pont|cours|allée|square|jardin|parc|golfe|détroit|massif|mont|lac|mer|océan|"
    r"baie|col|forêt|gare|aéroport|port|plage|anse|canal|île|îles|vallée|plateau|fort|palais|château|cathédrale|"
    r"basilique|église|stade"
)
PLACE_HEAD = re.compile(
    r"(?<![-\w])(?=[prabqjcgdmlfîvséo])(?P<head>" + PLACE_HEADS + r")"
    r" (?P<prep>de la |de l['’]|du |des |de |d['’]|)(?P<name>" + _CAPW + r"(?:(?: | de | du | des | de la | d['’]|-)" + _CAPW + r")*)"
)
NATIONAL_TEAM = re.compile(
    r"\béquipe de France(?: (?:féminine|masculine|espoirs|olympique))?(?: (?:de |d['’])(?:football|rugby|handball|"
    r"basket|basket-ball|volley|volley-ball|tennis|natation|cyclisme|judo|athlétisme|ski|hockey|gymnastique|escrime|"
    r"boxe|water-polo|rugby à XV|rugby à sept))?"
)
GROUP_BEFORE = re.compile(r"\b(?i:association|collectif|comité|groupe|groupuscule|parti|fondation|ong|syndicat|club|"
                           r"réseau|coordination|plateforme)(?: [a-zà-ÿœ][\w'’-]*)? ?$")
QUOTED_NAME = re.compile(r"[«\"“] ?(?P<name>[" + UP + r"][^«»\"“”\n.]{1,80}?) ?[»\"”]")
PAIR_HYPHEN = re.compile(r"-([" + UP + r"][a-zà-ÿ]{2,})(?![\w-])")
PAIR_LEFT = re.compile(r"(?<![\w-])[" + UP + r"][a-zà-ÿ]{2,}$")
ARROND = re.compile(
    r"\b(?P<num>\d{1,2}(?:e|er|ème)|[IVXL]+e) arrondissement(?: de (?P<city>Paris|Lyon|Marseille))?"
)
# "candidate (LREM) à la mairie de Paris", "briguer la mairie de Lyon": the mairie is an office, not the institution
ELECTORAL = re.compile(r"\b(?:candidat|candidate|candidats|candidates|candidature|course|brigue|briguer|briguait|"
                        r"reprendre|conquérir|conquis|conquête|remporter|ravir|concurrent|concurrente|prétendant|"
                        r"prétendante|favori|favorite)\b(?: [" + UP + r"][\w-]*){0,3} (?:à la|pour la|la) $")
# "dans un hôpital de Bergame", "plusieurs tribunaux de ...": one of many, not a named body (its place stays)
INDEFINITE = re.compile(r"\b(?:un|une|des|plusieurs|chaque|aucun|aucune|quel|quelle|tout|toute)\s+$", re.IGNORECASE)
ASSOC_CUES = frozenset("association associations collectif ong fondation".split())
ASSOC_PREPS = frozenset("en sans pour contre au aux à du des de".split())
OPEN_QUOTES = frozenset('«"“')
QUOTE_OPEN = re.compile("[" + "".join(OPEN_QUOTES) + "]")
NAMING = frozenset("baptisé baptisée baptisés baptisées dénommé dénommée dénommés nommé nommée appelé appelée "
                    "appelés surnommé surnommée intitulé intitulée".split())
# a lowercase adjective between a cue noun and the name ("l'association mexicaine X", "le groupe fromager X")
_CUE_ADJ = re.compile(r"[a-zà-ÿœ-]{3,}(?:aine|ain|ais|aise|ien|ienne|ique|al|ale|el|elle|ier|ière|er|ère|if|ive|aire|"
                      r"ois|oise|an|ane|and|ande)")


def is_cue_adjective(word: str) -> bool:
    """A nationality or relational adjective (cheap suffix test; the name must still be capitalised)."""
    return (_CUE_ADJ.fullmatch(word) is not None or HYPHEN_ADJ.match(word) is not None) and word not in _NOT_ADJ


_NOT_ADJ = frozenset("avait était serait aurait fait mais jamais désormais pourtant quand avant pendant durant "
                     "selon dernier dernière premier première".split())
UNIT_HEADS = frozenset("ministère secrétariat".split())
# acronyms of bodies that exist per région ("ARS Normandie" is that région's agency, unlike "CGT Bretagne")
REGIONAL_BODIES = frozenset(("ARS", "CCI", "Crous", "CHU"))
# brands whose regional editions are named "<brand> <région>": the région is part of a title, not a place mention
BRAND_BRANCHES = frozenset(("France Bleu", "France 3", "BFMTV", "Actu.fr", "France Télévisions", "RTL", "Radio France"))
# a brand right after one of these nouns names a product, not the firm acting (the gold annotates only the latter),
# unless an org cue comes just before ("le fabricant de téléphones Xiaomi")
PRODUCT_NOUNS = frozenset("""voiture voitures véhicule véhicules berline berlines citadine citadines moto motos
    scooter scooters camion camions smartphone smartphones téléphone téléphones ordinateur
    ordinateurs tablette tablettes montre montres console consoles meuble meubles sac sacs chaussures baskets
    lait laits yaourt yaourts biscuits cigarettes appareil appareils modèle modèles""".split())
GENERIC_PLACE_NAMES = frozenset("cours pont port col fort palais château".split())
# heads of places never named after a person (unlike "rue Jean-Jaurès"): a first name after them is someone's
NATURAL_HEADS = frozenset("mer océan fort port plateau golfe détroit massif baie anse col vallée forêt lac".split())
