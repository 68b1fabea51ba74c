"""Static checks of the `Modèle:` pages in wiki_templates/mediawiki against DESIGN §3."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import mwparserfromhell
import pytest

from ledger.name import fold
from parsers.card import KEY_FIELDS
from parsers.fields import FIELDS
from parsers.page import TemplateNames
from parsers.template import normalize_param_name

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "wiki_templates" / "mediawiki"
PRELOAD_DIR = TEMPLATE_DIR / "preload"

# DESIGN §3: every template's parameters, True when required (bold in the table).
# `Relevé` is not in the table: it takes no parameter.
CONTRACT: dict[str, dict[str, bool]] = {
    "Cercle": {"nom": True, "référents": False, "canal": False, "état": False},
    "Enveloppe cercle": {"cercle": True, "année": True, "montant": True, "taux horaire": False},
    "Contribution": {
        "contributeur": True,
        "cercle": True,
        "date": True,
        "heures": False,
        "montant": False,
        "mission": False,
        "statut": False,
    },
    "Cobudget": {
        "campagne": True,
        "enveloppe": False,
        "dotation": False,
        "participants": False,
        "ouverture": False,
        "clôture": False,
        "plafond par projet": False,
    },
    "Projet cobudget": {
        "campagne": True,
        "titre": True,
        "minimum": True,
        "maximum": False,
        "porteurs": False,
        "transversal": False,
        "statut": False,
    },
    "Soutien cobudget": {"campagne": True, "projet": True, "membre": True, "montant": True},
    "Relevé": {},
    "Clôture cercle": {
        "cercle": True,
        "année": True,
        "règle": True,
        "plancher": False,
        "date": False,
        "décision": False,
    },
}
CATEGORIES = {
    "Cercle": "Cercles",
    "Enveloppe cercle": "Enveloppes de cercle",
    "Contribution": "Déclarations de contribution",
    "Cobudget": "Campagnes cobudget",
    "Projet cobudget": "Projets cobudget",
    "Soutien cobudget": "Soutiens cobudget",
    "Relevé": "Relevés personnels",
    "Clôture cercle": "Clôtures de cercle",
}
DATA_PAGE_PLACEHOLDERS = {
    "Cercle": {
        "@@CONTRIBUTION_DATA_PAGE@@",
        "@@DECLARE_CONTRIBUTION_PAGE@@",
        "@@CONTRIBUTION_PRELOAD@@",
    },
    "Contribution": {"@@CARD_DATA_PAGE@@", "@@CARD_SHARDS@@"},
    "Projet cobudget": {"@@COBUDGET_DATA_PAGE@@", "@@DECLARE_PLEDGE_PAGE@@", "@@PLEDGE_PRELOAD@@"},
    "Soutien cobudget": {"@@CARD_DATA_PAGE@@", "@@CARD_SHARDS@@"},
}
# Closed sets of values: VisualEditor offers them in a menu.
SUGGESTED_VALUES = {
    ("Cercle", "état"): ["actif", "en sommeil"],
    ("Contribution", "statut"): ["déclarée", "validée", "versée", "refusée", "bénévole"],
    ("Projet cobudget", "transversal"): ["oui", "non"],
    ("Projet cobudget", "statut"): ["proposé", "annulé", "réalisé"],
    ("Clôture cercle", "règle"): ["prorata", "plafond horaire", "plancher", "égalitaire"],
}
TEMPLATEDATA_TYPES = {
    "unknown", "string", "number", "boolean", "date", "line", "content",
    "unbalanced-wikitext", "url", "wiki-page-name", "wiki-user-name", "wiki-file-name",
    "wiki-template-name",
}  # fmt: skip
FRENCH_WORDS = {"de", "du", "des", "le", "la", "les", "un", "une", "ou", "et", "en", "à", "au",
                "par", "pour", "sur", "sans", "qui"}  # fmt: skip
ENGLISH_WORDS = {"the", "of", "name", "amount", "year", "hours", "status", "user", "project",
                 "start", "end", "required", "optional"}  # fmt: skip
NAMES = sorted(CONTRACT)


def read(name: str) -> str:
    return (TEMPLATE_DIR / f"{name}.wiki").read_text(encoding="utf-8")


def block(text: str, tag: str) -> str:
    """The content of the single `<tag>…</tag>` block of `text`."""
    found: list[str] = re.findall(rf"<{tag}>(.*?)</{tag}>", text, flags=re.S)
    assert len(found) == 1, f"expected exactly one <{tag}> block, found {len(found)}"
    return found[0]


def templatedata(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(block(block(read(name), "noinclude"), "templatedata"))
    return data


def aliases_of(name: str) -> dict[str, str]:
    """Every alias of the template's parameters, mapped to its parameter."""
    params = templatedata(name)["params"]
    return {alias: param for param, spec in params.items() for alias in spec.get("aliases", [])}


