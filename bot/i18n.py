"""The string catalog: every user-facing sentence in French and English."""

from __future__ import annotations

import string
from typing import Any

from bot.config import SUPPORTED_LANGUAGES

# One entry per key, both languages side by side so a missing translation is obvious
# in review; tests check both have every key with the same placeholders.
CATALOG: dict[str, dict[str, str]] = {
    "help.title": {
        "fr": "Cercle : l'aide",
        "en": "Cercle: help",
    },
    "help.intro": {
        "fr": "Cercle fait vivre notre communauté de pratique. Voici ce que vous pouvez faire :",
        "en": "Cercle keeps our community of practice going. Here is what you can do:",
    },
    "help.usage": {
        "fr": "Tapez `/cercle` suivi d'une commande, par exemple `/cercle help`.",
        "en": "Type `/cercle` followed by a command, for example `/cercle help`.",
    },
    "help.cmd.help": {
        "fr": "afficher cette aide",
        "en": "show this help",
    },
    "help.cmd.status": {
        "fr": "l'état de la file d'envoi de Cercle (coordination)",
        "en": "the state of Cercle's delivery queue (coordinators)",
    },
    "help.footer": {
        "fr": "Une question ? Écrivez dans le canal de la communauté : on s'entraide !",
        "en": "A question? Ask in the community channel: we help each other!",
    },
    "help.fallback": {
        "fr": "Aide de Cercle : /cercle {commands}",
        "en": "Cercle help: /cercle {commands}",
    },
    "error.unknown_command": {
        "fr": "Je ne connais pas la commande `{command}`.",
        "en": "I don't know the command `{command}`.",
    },
    "error.coordinators_only": {
        "fr": "Seules les personnes qui coordonnent la communauté peuvent faire cela.",
        "en": "Only the community's coordinators can do that.",
    },
    "error.unavailable": {
        "fr": "Cercle a un souci passager et n'a rien enregistré. Réessayez dans un instant.",
        "en": "Cercle has a temporary problem and saved nothing. Please try again in a moment.",
    },
    "error.unexpected": {
        "fr": "Oups, quelque chose s'est mal passé de notre côté. Rien n'a été enregistré ; "
        "réessayez, et prévenez la coordination si cela continue.",
        "en": "Oops, something went wrong on our side. Nothing was saved; try again, and tell "
        "the coordinators if it keeps happening.",
    },
    "status.title": {
        "fr": "File d'envoi de Cercle",
        "en": "Cercle's delivery queue",
    },
    "status.body": {
        "fr": "*En attente :* {depth}   *Envoyés :* {sent}   *Échecs :* {failed}   "
        "*Réessayés :* {retried}\n*Plus ancien en attente :* {oldest}",
        "en": "*Waiting:* {depth}   *Sent:* {sent}   *Failed:* {failed}   "
        "*Retried:* {retried}\n*Oldest waiting:* {oldest}",
    },
    "status.none": {
        "fr": "aucun",
        "en": "none",
    },
    "status.seconds": {
        "fr": "{seconds} s",
        "en": "{seconds} s",
    },
    "error.modal_title": {
        "fr": "Un souci",
        "en": "Something's wrong",
    },
    "error.unbalanced_quotes": {
        "fr": "Il manque un guillemet fermant dans votre commande. "
        'Entourez chaque texte de guillemets : "Comme ceci".',
        "en": "A closing quote is missing in your command. "
        'Put each text between quotes: "Like this".',
    },
    "common.close": {
        "fr": "Fermer",
        "en": "Close",
    },
    "mention.reply": {
        "fr": "Bonjour <@{user}> ! Je suis Cercle, l'assistant de la communauté. "
        "Tapez `/cercle help` pour voir ce que je sais faire.",
        "en": "Hello <@{user}>! I'm Cercle, the community's assistant. "
        "Type `/cercle help` to see what I can do.",
    },
    "home.title": {
        "fr": "Bienvenue dans Cercle",
        "en": "Welcome to Cercle",
    },
    "home.intro": {
        "fr": "Cercle accompagne notre communauté de pratique : accueil des nouveaux, "
        "charte, boîte à outils, sondages et participation.",
        "en": "Cercle supports our community of practice: welcoming newcomers, the charter, "
        "the toolbox, polls and participation.",
    },
}


def normalize_language(locale: str | None, default: str) -> str:
    """Map a Slack locale such as 'fr-FR' or 'en-US' to a catalog language."""
    if locale:
        language = locale.replace("_", "-").split("-", 1)[0].lower()
        if language in SUPPORTED_LANGUAGES:
            return language
    return default


def placeholders(template: str) -> set[str]:
    """Return the names of the `{placeholders}` in a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def t(key: str, language: str, **values: Any) -> str:
    """Return the string `key` in `language` (falling back to English), filled with values."""
    entry = CATALOG[key]
    template = entry.get(language) or entry["en"]
    return template.format(**values) if values else template
