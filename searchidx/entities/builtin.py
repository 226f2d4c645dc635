"""Built-in rule-based entity extractor: capitalised-word chains + gazetteers + French cues."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from searchidx.models import Entities

from .canon import finalize
from .gazetteer import Gazetteer, fold, is_firstname, load, norm_key

_UP = "A-ZÀ-ÖØ-ÞŒÆ"
_WORD = r"[0-9A-Za-zÀ-ÖØ-öø-ÿœŒæÆ]"
# "Pyrénées.Alors", "PKW.Les": a full stop glued to the next sentence (anchored on the stop: a scan from every
# character costs 0.1 ms/article)
_GLUE = re.compile(r"([.!?])(?<=(?:[a-zà-ÿ0-9\"»)]{2}|[A-Z]{2})[.!?])(?=[" + _UP + r"])")
# OrangeSum drops the break after a credit: "par BFMTVUne situation", "par 6MEDIASLe directeur"
_GLUE_CAPS = re.compile(r"\b(?=[A-Z0-9]{4})(?![IVXLCDM]+e\b)([A-Z0-9]*[A-Z][A-Z0-9]{2,})([" + _UP + r"][a-zà-ÿ]+)\b")  # not VIIIe
_GLUE_CAPS_HINT = re.compile(r"[A-Z0-9]{2}[" + _UP + r"][a-zà-ÿ]")  # a cheap test first: few articles have one
# and before it: "Yannick Jadotpar BFMTV", "Agnès Buzynpar LCP" (the scan is anchored on "par ")
_GLUE_CREDIT = re.compile(r"par (?=[A-Z0-9]{2,}\b)")
_NAME_BEFORE = re.compile(r"(?<!\w)[" + _UP + r"][a-zà-ÿ]+$")


def _unglue_credit(m: re.Match[str]) -> str:
    text, start = m.string, m.start()
    glued = start > 0 and text[start - 1].islower() and _NAME_BEFORE.search(text, max(0, start - 40), start)
    return " par " if glued else m.group()
_TOKEN = re.compile(
    r"(?P<hon>\b(?:M|MM|Mme|Mlle|Dr|Mgr|Me|Pr|St|Ste)\.?(?=\s+[" + _UP + r"]))"
    r"|(?P<word>" + _WORD + r"+(?:[-'’&.]" + _WORD + r"+)*'?’?)"
    r"|(?P<punct>[.!?…:;«»\"“”()\[\]\n,|—–])"
)
_ELISION = re.compile(r"^(l|d|qu|jusqu|lorsqu|puisqu|s|n|j|m|t|c)['’](.+)$", re.IGNORECASE)
_HYPHEN_ADJ = re.compile(r"^[^-]+-[a-zà-ÿ]{4,}$")  # "Macron-compatible", "franco-allemand": not a name
_ROMAN = re.compile(r"^[IVXLCDM]+(?:e|er|ème)?$")
_ROAD = re.compile(r"^[AN]\d{1,3}$")

_ARTICLES_BEFORE = frozenset("le la les l' du des au aux".split())
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
_FIRM_CUES = frozenset("""groupe groupes société sociétés entreprise entreprises firme marque marques enseigne
    enseignes association fédération syndicat laboratoire laboratoires constructeur fabricant géant géants spécialiste
    banque compagnie cabinet distributeur assureur opérateur éditeur""".split())
# adjectives/complements allowed between a cue noun and the name ("le quotidien en ligne X", "le groupe fromager X")
_CUE_FILLERS = frozenset("en ligne d'information d'informations d'opposition de presse public publique privé privée "
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
_EN_ORG_WORDS = frozenset("college university institute museum bank association agency foundation society council "
                          "committee organization organisation league union corporation company department "
                          "commission school academy".split())
ORG_PREFIXES = frozenset("fc as rc sc us ac stade olympique racing sporting real atlético atletico inter "
                         "éditions editions".split())
_ARTICLE_WORDS = frozenset("le la les l' un une des du au aux".split())
ORG_HEADS = (
    "Institut|Agence|Association|Fondation|Fédération|Comité|Conseil|Office|Observatoire|Syndicat|Union|Ordre|"
    "Compagnie|Société|Groupe|Collectif|Mouvement|Parti|Front|Banque|Université|École|Ecole|Académie|Direction|"
    "Commission|Haute Autorité|Haut Conseil|Haut-Commissariat|Autorité|Caisse|Musée|Hôpital|Centre|Confédération|"
    "Chambre|Cour|Bourse|Tribunal|Secours|Brigade|Inspection|Régiment|Armée|Garde|Police|Gendarmerie|Ligue|Organisation|"
    "Coalition|Laboratoire|Lycée|Collège|Club|Église|Eglise|Mutuelle|Fonds|Ministère|Assemblée|Sénat|Cellule|"
    "Délégation|Département|Service|Bureau|Préfecture|Parquet|Mairie|Régie|Entreprise|Maison"
)
_ADJ = r"(?:arabes?\b|(?:anti|pro)-[a-zà-ÿœ]+\b|(?:noire|blanche|verte|rouge|bleue|jaune)s?\b|[a-zà-ÿœ][a-zà-ÿœ'-]*(?:ique|iques|ale|ales|al|aux|elle|elles|el|ère|ères|aire|aires|ive|ives|if|ifs|ienne|iennes|ien|iens|ée|ées|eur|eure|ain|aine|aise|ais|ois|oise|ouvrières?|ouvriers?|unies|uni|unie))"
_CAPW = r"[" + _UP + r"][\w'’-]*"
_CONN = r"(?:de la |de l['’]|des |du |de |d['’]|pour la |pour le |pour les |et de la |et des |et du |et de |contre la |contre le |contre les |en )"
_ORGCAP = re.compile(
    r"\b(?=[" + _UP + r"])(?:" + ORG_HEADS + r")(?: " + _ADJ + r"\b(?: et " + _ADJ + r"\b)?| " + _CAPW + r"| " + _CONN + r"(?:" + _CAPW + r"|[a-zà-ÿœ][\w-]*))+"
)
_LOWER_ORG = re.compile(
    r"\b(?=[mpsracuhdbtéfACFUS])(?P<head>éditions|fondation|mairie|parquet(?: national)?|préfecture|sous-préfecture|rectorat|ambassade|consulat|université|"
    r"police judiciaire|commissariat|centre hospitalier(?: universitaire| régional| intercommunal)?|CHU|CHR|hôpital|"
    r"tribunal(?: correctionnel| judiciaire| administratif| de grande instance| de commerce| pour enfants| de police)?|"
    r"cour d['’]appel|cour d['’]assises(?: spéciale)?|cour administrative d['’]appel|conseil départemental|conseil régional|"
    r"conseil municipal|conseil général|chambre régionale des comptes|maison d['’]arrêt|centre pénitentiaire|"
    r"direction départementale de la sécurité publique|académie|diocèse|barreau|ARS|CCI|Crous|SRPJ|DIPJ|DDSP|Sdis|SDIS|CGT|CFDT|FSU|FO|Unsa|SNCF|"
    r"ministère|secrétariat d['’]État)"
    r" (?P<prep>de la |de l['’]|du |des |de |d['’]|)(?P<name>" + _CAPW + r"(?:(?: | de | du | des | de la | d['’]|-)" + _CAPW + r")*"
    r"(?: " + _ADJ + r"\b)?(?: et (?:de la |de l['’]|des |du )(?!(?:" + ORG_HEADS + r")\b)" + _CAPW + r"(?: " + _ADJ
    + r"\b)?)?)"
)
_TITLES_AS_BODIES = frozenset(("garde des sceaux", "haut-commissaire", "haut commissaire"))
# heads of bodies named after a person: the first name right after them is part of the name ("Fondation Brigitte
# Bardot", "Lycée Victor-Hugo"), while "Conseil constitutionnel Laurent Fabius" is a body and its president
_NAMED_AFTER = frozenset("Fondation Lycée Collège École Ecole Université Musée Hôpital Institut Maison Centre".split())
_PLACE_HEAD = re.compile(
    r"(?<![-\w])(?=[prabqjcgdmlfîvséo])(?P<head>place|rue|avenue|boulevard|quai|pont|cours|allée|square|jardin|parc|golfe|détroit|massif|mont|lac|mer|océan|"
    r"baie|col|forêt|gare|aéroport|port|plage|anse|canal|île|îles|vallée|plateau|fort|palais|château|cathédrale|"
    r"basilique|église|stade)"
    r" (?P<prep>de la |de l['’]|du |des |de |d['’]|)(?P<name>" + _CAPW + r"(?:(?: | de | du | des | de la | d['’]|-)" + _CAPW + r")*)"
)
_NATIONAL_TEAM = re.compile(
    r"\béquipe de France(?: (?:féminine|masculine|espoirs|olympique))?(?: (?:de |d['’])(?:football|rugby|handball|"
    r"basket|basket-ball|volley|volley-ball|tennis|natation|cyclisme|judo|athlétisme|ski|hockey|gymnastique|escrime|"
    r"boxe|water-polo|rugby à XV|rugby à sept))?"
)
_GROUP_BEFORE = re.compile(r"\b(?i:association|collectif|comité|groupe|groupuscule|parti|fondation|ong|syndicat|club|"
                           r"réseau|coordination|plateforme)(?: [a-zà-ÿœ][\w'’-]*)? ?$")
_QUOTED_NAME = re.compile(r"[«\"“] ?(?P<name>[" + _UP + r"][^«»\"“”\n.]{1,80}?) ?[»\"”]")
_PAIR_HYPHEN = re.compile(r"-([" + _UP + r"][a-zà-ÿ]{2,})(?![\w-])")
_PAIR_LEFT = re.compile(r"(?<![\w-])[" + _UP + r"][a-zà-ÿ]{2,}$")
_ARROND = re.compile(
    r"\b(?P<num>\d{1,2}(?:e|er|ème)|[IVXL]+e) arrondissement(?: de (?P<city>Paris|Lyon|Marseille))?"
)
# "candidate (LREM) à la mairie de Paris", "briguer la mairie de Lyon": the mairie is an office, not the institution
_ELECTORAL = re.compile(r"\b(?:candidat|candidate|candidats|candidates|candidature|course|brigue|briguer|briguait|"
                        r"reprendre|conquérir|conquis|conquête|remporter|ravir|concurrent|concurrente|prétendant|"
                        r"prétendante|favori|favorite)\b(?: [" + _UP + r"][\w-]*){0,3} (?:à la|pour la|la) $")
# "dans un hôpital de Bergame", "plusieurs tribunaux de ...": one of many, not a named body (its place stays)
_INDEFINITE = re.compile(r"\b(?:un|une|des|plusieurs|chaque|aucun|aucune|quel|quelle|tout|toute)\s+$", re.IGNORECASE)
_ASSOC_CUES = frozenset("association associations collectif ong fondation".split())
_ASSOC_PREPS = frozenset("en sans pour contre au aux à du des de".split())
_OPEN_QUOTES = frozenset('«"“')
_QUOTE_OPEN = re.compile("[" + "".join(_OPEN_QUOTES) + "]")
_NAMING = frozenset("baptisé baptisée baptisés baptisées dénommé dénommée dénommés nommé nommée appelé appelée "
                    "appelés surnommé surnommée intitulé intitulée".split())
# a lowercase adjective between a cue noun and the name ("l'association mexicaine X", "le groupe fromager X")
_CUE_ADJ = re.compile(r"[a-zà-ÿœ-]{3,}(?:aine|ain|ais|aise|ien|ienne|ique|al|ale|el|elle|ier|ière|er|ère|if|ive|aire|"
                      r"ois|oise|an|ane|and|ande)")


def _is_cue_adjective(word: str) -> bool:
    """A nationality or relational adjective (cheap suffix test; the name must still be capitalised)."""
    return (_CUE_ADJ.fullmatch(word) is not None or _HYPHEN_ADJ.match(word) is not None) and word not in _NOT_ADJ


_NOT_ADJ = frozenset("avait était serait aurait fait mais jamais désormais pourtant quand avant pendant durant "
                     "selon dernier dernière premier première".split())
_UNIT_HEADS = frozenset("ministère secrétariat".split())
# acronyms of bodies that exist per région ("ARS Normandie" is that région's agency, unlike "CGT Bretagne")
_REGIONAL_BODIES = frozenset(("ARS", "CCI", "Crous", "CHU"))
# brands whose regional editions are named "<brand> <région>": the région is part of a title, not a place mention
_BRAND_BRANCHES = frozenset(("France Bleu", "France 3", "BFMTV", "Actu.fr", "France Télévisions", "RTL", "Radio France"))
# a brand right after one of these nouns names a product, not the firm acting (the gold annotates only the latter),
# unless an org cue comes just before ("le fabricant de téléphones Xiaomi")
_PRODUCT_NOUNS = frozenset("""voiture voitures véhicule véhicules berline berlines citadine citadines moto motos
    scooter scooters camion camions smartphone smartphones téléphone téléphones ordinateur
    ordinateurs tablette tablettes montre montres console consoles meuble meubles sac sacs chaussures baskets
    lait laits yaourt yaourts biscuits cigarettes appareil appareils modèle modèles""".split())
_GENERIC_PLACE_NAMES = frozenset("cours pont port col fort palais château".split())
# heads of places never named after a person (unlike "rue Jean-Jaurès"): a first name after them is someone's
_NATURAL_HEADS = frozenset("mer océan fort port plateau golfe détroit massif baie anse col vallée forêt lac".split())


@dataclass(slots=True)
class _Tok:
    text: str
    kind: str  # word | hon | punct
    start: int
    end: int
    cap: bool = False
    sent: bool = False  # first word of a sentence
    conn: bool = False
    key: str = ""


_SENT_END = frozenset(".!?…:;«»\"“”\n|—–")
_WORD_INFO: dict[str, tuple[bool, bool, str, bool]] = {}
_WORD_INFO_MAX = 200_000


def _word_info(w: str) -> tuple[bool, bool, str, bool]:
    """(cap, conn, key, in capitals) of a word token, cached: most words recur from article to article."""
    info = _WORD_INFO.get(w)
    if info is None:
        low = w.lower()
        cap = w[:1].isupper() and not _HYPHEN_ADJ.search(w)
        conn = low in CONNECTORS
        info = (cap, conn, norm_key(w) if cap or conn else low, w.isupper())
        if len(_WORD_INFO) >= _WORD_INFO_MAX:
            _WORD_INFO.clear()
        _WORD_INFO[w] = info
    return info


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    append = toks.append
    info_of = _WORD_INFO.get
    sent = True
    run = 0  # words in capitals in a row, the last tokens appended: three or more are a heading
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        upper = False
        if kind == "word":
            w = m.group()
            if "'" in w or "’" in w:
                e = _ELISION.match(w)
                if e and len(e.group(2)) > 1:
                    el = e.group(1) + "'"
                    low = el.lower()
                    tok = _Tok(el, "word", start, start + len(el), el[0].isupper(), sent, low == "d'", low)
                    sent = False
                    if el.isupper():
                        run += 1
                    else:
                        run = _end_run(toks, run, tok)
                    append(tok)
                    w = e.group(2)
                    start += len(el)
                if w[-1] in "'’":
                    w = w.rstrip("'’")
            info = info_of(w) or _word_info(w)
            tok = _Tok(w, "word", start, start + len(w), info[0], sent, info[1], info[2])
            sent = False
            upper = info[3]
        elif kind == "punct":
            tok = _Tok(m.group(), "punct", start, end)
            if tok.text in _SENT_END:
                sent = True
        else:
            tok = _Tok(m.group().rstrip("."), "hon", start, end)
        if upper:
            run += 1
        elif run:
            run = _end_run(toks, run, tok)
        append(tok)
    _end_run(toks, run, None)
    return toks


def _end_run(toks: list[_Tok], run: int, after: _Tok | None) -> int:
    """Ends a run of ``run`` words in capitals (the last tokens of ``toks``): three or more are a heading
    ("ÉDOUARD PHILIPPE À MATIGNON"), not names, and the token after them starts a sentence ("MINISTRES - Le
    ministre a dit")."""
    if run >= 3:
        for u in toks[len(toks) - run:]:
            u.cap = False
        if after is not None:
            after.sent = True
    return 0


def _is_acronym(w: str) -> bool:
    letters = [c for c in w if c.isalpha()]
    return 2 <= len(w) <= 9 and len(letters) >= 2 and all(c.isupper() for c in letters) and not _ROMAN.match(w)


class BuiltinExtractor:
    """French rules + gazetteers; picklable, data loaded lazily once per process."""

    name = "builtin"

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return (BuiltinExtractor, ())

    def extract(self, title: str, body: str) -> Entities:
        return finalize(self.mentions(title, body), clean=True)

    # -- mentions -------------------------------------------------------------------------------
    def mentions(self, title: str, body: str) -> list[tuple[str, str]]:
        gaz = load()
        names = gaz.names
        self._article_names: dict[int, str] = {}
        text = (title.strip() + "\n" + body) if title else body
        text = _GLUE.sub(r"\1 ", text.replace("\u00a0", " ").replace("\u202f", " "))
        if _GLUE_CAPS_HINT.search(text):
            text = _GLUE_CAPS.sub(r"\1 \2", text)
        text = _GLUE_CREDIT.sub(_unglue_credit, text)
        found: list[tuple[int, str, str]] = []  # (position, kind, name)
        consumed: list[tuple[int, int]] = []

        for m in _LOWER_ORG.finditer(text):
            head = m.group("head")
            name = m.group("name")
            parts = name.split(" ")
            if head == "fondation" and m.group("prep"):
                continue  # "la fondation de Hollande": his foundation (Fondation de France is in the gazetteer)
            if len(parts) > 1 and is_firstname(parts[0]) and head != "fondation":
                continue  # "le conseil départemental Mathieu Klein": a person after a generic head
            for q in range(1, len(parts)):
                if parts[q][:1].isupper() and is_firstname(parts[q]):
                    name = " ".join(parts[:q])
                    break
            end_org = m.start("name") + len(name)
            if head in ("CGT", "CFDT", "FSU", "FO", "Unsa", "SNCF"):  # a section of the national org
                if not m.group("prep") and " " in name and not name.rsplit(" ", 1)[1][:1].isupper():
                    name = name.rsplit(" ", 1)[0]  # "CGT Seine-Maritime appelle": the verb is not in the name
                found.append((m.start(), "org", head))
                found.append((m.start("name"), "place", name))
                consumed.append((m.start(), end_org))
                continue
            if head == "éditions" and (m.group("prep") or norm_key(name) in names):
                continue  # "éditions du Seuil": the publisher's own name (Le Seuil) is found by the gazetteer
            if head == "mairie" and _ELECTORAL.search(text, max(0, m.start() - 60), m.start()) or \
                    _INDEFINITE.search(text, max(0, m.start() - 12), m.start()):
                # "candidate à la mairie de Paris": an office; "dans un hôpital de Bergame": not one named body
                found.append((m.start("name"), "place", name))
                consumed.append((m.start(), end_org))
                continue
            found.append((m.start(), "org", text[m.start() : end_org]))
            if head not in _UNIT_HEADS and (m.group("prep") or norm_key(name) in gaz.regions):  # ARS Normandie
                found.append((m.start("name"), "place", name))
            consumed.append((m.start(), end_org))
        if "équipe de France" in text:
            for m in _NATIONAL_TEAM.finditer(text):  # national teams are orgs (équipe de France de football)
                found.append((m.start(), "org", m.group()))
                found.append((m.start() + 10, "place", "France"))
                consumed.append((m.start(), m.end()))
        for quote in _QUOTE_OPEN.finditer(text):
            # a quoted name after a group noun: the group's name, whatever its words ('le collectif "Laissons les
            # médecins prescrire"', 'le Comité « Vérité et justice pour les victimes »')
            group = _GROUP_BEFORE.search(text, max(0, quote.start() - 40), quote.start())
            quoted = _QUOTED_NAME.match(text, quote.start()) if group else None
            if group and quoted and len(quoted.group("name").split()) <= 10 \
                    and not any(a <= group.start() < b for a, b in consumed):
                found.append((quoted.start("name"), "org", quoted.group("name")))
                consumed.append((group.start(), quoted.end()))
        for m in _PLACE_HEAD.finditer(text):
            if any(a <= m.start() < b for a, b in consumed):
                continue
            head = m.group("head")
            name = m.group("name")
            if head in ("gare", "aéroport", "stade", "palais", "château", "église", "cathédrale", "basilique"):
                continue  # too often a nested city name: leave to the chain rules
            if head in _GENERIC_PLACE_NAMES and not m.group("prep") or head in _NATURAL_HEADS and is_firstname(
                    name.split(" ")[0]):
                continue  # "les sauveteurs en mer Dimitri Moulic", "le fort d'Emmanuel Macron"
            found.append((m.start(), "place", m.group()))
            consumed.append((m.start(), m.end()))
        for m in _PAIR_HYPHEN.finditer(text):  # "un Paris-Marseille", "le Lyon-Turin": two places
            left = _PAIR_LEFT.search(text, max(0, m.start() - 40), m.start())
            if left is None:
                continue
            a, b = left.group(), m.group(1)
            if norm_key(a + "-" + b) not in names and all(names.get(norm_key(x), ("",))[0] == "place" for x in (a, b)):
                found.append((left.start(), "place", a))
                found.append((m.start(1), "place", b))
                consumed.append((left.start(), m.end()))
        for m in _ARROND.finditer(text) if "arrondissement" in text else ():
            found.append((m.start(), "place", m.group()))
            consumed.append((m.start(), m.end()))
        for m in _ORGCAP.finditer(text):
            if any(a <= m.start() < b for a, b in consumed):
                continue
            phrase = m.group()
            # cut before a first name (Conseil constitutionnel Laurent Fabius)
            words = phrase.split(" ")
            for i in range(2 if words[0] in _NAMED_AFTER else 1, len(words)):
                if words[i][:1].isupper() and is_firstname(words[i]) and norm_key(" ".join(words[: i + 1])) not in names:
                    words = words[:i]
                    break
            while words and (words[-1] in ("de", "du", "des", "la", "et", "en", "pour", "sur", "contre", "le", "les")
                             or words[-1].endswith("'")):
                words.pop()
            if len(words) < 2 or " ".join(words).lower() in _TITLES_AS_BODIES:
                continue
            words = _gazetteer_extension(text, m.start(), words, names)
            phrase = " ".join(words)
            at_start = m.start() == 0 or text[max(0, m.start() - 2) : m.start()].strip() in (".", "!", "?", "\n", "«", '"', "")
            if at_start and len(words) < 3 and not any(w[:1].isupper() for w in words[1:]):
                continue
            found.append((m.start(), "org", phrase))
            consumed.append((m.start(), m.start() + len(phrase)))
            # nested place (Agence régionale de santé d'Île-de-France)
            for w in words[1:]:
                hit = names.get(norm_key(w.split("'")[-1]))
                if hit and hit[0] == "place":
                    found.append((m.start() + 1, "place", w.split("'")[-1]))

        last = 0
        for m in gaz.lower_start.finditer(text):  # names that run in lowercase (franceinfo,
            for form in gaz.lower_names[m.group()] if m.start() >= last else ():  # parquet national financier)
                end = m.start() + len(form)
                if text.startswith(form, m.start()) and not text[end : end + 1].isalnum() and \
                        not any(a <= m.start() < b for a, b in consumed):  # not "Caisse nationale d'assurance maladie"
                    found.append((m.start(), "org", form))
                    last = end
                    break

        toks = _tokenize(text)
        if consumed:
            consumed.sort()
            starts = [a for a, _ in consumed]
            kept = []
            for t in toks:
                q = bisect.bisect_right(starts, t.start) - 1
                if q < 0 or t.start >= consumed[q][1]:
                    kept.append(t)
            toks = kept
        n = len(toks)
        segments: list[tuple[int, int, str | None]] = []  # token span, kind if known
        i = 0
        while i < n:
            t = toks[i]
            if t.kind != "word" or not t.cap or (t.conn and (t.sent or i + 1 >= n or not toks[i + 1].cap)):
                i += 1
                continue
            # build a chain of capitalised words joined by particles
            j = i + 1
            last = i
            while j < n:
                u = toks[j]
                if u.kind != "word":
                    break
                if u.cap and not u.conn:
                    last = j
                    j += 1
                    continue
                if u.conn or u.text in ("de", "la", "l'"):
                    j += 1
                    continue
                break
            end = last + 1
            if i > 0 and toks[i - 1].text.isdigit() and len(toks[i - 1].text) <= 2 \
                    and norm_key(toks[i - 1].text + " " + t.text) in names:
                i -= 1  # 20 Minutes, 60 Millions de consommateurs
            # France 3, Europe 1, Télé 2 Semaines
            if end + 1 < n and toks[end].text.isdigit() and len(toks[end].text) <= 2 and toks[end + 1].cap \
                    and norm_key(" ".join(t.text for t in toks[end - 1 : end + 2])) in names:
                end += 2
            elif (end < n and toks[end].kind == "word" and toks[end].text.isdigit() and len(toks[end].text) <= 2
                    and norm_key(toks[end - 1].text + " " + toks[end].text) in names):
                end += 1
                while end < n and toks[end].kind == "word" and toks[end].cap and not toks[end].conn:
                    end += 1  # its regional edition ("France 3 Occitanie"), split again by _segment
            # "l'association Innocence en danger," : a lowercase complement ends the name of an association
            if (i > 0 and toks[i - 1].key in _ASSOC_CUES and end + 1 < n and toks[end].text in _ASSOC_PREPS
                    and toks[end + 1].kind == "word" and not toks[end + 1].cap and len(toks[end + 1].text) > 2
                    and toks[end + 1].text.isalpha() and (end + 2 >= n or toks[end + 2].kind == "punct")):
                segments.append((i, end + 2, "org"))
                i = end + 2
                continue
            tails = _name_tails()
            for s0 in range(max(i, end - 3), end) if end < n and toks[end].kind == "word" and not toks[end].cap \
                    and (_folded(toks[end]) in tails or end + 1 < n and _folded(toks[end + 1]).rsplit(" ", 1)[-1] in tails) else ():
                for extra in (2, 1):
                    if end + extra <= n and all(t.kind == "word" for t in toks[end : end + extra]) and \
                            " ".join(t.key for t in toks[s0 : end + extra]).replace("' ", "'") in names:
                        end += extra
                        break
                else:
                    continue
                break
            self._segment(toks, i, end, segments)
            i = end

        # classify segments
        persons_tokens: set[str] = set()
        person_end: set[int] = set()  # token index just after a name classified as a person
        pending: list[tuple[int, int, int]] = []  # (pos, i, j) unknown single words
        classified: list[tuple[int, str, str]] = []
        orgs_at: set[int] = set()  # first and last token of each span classified as an org
        for i, j, kind in segments:
            span = toks[i:j]
            surface = self._surface(text, span)
            if kind is not None:
                classified.append((span[0].start, kind, self._article_names.get(span[0].start, surface)))
                if kind == "org":
                    orgs_at.update((i, j - 1))
                continue
            k = self._classify(toks, i, j, gaz)
            if k == "?":
                pending.append((span[0].start, i, j))
                continue
            if k:
                classified.append((span[0].start, k, surface))
                if k == "org":
                    orgs_at.update((i, j - 1))
                if k == "person":
                    person_end.add(j)
                    for tok in span:
                        if not tok.conn:
                            persons_tokens.add(fold(tok.text))
        # a surname seen alone elsewhere ("Pierre Zorn ... Zorn a dit") makes an unknown "X Zorn" a person
        alone: set[str] = {toks[i].key for i, j, _ in segments if j - i == 1}
        unresolved: list[tuple[int, int]] = []  # (pos, token index) single words no rule settled
        pending.sort(key=lambda p: p[1] - p[2])  # multi-word first: they teach the single words
        for pos, i, j in pending:
            span = toks[i:j]
            content = [w for w in span if not w.conn]
            coordinated = len(content) > 1 and i >= 2 and toks[i - 1].text in ("et", "ou", ",") and i - 1 in person_end
            if coordinated or all(fold(w.text) in persons_tokens for w in content) or (
                    len(content) > 1 and content[-1].key in alone and not content[-1].sent):
                classified.append((pos, "person", self._surface(text, span)))
                for tok in content:
                    persons_tokens.add(fold(tok.text))
                continue
            k = self._weak(toks, i, j, gaz)
            if k:
                classified.append((pos, k, self._surface(text, span)))
                if k == "org":
                    orgs_at.update((i, j - 1))
            elif j - i == 1:
                unresolved.append((pos, i))
        # a single unknown word listed among organisations is one too ("Amazon, Cdiscount, Ebay, Aliexpress et Wish")
        changed = True
        while changed and unresolved and orgs_at:
            changed = False
            for pos, i in list(unresolved):
                if toks[i].sent or toks[i].text.lower() in _ARTICLE_WORDS or _folded(toks[i]) in gaz.stopwords:
                    continue  # "Initialement, VW a prévu": a sentence's first word before a comma
                # two listed orgs next to it, on either side ("Orange et Lançon-de-Provence" is not a list of firms)
                listed = 0
                for step in (-1, 1):
                    for d in (1, 3):
                        if 0 <= i + step * (d + 1) < n and toks[i + step * d].text in (",", "et", "ou") \
                                and i + step * (d + 1) in orgs_at:
                            listed += 1
                        else:
                            break
                if listed >= 2:
                    classified.append((pos, "org", toks[i].text))
                    orgs_at.add(i)
                    unresolved.remove((pos, i))
                    changed = True
        found.extend(classified)
        found.sort(key=lambda x: x[0])
        found = _merge_bracketed_acronyms(text, found)
        return [(k, nm) for _, k, nm in found]

    @staticmethod
    def _surface(text: str, words: list[_Tok]) -> str:
        return text[words[0].start : words[-1].end]

    def _segment(self, toks: list[_Tok], i: int, end: int, out: list[tuple[int, int, str | None]]) -> None:
        gaz = load()
        names = gaz.names
        # drop sentence-initial function words / capitalised articles (Le, Selon, Pour...)
        while i < end and toks[i].sent and fold(toks[i].text) in gaz.stopwords:
            key = norm_key(" ".join(t.text for t in toks[i:end]))
            if key in names and end - i > 1:
                break
            if i + 1 < end:
                toks[i + 1].sent = True
            i += 1
        while i < end and toks[i].conn and not toks[i].cap:
            i += 1
        q = next((q for q in range(i + 1, end) if fold(toks[q].text) in _EN_ORG_WORDS), 0)
        if q and not is_firstname(toks[i].text) and not toks[q].text.isupper() \
                and norm_key(" ".join(t.text for t in toks[i:end])) not in names:
            # "Southern California Timing Association", "(Diplômé du) Royal College of Art (de London)": the
            # capitalised words and English "of" around the body word
            a, b = q, q + 1
            while a > i and toks[a - 1].cap and not toks[a - 1].conn:
                a -= 1
            while b < end and (toks[b].cap and not toks[b].conn or toks[b].text == "of" and b + 1 < end):
                b += 1
            if b - a > 1:
                if i < a:
                    self._segment(toks, i, a, out)
                out.append((a, b, "org"))
                if b < end:
                    self._segment(toks, b, end, out)
                return
        k = i
        span_start = i
        while k < end:
            if toks[k].conn:
                k += 1
                continue
            # longest gazetteer match from k (also "du Figaro" -> Le Figaro, "la Voix du Nord")
            match = 0
            matched_key = ""
            prev_art = k > 0 and toks[k - 1].kind == "word" and toks[k - 1].key in _ARTICLES_BEFORE
            for m in range(min(end, k + gaz.max_tokens), k, -1):
                if toks[m - 1].conn:
                    continue
                key = " ".join(t.key for t in toks[k:m]).replace("' ", "'")
                if key in names:
                    match, matched_key = m, key
                    break
                if prev_art:
                    for art in ("le ", "la ", "les ", "l'"):
                        if art + key in names:
                            match, matched_key = m, art + key
                            break
                    if match:
                        break
            # a first name followed by a capitalised word: a person, not the city (Nancy Pelosi, Florence Parly)
            if match == k + 1 and k + 1 < end and is_firstname(toks[k].text) and not toks[k + 1].conn:
                match = 0
            elif match and match - k == 1 and len(toks[k].text) > 1 and k > span_start and (
                    is_firstname(toks[k - 1].text) and not toks[k - 1].conn
                    or match == end and is_firstname(toks[span_start].text)
                    and not any(t.conn for t in toks[span_start:k])):
                match = 0  # Jean Paris, Harrison Ford, Louis Lo Faro: a surname, not the city or the firm
            if match:
                if span_start < k:
                    self._unknown(toks, span_start, k, out)
                branch = self._branch(toks, match, end, gaz) if names[matched_key][0] == "org" else 0
                if branch:
                    # "Croix-Rouge Guyane", "France Bleu Alsace": a named branch is the org; "CGT Bretagne", "FCPE
                    # Île-de-France": an acronym's regional section is the national org, scoped by the place
                    surface = " ".join(t.text for t in toks[k:match])
                    acronym = _is_acronym(surface) and surface not in _REGIONAL_BODIES
                    out.append((k, match if acronym else branch, "org"))
                    if names[matched_key][1] not in _BRAND_BRANCHES:
                        out.append((match, branch, "place"))
                    k = span_start = branch
                    continue
                if names[matched_key][0] == "org" and k > 0 and toks[k - 1].kind == "word" \
                        and toks[k - 1].text.lower() in _PRODUCT_NOUNS \
                        and not any(t.text.lower() in ORG_CUES for t in toks[max(0, k - 4) : k - 1]):
                    # "une voiture Renault", "des meubles Ikea", "un modèle BMW M6": a product's brand and model
                    while match < end and (any(c.isdigit() for c in toks[match].text) or toks[match].cap
                                           and not is_firstname(toks[match].text) and toks[match].key not in names):
                        match += 1
                    k = span_start = match
                    continue
                if names[matched_key][0] == "org" and match < end and fold(toks[end - 1].text) in ORG_SUFFIXES \
                        and all(t.cap for t in toks[match:end]):
                    match = end  # "Volvo Cars", "Rolls-Royce Motor Cars": the firm's full name
                out.append((k, match, names[matched_key][0]))
                if names[matched_key][0] == "org":
                    # "Bugatti EB110", "Aston Martin DB11 Vantage": a model name after a maker is a product
                    while match < end and any(c.isdigit() for c in toks[match].text):
                        match += 1
                        while match < end and toks[match].cap and not is_firstname(toks[match].text):
                            match += 1
                if matched_key.split(" ", 1)[0] in ("le", "la", "les") or matched_key.startswith("l'"):
                    self._article_names[toks[k].start] = names[matched_key][1]
                k = match
                span_start = k
                continue
            # split before a first name that follows a non-first-name word (Intérieur Gérald Darmanin), also across
            # "de" when a surname follows (secrétariat d'Etat de Marlène Schiappa, les Bulls de Michael Jordan)
            if k > span_start and is_firstname(toks[k].text) and k + 1 < end and (
                    not toks[k - 1].conn and not is_firstname(toks[k - 1].text)
                    or toks[k - 1].conn and k - 2 >= span_start and not toks[k - 2].conn
                    and not is_firstname(toks[k - 2].text) and toks[k + 1].cap and not toks[k + 1].conn):
                self._unknown(toks, span_start, k, out)
                span_start = k
            k += 1
        if span_start < end:
            self._unknown(toks, span_start, end, out)

    @staticmethod
    def _branch(toks: list[_Tok], k: int, end: int, gaz: Gazetteer) -> int:
        """End of a French région/département written right after an org name in the same chain (its regional
        branch: "Croix-Rouge Guyane", "FSU Île-de-France"), else 0."""
        if k >= end or toks[k].conn:
            return 0
        for m in range(min(end, k + 4), k, -1):
            if not toks[m - 1].conn and " ".join(t.key for t in toks[k:m]).replace("' ", "'") in gaz.regions:
                return m
        return 0

    @staticmethod
    def _unknown(toks: list[_Tok], i: int, j: int, out: list[tuple[int, int, str | None]]) -> None:
        while j > i and toks[j - 1].conn:
            j -= 1
        while i < j and toks[i].conn and not toks[i].cap:
            i += 1
        if j - i > 2 and _is_acronym(toks[j - 1].text) and is_firstname(toks[i].text):
            out.append((i, j - 1, None))  # "Bruno Retailleau LR": a person, then his party
            out.append((j - 1, j, None))
        elif i < j:
            out.append((i, j, None))

    @staticmethod
    def _prev_words(toks: list[_Tok], i: int, limit: int = 7, quoted: bool = False) -> list[_Tok]:
        res: list[_Tok] = []
        k = i - 1
        if quoted:  # look through the opening quote of a quoted name ("membres des « Barjols »")
            if k >= 1 and toks[k].text in _OPEN_QUOTES:
                k -= 1
            elif k >= 2 and toks[k].text in ("le", "la", "les") and toks[k - 1].text in _OPEN_QUOTES:
                res.append(toks[k])
                k -= 2
            else:
                return []
        while k >= 0 and len(res) < limit:
            t = toks[k]
            if t.kind == "punct" and t.text not in (",", "(", ")"):
                break
            res.append(t)
            k -= 1
        return res

    @staticmethod
    def _left_cue(prev: list[_Tok]) -> str | None:
        """Kind implied by the words just before a name (nearest first in `prev`): "org" after a cue noun
        ("le quotidien en ligne X", "la marque X") or an org title + de ("dirigeant de X"), "place" after a
        place title + de ("maire de X"), "none" after a ministry-like title ("ministre de la Ville"), else None."""
        words = list(itertools.takewhile(lambda p: p.kind == "word", prev))  # up to a comma or bracket
        if not words:
            return None
        k = 0
        # coordination: "les quotidiens Reforma et El Universal" -> look before the first conjunct
        while k < len(words) and words[k].text in ("de", "du", "des", "d'", "l'", "la", "le", "les"):
            k += 1
        if k < len(words) - 1 and words[k].text in ("et", "ou") and words[k + 1].cap:
            k += 1
            while k < len(words) and (words[k].cap or words[k].conn and words[k].text[:1].isupper()):
                k += 1
        else:
            k = 0
        low = [w.text.lower() for w in words[k : k + 5]]
        if not low:
            return None
        if low[0] in ("de", "du", "des", "d'") or (low[0] in ("l'", "la") and len(low) > 1 and low[1] == "de"):
            q = 1 if low[0] != "l'" and low[0] != "la" else 2
            for t in low[q : q + 3]:
                if t in ("ministre", "ministres", "ministère", "secrétaire", "secrétariat", "état", "fête", "place"):
                    return "none" if t != "secrétaire" else ("none" if "état" in low[q : q + 4] else "org")
                if t in ORG_TITLES:
                    return "org"
                if t in PLACE_TITLES or t in PLACE_NOUNS:
                    return "place"
                if t in TITLE_CUES or not t.isalpha() or t in _ARTICLE_WORDS:
                    return None
            return None
        if low[0] in _NAMING or len(low) > 1 and low[0] in ("le", "la", "les") and low[1] in _NAMING:
            # "le groupuscule d'ultradroite baptisé « les Barjols »": the cue noun may sit a few words back
            return "org" if any(t in ORG_CUES for t in low[1:5]) else None
        # "la société de restauration d'autoroute X", "la marque de vêtements X": a cue noun and its complement
        cue_at = next((c for c, t in enumerate(low[:5]) if t in _FIRM_CUES), None)
        if cue_at is not None and cue_at >= 2 and low[cue_at - 1] in ("de", "d'", "du", "des") \
                and all(t.isalpha() and t.islower() or t in ("d'", "l'") for t in low[:cue_at]):
            return "org"
        for t in low[:3]:
            if t in ORG_CUES:
                return "org"
            if t not in _CUE_FILLERS and not _is_cue_adjective(t):
                return None
        return None

    def _cue(self, toks: list[_Tok], i: int, prev: list[_Tok]) -> str | None:
        """_left_cue, or "org" for a quoted name after an org cue (only org: a quoted title after "à" or a
        person title is a work or a list, not a place or a person)."""
        cue = self._left_cue(prev)
        if cue is None and len(prev) <= 1:
            quoted = self._prev_words(toks, i, quoted=True)
            if quoted and self._left_cue(quoted) == "org":
                return "org"
        return cue

    def _classify(self, toks: list[_Tok], i: int, j: int, gaz) -> str | None:  # type: ignore[no-untyped-def]
        words = [t for t in toks[i:j]]
        first = words[0]
        f = fold(first.text)
        content = [w for w in words if not w.conn]
        prev = self._prev_words(toks, i)
        p1 = prev[0] if prev else None
        after_article = p1 is not None and p1.kind == "word" and p1.text in ("le", "la", "les", "l'", "un", "une")
        if len(content) == 1:
            w = first.text
            if f in gaz.nonentities or f in gaz.demonyms or (first.sent and f in gaz.stopwords):
                return None
            if _ROAD.match(w):
                return "place"
            if p1 is not None and p1.kind == "hon":
                return "person"
            cue = self._cue(toks, i, prev)
            if _is_acronym(w):
                if f in gaz.acronym_stop:
                    return None
                return "org" if len(w) <= 6 or cue == "org" else None
            if cue in ("org", "place"):
                return cue
            if f in gaz.surnames and not after_article:
                return "person"  # "Sarkozy a dit", "selon Merkel": someone the news often names in full
            if is_firstname(w) and not first.sent and not after_article and cue is None:
                return "person"
            if p1 is not None and p1.kind == "word" and fold(p1.text) in HONORIFICS:
                return "person"
            if cue is None and not after_article and _title_before(prev[:6]):
                return "person"
            return "?"
        # multi-word
        if f in gaz.demonyms:
            return None
        if p1 is not None and (p1.kind == "hon" or fold(p1.text) in HONORIFICS):
            return "person"
        last = fold(content[-1].text.rstrip("."))
        if last in ORG_SUFFIXES or f in ORG_PREFIXES or any(fold(w.text) in _EN_ORG_WORDS for w in content):
            return "org"
        if is_firstname(first.text) and not after_article:
            return "person"
        cue = self._cue(toks, i, prev)
        if cue in ("org", "place"):
            return cue
        if cue is None and not after_article and any(p.kind == "word" and p.text.lower() in TITLE_CUES for p in prev[:6]):
            return "person"
        if p1 is not None and p1.kind == "word" and p1.text.lower() in PLACE_PREPS:
            return "place"
        if all(w.text[:1].isupper() and w.text.replace("-", "").replace("'", "").isalpha() for w in content) \
                and len(content) <= 3 and not any(_is_acronym(w.text) for w in content):
            if any(fold(w.text) in gaz.nonentities or fold(w.text) in gaz.stopwords for w in content):
                return None
            return "?"  # person only with more evidence: a second mention of the surname (see mentions)
        return None

    def _weak(self, toks: list[_Tok], i: int, j: int, gaz) -> str | None:  # type: ignore[no-untyped-def]
        first = toks[i]
        if _right_org_cue(toks, j):
            return "org"
        if j + 2 < len(toks) and toks[j].text == "(" and toks[j + 1].kind == "word" and toks[j + 1].cap:
            k = j + 1
            while k < len(toks) and toks[k].kind == "word" and k < j + 6:
                k += 1
            if k < len(toks) and toks[k].text == ")":
                hit = gaz.names.get(" ".join(t.key for t in toks[j + 1 : k]).replace("' ", "'"))
                if hit is not None and hit[0] == "place":
                    return "place"  # "Aubussargues (Gard)"
        prev = self._prev_words(toks, i)
        p1 = prev[0] if prev else None
        if i >= 2 and toks[i - 1].text in _OPEN_QUOTES:  # 'selon le "Daily Record"'
            k = i - 3 if toks[i - 2].text.lower() in ("le", "la", "l'", "les") else i - 2
            if k >= 0 and toks[k].text.lower() == "selon":
                return "org"
        if p1 is None or p1.kind != "word":
            return None
        w1 = p1.text.lower()
        if w1 in PLACE_PREPS and not first.sent:
            if w1 == "à" and len(prev) > 1 and _verb(prev[1].text) in SPEECH_VERBS:
                return "org"  # "a raconté à Ekathimerini"
            return "place"
        if (w1 == "selon" or _verb(w1) in SPEECH_VERBS and not first.sent) and fold(first.text) not in gaz.stopwords:
            # "selon Reforma", "rapporte Mediapart": a medium quoted by name alone; two or three unknown
            # capitalised words there are a person ("a expliqué Benoist Apparu")
            return "org" if j - i == 1 else "person"
        if w1 == "chez" and j - i == 1 and not first.sent:
            return "org"  # "chez Lidl", "chez Sotheby's" (a surname seen elsewhere was settled as a person before)
        if w1 == "par" and len(prev) > 1 and prev[1].text.lower().startswith("interrog"):
            return "org"
        return None


_BRACKET_ACR = re.compile(r"\(([" + _UP + r"](?:[" + _UP + r"0-9&-]{1,8}|[a-z]{2,5}))[),]")
# after an acronym, its name in brackets or in apposition ("le Ghef (Grand hôpital de l'Est francilien)", "l'APIB,
# l'Association des peuples indigènes du Brésil."); the acronym itself is read just before (anchoring the scan on
# the bracket or comma is 10x cheaper than on every capital)
_ACR_FOLLOWED = re.compile(r" \(([" + _UP + r"][^()\n]{5,120})\)|, (?:l['’]|la |le |les )([" + _UP
                           + r"][^()\n.,;:]{5,120})(?=[.,;:(])")
_ACR_BEFORE = re.compile(r"\b([" + _UP + r"](?:[" + _UP + r"0-9&-]{1,8}|[a-z]{2,5}))$")
_SPELL_WORDS = re.compile(r"[\w-]+['’]?")
# words an acronym skips ("Office central de lutte contre les atteintes à l'environnement" -> OCLAE...)
_SPELL_GLUE = frozenset("de du des d' l' la le les et a au aux pour sur contre en of and the for".split())  # folded


# lowercase nouns that open the written-out name of a public body ("office central de lutte ...", "peloton de
# gendarmerie de haute montagne")
_INSTITUTIONS = frozenset(fold(h) for h in ORG_HEADS.lower().replace(" ", "|").split("|")) | frozenset(
    "sous-direction peloton surete mission groupement etablissement assistance syndicat".split())


def _spelled_out(text: str, end: int, acronym: str) -> tuple[int, str] | None:
    """The words just before "(ACRONYM)" whose initials spell it, right to left (one extra word allowed: "Radio
    télévision libre des Mille collines (RTLM)"): (start, name), or None. The first word must open the name (a
    capital, or an article before it), and a first name there means a person with a party label (Laurent Rigaud
    (LR)), not an organisation."""
    letters = [c for c in fold(acronym) if c.isalpha()]
    window = max(0, end - 200)
    tail = text[window:end].rstrip(' "»”')
    begin = window + max(tail.rfind(c) for c in "().;:!?«»\n") + 1  # the name does not cross punctuation
    words = list(_SPELL_WORDS.finditer(text, begin, end))
    if not words or text[words[-1].end() : end].strip(' "»”'):
        return None
    k, skipped, content = len(letters) - 1, 0, 0
    for q in range(len(words) - 1, -1, -1):
        word = words[q].group()
        low = fold(word.replace("’", "'"))
        if low in _SPELL_GLUE:
            continue
        parts = low.split("-")
        for part in reversed(parts):
            content += 1
            if k >= 0 and part[:1] == letters[k]:
                k -= 1
            elif skipped or q == len(words) - 1 and not acronym.isupper() or len(parts) > 1:
                return None
            elif q == len(words) - 1 and q > 0 and fold(words[q - 1].group()) in _SPELL_GLUE:
                return None  # "liste Europe Écologie-Les Verts aux européennes (EELV)": a complement, not the name
            else:
                skipped += 1
        if k < 0:
            opened = word[0].isupper() or q > 0 and fold(words[q - 1].group().replace("’", "'")) in _ARTICLE_WORDS
            if not opened or is_firstname(word) or content < 2 or not acronym.isupper() and skipped:
                return None
            if word[0].islower() and low not in _INSTITUTIONS:
                return None  # "plan d'épargne en actions (PEA)": a lowercase name must start with a body's noun
            if all(w.group()[0].isupper() for w in words[q:]) and content < 3:
                return None
            return words[q].start(), text[words[q].start() : words[-1].end()]
    return None


def _merge_bracketed_acronyms(text: str, found: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """"Institut du monde arabe (IMA)": the text links the acronym to the full name just before it, so the
    acronym is the same organisation (one entity, under the full name), wherever it appears in the article. When
    the rules found no organisation there, the name is the words that spell the acronym."""
    orgs = [(pos, nm) for pos, k, nm in found if k == "org"]
    alias: dict[str, str] = {}
    for m in _BRACKET_ACR.finditer(text):
        acr = m.group(1)
        before = [(pos, nm) for pos, nm in orgs if pos < m.start() and pos + len(nm) >= m.start() - 2]
        spelled = None if fold(acr) in load().acronym_stop else _spelled_out(text, m.start(), acr)
        if spelled is not None and (not before or spelled[0] <= before[-1][0]):
            start, full = spelled  # also the whole name where the rules stopped short ("Agence américaine | antidopage")
            found = [f for f in found if f[1] == "place" or not start <= f[0] < m.start()] + [(start, "org", full)]
            alias[acr] = full
            continue
        if not before:
            continue
        full = before[-1][1]
        initials = "".join(w[0] for w in re.split(r"[\s'’-]+", full)
                           if w and (w[0].isupper() or w.lower() not in CONNECTORS and w.lower() not in _ARTICLE_WORDS))
        if " " in full and initials.upper().startswith(acr.replace("-", "")[:2]):
            alias[acr] = full
    for m in _ACR_FOLLOWED.finditer(text):  # the other way round: the acronym, then its name
        a = _ACR_BEFORE.search(text, max(0, m.start() - 12), m.start())
        if a is None:
            continue
        acr, g = a.group(1), 1 if m.group(1) is not None else 2
        inner = m.group(g)
        spelled = None if fold(acr) in load().acronym_stop else _spelled_out(inner, len(inner), acr)
        if spelled is not None and spelled[0] == 0:
            start = m.start(g)
            found = [f for f in found if f[1] == "place" or not start <= f[0] < m.end(g)] + [(start, "org", inner)]
            alias[acr] = inner
    if not alias:
        return found
    return sorted(((pos, k, alias.get(nm, nm) if k == "org" else nm) for pos, k, nm in found), key=lambda f: f[0])


_NEXT_WORDS = re.compile(r"[^\s,.;:!?()«»\"“”]+")


def _gazetteer_extension(text: str, start: int, words: list[str], names: dict[str, tuple[str, str]]) -> list[str]:
    """The capitalised-head rule stops at a bare lowercase noun or an "et" + adjective ("Caisse nationale
    d'assurance | maladie", "Comité national olympique | et sportif français"): a known organisation that starts
    where the match starts and runs a few words further is the name (longest first)."""
    pos = start + len(" ".join(words))
    more: list[str] = []
    for w in _NEXT_WORDS.finditer(text, pos, min(len(text), pos + 60)):
        if text[pos : w.start()] != " ":
            break
        more.append(w.group())
        pos = w.end()
        if len(more) == 4:
            break
    for k in range(len(more), 0, -1):
        if more[k - 1].lower() in CONNECTORS:
            continue
        hit = names.get(norm_key(" ".join(words + more[:k])))
        if hit is not None and hit[0] == "org":
            return words + more[:k]
    return words


def _folded(tok: _Tok) -> str:
    """Fold a lowercase word's key in place, like the gazetteer's ("frontières" -> "frontieres"), only when a
    chain may end with it (folding every word in _tokenize costs ~0.1 ms/article)."""
    if not tok.key.isascii():
        tok.key = fold(tok.key)
    return tok.key


@lru_cache(maxsize=1)
def _name_tails() -> frozenset[str]:
    """Last words of multi-word gazetteer names: a lowercase word after a chain may end one (France inter)."""
    return frozenset(key.rsplit(" ", 1)[1] for key in load().names if " " in key)


# words after a name that make it a firm: "Lubrizol, l'usine classée", "X, le géant américain de ...", "X a racheté"
_APPOSITION_CUES = ORG_CUES | frozenset("géant leader spécialiste numéro fabricant éditeur exploitant propriétaire "
                                        "organisateur équipementier sous-traitant maison-mère usine usines".split())
_FIRM_VERBS = frozenset("rachète racheté rachèterait emploie licencie licencié commercialise commercialisé "
                        "fabrique fabriqué recrute embauche embauché délocalise délocalisé".split())


def _right_org_cue(toks: list[_Tok], j: int) -> bool:
    """An unknown name followed by an appositive org noun (", le groupe", ", filiale de", ", le géant américain")
    or by a verb only firms take ("a racheté", "emploie", "licencie"): an organisation, with no cue before it."""
    n = len(toks)
    if j + 1 >= n:
        return False
    t = toks[j]
    if t.text == "," and toks[j + 1].kind == "word":
        k = j + 1
        if toks[k].text.lower() in ("le", "la", "l'", "un", "une", "les") and k + 1 < n:
            k += 1
        w = toks[k].text.lower()
        return w in _APPOSITION_CUES and toks[k].kind == "word" and (k > j + 1 or w in ("filiale", "leader", "numéro"))
    if t.kind != "word":
        return False
    w = t.text.lower()
    if w in ("a", "avait", "aurait", "ont") and toks[j + 1].kind == "word":
        w = toks[j + 1].text.lower()
    return w in _FIRM_VERBS


def _title_before(prev: list[_Tok]) -> bool:
    """A title cue just before a single name, with no "de X" in between (le président Macron, not
    le patron de l'Intermarché de Villemagne)."""
    for p in prev:
        if p.kind != "word":
            continue
        low = p.text.lower()
        if low in TITLE_CUES:
            return True
        if low in ("de", "du", "des", "d'", "à", "au", "aux", "pour", "par", "avec", "et", "chez") or p.cap:
            return False
    return False


def _verb(word: str) -> str:
    """Speech verb without an inverted pronoun (raconte-t-il -> raconte)."""
    low = word.lower()
    for suffix in ("-t-il", "-t-elle", "-t-on", "-il", "-elle", "-ils", "-elles"):
        if low.endswith(suffix):
            return low[: -len(suffix)]
    return low