def all_params() -> list[tuple[str, str]]:
    return [(name, param) for name in NAMES for param in CONTRACT[name]]


KINDS = {name: kind for kind, name in TemplateNames().by_kind().items()}
# The other words the sync accepts for a parameter (`contributrice`, `taux`…): a card reads them
# too, so that a declaration the ledger counts never shows "paramètre manquant".
WORDS = {field.name: field.aliases for fields in FIELDS.values() for field in fields}


def spellings(param: str) -> list[str]:
    """The names a template reads for `param`, in order: the parameter then each of its
    other words, each as is and capitalised, each with and without accents, each with spaces
    and with `_` (README, "Idioms")."""
    found: list[str] = []
    for word in (param, *WORDS.get(param, ())):
        for cased in (word, word[:1].upper() + word[1:]):
            plain = "".join(
                ch for ch in unicodedata.normalize("NFD", cased) if not unicodedata.combining(ch)
            )
            for base in (cased, plain):
                for spelling in (base, base.replace(" ", "_")):
                    if spelling not in found:
                        found.append(spelling)
    return found


def chain(param: str) -> str:
    """How the body reads `param`: `{{{année|{{{annee|{{{Année|{{{Annee|}}}}}}}}}}}}`."""
    names = spellings(param)
    return "".join("{{{" + name + "|" for name in names) + "}}}" * len(names)


def test_there_is_one_file_per_template_of_the_contract_and_no_other() -> None:
    assert sorted(path.stem for path in TEMPLATE_DIR.glob("*.wiki")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_file_is_an_includeonly_part_then_a_noinclude_part_and_nothing_else(name: str) -> None:
    text = read(name)
    tags = re.findall(r"</?(?:includeonly|noinclude|onlyinclude)\s*>", text)
    assert tags == ["<includeonly>", "</includeonly>", "<noinclude>", "</noinclude>"]
    assert text.startswith("<includeonly>")
    # Anything between the blocks would be shown both on the template page and where it is used.
    assert "</includeonly><noinclude>" in text
    assert text.endswith("</noinclude>\n")


@pytest.mark.parametrize("name", NAMES)
def test_the_templatedata_is_valid_json_in_block_format_with_a_french_description(
    name: str,
) -> None:
    data = templatedata(name)
    assert data["format"] == "block"
    assert set(data["description"].lower().split()) & FRENCH_WORDS
    assert data["paramOrder"] == list(CONTRACT[name])


@pytest.mark.parametrize("name", NAMES)
def test_the_templatedata_parameters_are_exactly_the_design_ones(name: str) -> None:
    assert set(templatedata(name)["params"]) == set(CONTRACT[name])


@pytest.mark.parametrize("name", NAMES)
def test_required_flags_match_the_design(name: str) -> None:
    params = templatedata(name)["params"]
    for param, required in CONTRACT[name].items():
        assert params[param].get("required", False) is required, param
        # A required parameter is not also merely suggested.
        assert not (required and params[param].get("suggested")), param


@pytest.mark.parametrize("name", NAMES)
def test_every_alias_is_another_spelling_of_its_parameter_or_of_one_of_its_words(
    name: str,
) -> None:
    params = templatedata(name)["params"]
    for alias, param in aliases_of(name).items():
        assert alias not in params
        assert alias != param
        words = {fold(word) for word in (param, *WORDS.get(param, ()))}
        assert fold(alias.replace("_", " ")) in words, (alias, param)


def test_a_parameter_has_the_same_other_words_in_every_template() -> None:
    assert all(WORDS[f.name] == f.aliases for fields in FIELDS.values() for f in fields)


def test_the_spelling_rule_gives_the_capitalised_plain_and_underscored_forms() -> None:
    assert spellings("montant") == ["montant", "Montant"]
    assert spellings("année") == ["année", "annee", "Année", "Annee"]
    assert spellings("état") == ["état", "etat", "État", "Etat"]
    assert spellings("taux horaire")[:4] == [
        "taux horaire", "taux_horaire", "Taux horaire", "Taux_horaire",
    ]  # fmt: skip
    assert chain("cercle") == "{{{cercle|{{{Cercle|}}}}}}"
    assert spellings("heures") == ["heures", "Heures", "heure", "Heure"]
    assert spellings("contributeur")[:4] == [
        "contributeur", "Contributeur", "contributrice", "Contributrice",
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "param"), all_params())
def test_the_aliases_are_exactly_the_other_spellings_of_the_rule(name: str, param: str) -> None:
    assert templatedata(name)["params"][param].get("aliases", []) == spellings(param)[1:]


