"""French vocabulary of the synthetic wiki: names, circles, missions, projects and prose."""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Alice", "Bruno", "Camille", "David", "Élodie", "François", "Gaëlle", "Hélène", "Inès",
    "Julien", "Karim", "Léa", "Mathieu", "Nadia", "Olivier", "Pauline", "Quentin", "Rachida",
    "Sébastien", "Thérèse", "Ulysse", "Valérie", "William", "Yasmine", "Zoé", "Amandine",
    "Benoît", "Chloé", "Damien", "Estelle", "Fabien", "Gérald", "Héloïse", "Ibrahim", "Jeanne",
    "Kevin", "Lucie", "Maël", "Noémie", "Océane",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Lefèvre", "Durand", "Nguyen", "Fontaine", "Petit", "Moreau", "Benali", "Roux",
    "Haddad", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Garnier", "Faure", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
    "Fontaine", "Rolland", "Leroy", "Chevalier", "Masson", "Sanchez", "Boyer", "Denis", "Lemaire",
)  # fmt: skip
THEMES = (
    "Numérique", "Accompagnement", "Administratif-Comptable", "Animation", "Communication",
    "Formation", "Juridique", "Gouvernance", "Accueil", "Événements", "Finances", "Écologie",
    "Partenariats", "Recrutement", "Vie coopérative", "Documentation", "Locaux", "Solidarité",
    "Recherche", "International",
)  # fmt: skip
PLACES = (
    "Lyon", "Grenoble", "Nantes", "Lille", "Toulouse", "Rennes", "Marseille", "Strasbourg",
    "Bordeaux", "Montpellier", "Dijon", "Besançon",
)  # fmt: skip
MISSIONS = (
    "Animation de l'atelier « bien utiliser le wiki »",
    "Relecture des comptes du trimestre avec l'expert-comptable",
    "Accueil et intégration de deux nouveaux entrepreneur·es",
    "Mise à jour des sauvegardes du serveur",
    "Préparation de l'assemblée générale",
    "Rédaction du compte rendu du cercle d'orientation",
    "Permanence d'accompagnement du mardi",
    "Formation express aux outils de visioconférence",
    "Refonte de la page d'accueil du site vitrine",
    "Suivi des adhésions et relances",
    "Organisation du séminaire de printemps",
    "Tenue du stand au forum de l'économie sociale et solidaire",
    "Veille juridique sur le statut d'entrepreneur-salarié",
    "Traduction de la charte en anglais",
    "Mentorat d'une porteuse de projet en test",
    "Inventaire du matériel partagé",
    "Rédaction de la lettre d'information mensuelle",
    "Préparation du budget prévisionnel",
    "Facilitation de la réunion plénière",
    "Mise en place d'un tableau de suivi des missions",
)
PROJECT_IDEAS = (
    "Vélo cargo partagé", "Matériel de visioconférence", "Fonds de solidarité",
    "Formation collective à la facilitation", "Hébergement libre de nos outils",
    "Refonte du livret d'accueil", "Séminaire annuel", "Podcast des entrepreneur·es",
    "Accessibilité du site web", "Caisse de défraiement", "Bibliothèque partagée",
    "Atelier de réparation", "Jardin partagé", "Studio photo mutualisé", "Permanence juridique",
    "Traduction du wiki", "Café coopératif", "Imprimante 3D", "Salle de sieste",
    "Voyage d'étude", "Cartographie des savoir-faire", "Journée portes ouvertes",
)  # fmt: skip
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
SENTENCES = (
    "Je note ici ce que je fais pour la coopérative, au fil de l'eau.",
    "Ce trimestre a surtout été occupé par le cercle {cercle}.",
    "Merci à {membre} pour le coup de main en {mois}.",
    "Les heures ci-dessous ont été validées avec les référent·es du cercle {cercle}.",
    "J'ai demandé un peu plus que le plafond : la préparation m'a pris du temps "
    "que je n'ai pas compté dans les heures.",
    "On en a discuté au cercle {cercle} le {jour} {mois}, rien à redire.",
    "Pour les détails, voir le compte rendu sur [[Cercle {cercle}]].",
    "La mission « {mission} » se poursuit jusqu'à la fin de l'année.",
    "{membre} prendra le relais pendant mes congés de {mois}.",
    "Je reste disponible pour en parler lors de la prochaine plénière.",
    "Les montants sont indicatifs : à revoir ensemble en fin d'exercice.",
    "Certaines tâches ont été faites bénévolement, elles sont notées comme telles.",
    "Tout ce qui concerne {cercle} est aussi suivi sur le canal de discussion du cercle.",
    "En {mois}, la charge a été plus forte que prévu à cause de l'assemblée générale.",
)
HEADINGS = (
    "Missions", "Déclarations", "Suivi", "Notes", "Ce que j'ai fait", "Début du trimestre",
    "Fin du trimestre", "Au fil de l'eau", "Pour le cercle",
)  # fmt: skip


def member_names(count: int, rng: random.Random) -> list[str]:
    """COUNT distinct French full names, in a shuffled but reproducible order."""
    names = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES]
    names = list(dict.fromkeys(names))
    if count > len(names):
        raise ValueError(f"at most {len(names)} members")
    rng.shuffle(names)
    return names[:count]


def circle_names(count: int) -> list[str]:
    """COUNT distinct circle names: the themes first, then themes per place."""
    names = list(THEMES)
    names += [f"{theme} {place}" for place in PLACES for theme in THEMES]
    return names[:count]


def project_titles(count: int) -> list[str]:
    titles = list(PROJECT_IDEAS)
    titles += [f"{idea} ({place})" for place in PLACES for idea in PROJECT_IDEAS]
    titles += [f"{idea} no {n}" for n in range(2, 100) for idea in PROJECT_IDEAS]
    return titles[:count]


def paragraph(rng: random.Random, *, circles: list[str], members: list[str]) -> str:
    """One to four sentences of plausible prose around the declarations."""
    sentences = rng.sample(SENTENCES, rng.randint(1, 4))
    return " ".join(
        s.format(
            cercle=rng.choice(circles),
            membre=rng.choice(members),
            mois=rng.choice(MONTHS),
            jour=rng.randint(1, 28),
            mission=rng.choice(MISSIONS),
        )
        for s in sentences
    )