@pytest.mark.parametrize(("name", "param"), all_params())
def test_every_spelling_read_is_the_same_parameter_for_the_sync(name: str, param: str) -> None:
    (field,) = [f for f in FIELDS[KINDS[name]] if f.name == param]
    for spelling in spellings(param):
        assert normalize_param_name(spelling) in field.param_keys(), spelling


@pytest.mark.parametrize(("name", "param"), all_params())
def test_every_parameter_has_a_french_label_description_type_and_example(
    name: str, param: str
) -> None:
    spec = templatedata(name)["params"][param]
    label, description = spec["label"].strip(), spec["description"].strip()
    assert label and description
    assert not set(re.findall(r"\w+", label.lower())) & ENGLISH_WORDS, label
    words = set(re.findall(r"\w+", description.lower()))
    assert words & FRENCH_WORDS, description
    assert not words & ENGLISH_WORDS, description
    assert spec["type"] in TEMPLATEDATA_TYPES
    assert str(spec["example"]).strip()


@pytest.mark.parametrize(("name", "param"), all_params())
def test_closed_parameters_suggest_exactly_their_values(name: str, param: str) -> None:
    spec = templatedata(name)["params"][param]
    assert spec.get("suggestedvalues") == SUGGESTED_VALUES.get((name, param))


@pytest.mark.parametrize(("name", "param"), all_params())
def test_every_read_of_a_parameter_is_the_full_chain_of_its_spellings(
    name: str, param: str
) -> None:
    body = block(read(name), "includeonly")
    reads = body.count(chain(param))
    assert reads > 0
    for spelling in spellings(param):
        # A spelling read outside the chain would ignore the others there.
        assert body.count("{{{" + spelling + "|") == reads, spelling


@pytest.mark.parametrize("name", NAMES)
def test_the_body_never_shows_a_raw_parameter_or_reads_an_unknown_one(name: str) -> None:
    body = block(read(name), "includeonly")
    assert not re.search(r"\{\{\{[^|{}]*\}\}\}", body), "a parameter without a default"
    read_names = set(re.findall(r"\{\{\{([^|{}]+)\|", body))
    assert read_names == set(CONTRACT[name]) | set(aliases_of(name))


@pytest.mark.parametrize(("name", "param"), all_params())
def test_a_missing_required_parameter_shows_a_french_hint(name: str, param: str) -> None:
    body = block(read(name), "includeonly")
    hint = f"paramètre « {param} » manquant"
    assert (hint in body) is CONTRACT[name][param]


@pytest.mark.parametrize("name", NAMES)
def test_the_page_is_categorised_where_used_and_the_template_page_as_a_wikiledger_template(
    name: str,
) -> None:
    text = read(name)
    body, doc = block(text, "includeonly"), block(text, "noinclude")
    assert re.findall(r"\[\[Catégorie:([^\]|]+)", body) == [CATEGORIES[name]]
    assert re.findall(r"\[\[Catégorie:([^\]|]+)", doc) == ["Modèles wikiledger"]


@pytest.mark.parametrize("name", NAMES)
def test_data_pages_are_named_by_installer_placeholders_only(name: str) -> None:
    text = read(name)
    assert set(re.findall(r"@@\w+@@", text)) == DATA_PAGE_PLACEHOLDERS.get(name, set())
    assert "/Données" not in text  # default titles are configuration, not template text


def test_the_circle_card_looks_up_this_years_envelope_requested_and_remaining() -> None:
    body = block(read("Cercle"), "includeonly")
    for field in ("enveloppe", "demandé", "part", "restant", "versé", "déclarations", "heures"):
        key = chain("nom") + "/{{CURRENTYEAR}}/" + field
        assert "{{:@@CONTRIBUTION_DATA_PAGE@@|" + key + "}}" in body, field
    assert "{{#ifexist:@@CONTRIBUTION_DATA_PAGE@@|" in body
    assert "pas encore de données" in body


def test_the_project_box_looks_up_its_live_state_on_its_campaigns_data_page() -> None:
    body = block(read("Projet cobudget"), "includeonly")
    data_page = "{{#replace:@@COBUDGET_DATA_PAGE@@|{campagne}|" + chain("campagne") + "}}"
    fields = ("promis", "minimum", "maximum", "pourcentage", "soutiens", "statut", "manque", "part",
              "excédent")  # fmt: skip
    for field in fields:
        assert "{{:" + data_page + "|" + chain("titre") + "/" + field + "}}" in body, field
    assert "{{#ifexist:" + data_page + "|" in body
    assert "max-width:100%" in body  # the progress bar is capped at 100 %


@pytest.mark.parametrize("name", NAMES)
def test_braces_are_balanced(name: str) -> None:
    body = block(read(name), "includeonly")
    assert body.count("{") == body.count("}")
    assert body.count("[[") == body.count("]]")
    code = mwparserfromhell.parse(body)
    for node in code.ifilter_text(recursive=True):
        assert "{{" not in node.value and "}}" not in node.value, node.value[:80]


@pytest.mark.parametrize("name", NAMES)
def test_the_documented_example_uses_only_known_parameters_and_all_required_ones(
    name: str,
) -> None:
    doc = block(read(name), "noinclude")
    example = mwparserfromhell.parse(block(doc, "pre"))
    (call,) = example.filter_templates()
    assert call.name.strip() == name
    given = {str(p.name).strip() for p in call.params}
    assert given <= set(CONTRACT[name])
    assert {p for p, required in CONTRACT[name].items() if required} <= given
    # The example must stay inert: a live call would make the template page a declaration.
    assert "{{" + name not in doc.replace(block(doc, "pre"), "")


# The key a card computes for its feedback: `{{PAGEID}}¦letter¦` and the values of the
# identifying parameters (parsers.card), each read through its full chain.
CARD_KEYS = {
    "Contribution": "{{PAGEID}}¦C¦" + "¦".join(chain(p) for p in KEY_FIELDS["contribution"]),
    "Soutien cobudget": "{{PAGEID}}¦S¦" + "¦".join(chain(p) for p in KEY_FIELDS["pledge"]),
}


@pytest.mark.parametrize("name", sorted(CARD_KEYS))
def test_the_card_looks_up_its_feedback_by_the_key_the_bot_writes(name: str) -> None:
    body = block(read(name), "includeonly")
    shard = "{{#replace:@@CARD_DATA_PAGE@@|{n}|{{#expr:{{PAGEID}} mod @@CARD_SHARDS@@}}}}"
    pending = "en attente du prochain calcul de wikiledger"
    assert "{{:" + shard + "|" + CARD_KEYS[name] + "|2=" + pending + "}}" in body
    assert "{{#ifexist:" + shard + "|" in body
    # A missing shard is transcluded all the same, hidden: MediaWiki then records the link
    # that re-renders the card when the shard is created (#ifexist alone did not).
    hidden = pending + '<span style="display:none">{{:' + shard + "}}</span>}}"
    assert hidden in body
    # no lookup in a preview of a new page (no id yet)
    assert body.count("{{#switch:{{PAGEID}}|0|=|#default=") == 1


@pytest.mark.parametrize(
    ("name", "label", "page", "preload", "params"),
    [
        ("Cercle", "Déclarer une contribution", "@@DECLARE_CONTRIBUTION_PAGE@@",
         "@@CONTRIBUTION_PRELOAD@@", [chain("nom"), "{{#timel:Y-m-d}}"]),
        ("Projet cobudget", "Soutenir ce projet",
         "{{#replace:@@DECLARE_PLEDGE_PAGE@@|{campagne}|" + chain("campagne") + "}}",
         "@@PLEDGE_PRELOAD@@", [chain("campagne"), chain("titre")]),
    ],
)  # fmt: skip
def test_the_card_offers_to_declare_on_the_members_own_page_with_the_template_prefilled(
    name: str, label: str, page: str, preload: str, params: list[str]
) -> None:
    body = block(read(name), "includeonly")
    start = body.index("[{{fullurl:" + page + "|action=edit&section=new")
    link = body[start : body.index("]", body.index(label, start))]
    assert "&preload={{urlencode:" + preload + "}}" in link
    values = re.findall(r"&preloadparams%5B%5D=(.*?)(?=&preload|\}\} <span|$)", link)
    assert values == [v if v.startswith("{{#") else "{{urlencode:" + v + "}}" for v in params]
    assert label in link


def test_the_preload_pages_hold_one_call_with_a_signature_for_the_member() -> None:
    for path, kind in ((PRELOAD_DIR / "Contribution.wiki", "contribution"),
                       (PRELOAD_DIR / "Soutien cobudget.wiki", "pledge")):  # fmt: skip
        text = path.read_text(encoding="utf-8")
        # what MediaWiki preloads: without the noinclude part, the includeonly tags dropped
        body = re.sub(r"<noinclude>.*?</noinclude>|</?includeonly>", "", text, flags=re.S)
        call = mwparserfromhell.parse(body.replace("@@TEMPLATE@@", "X")).filter_templates()[0]
        given = {str(p.name).strip(): str(p.value).strip() for p in call.params}
        assert set(given) <= {field.name for field in FIELDS[kind]}
        member = "contributeur" if kind == "contribution" else "membre"
        assert given[member] == "~~~"  # the member's name once they save
        # unsplit on the preload page itself, or saving it would sign it
        assert "~~~" not in text.replace("<nowiki>~~~</nowiki>", "")
        assert {"$1", "$2"} <= set(given.values())


@pytest.mark.parametrize(
    ("name", "param", "kind"),
    [
        ("Contribution", "contributeur", "wiki-user-name"),
        ("Contribution", "date", "date"),
        ("Contribution", "heures", "number"),
        ("Contribution", "montant", "number"),
        ("Soutien cobudget", "membre", "wiki-user-name"),
        ("Soutien cobudget", "montant", "number"),
    ],
)
def test_the_declaration_forms_type_dates_numbers_and_users(
    name: str, param: str, kind: str
) -> None:
    assert templatedata(name)["params"][param]["type"] == kind
