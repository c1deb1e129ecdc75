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
    "home.charter_ok": {
        "fr": ":white_check_mark: Vous avez accepté la charte (version {version}).",
        "en": ":white_check_mark: You accepted the charter (version {version}).",
    },
    "home.charter_pending": {
        "fr": ":hourglass_flowing_sand: La charte de la communauté vous attend.",
        "en": ":hourglass_flowing_sand: The community's charter is waiting for you.",
    },
    "home.intro": {
        "fr": "Cercle accompagne notre communauté de pratique : accueil des nouveaux, "
        "charte, boîte à outils, sondages et participation.",
        "en": "Cercle supports our community of practice: welcoming newcomers, the charter, "
        "the toolbox, polls and participation.",
    },
    "help.cmd.rules": {
        "fr": "lire la charte de la communauté et voir où vous en êtes",
        "en": "read the community's charter and see where you stand",
    },
    "help.cmd.rules_admin": {
        "fr": "la charte ; `history` ses versions, `edit` publier une nouvelle version, "
        "`status` qui l'a acceptée (et l'export CSV)",
        "en": "the charter; `history` its versions, `edit` publish a new version, "
        "`status` who accepted it (and the CSV export)",
    },
    "purpose.default": {
        "fr": "Notre communauté est un lieu pour apprendre, partager nos bonnes pratiques "
        "et nous entraider entre personnes du même métier.",
        "en": "Our community is a place to learn, share good practices and help each other "
        "among people who share the same trade.",
    },
    "welcome.header": {
        "fr": "Bienvenue dans la communauté, {name} !",
        "en": "Welcome to the community, {name}!",
    },
    "welcome.fallback": {
        "fr": "Bienvenue dans la communauté ! Lisez et acceptez la charte pour participer.",
        "en": "Welcome to the community! Read and accept the charter to take part.",
    },
    "welcome.charter_title": {
        "fr": "*La charte en bref*",
        "en": "*The charter in short*",
    },
    "welcome.context": {
        "fr": "Charte, version {version} · l'accepter, c'est s'engager à un minimum de "
        "participation.",
        "en": "Charter, version {version} · accepting it means committing to a minimum of "
        "participation.",
    },
    "welcome.read": {
        "fr": "Lire la charte",
        "en": "Read the charter",
    },
    "welcome.accept": {
        "fr": "J'accepte",
        "en": "I accept",
    },
    "welcome.not_now": {
        "fr": "Plus tard",
        "en": "Not now",
    },
    "welcome.accepted": {
        "fr": ":white_check_mark: Vous avez accepté la charte (version {version}). Merci !",
        "en": ":white_check_mark: You accepted the charter (version {version}). Thank you!",
    },
    "charter.modal_title": {
        "fr": "La charte",
        "en": "The charter",
    },
    "charter.version_line": {
        "fr": "Version {version} · publiée le {date}",
        "en": "Version {version} · published on {date}",
    },
    "charter.newer_notice": {
        "fr": ":information_source: La charte a changé depuis ce message : voici la version "
        "en vigueur.",
        "en": ":information_source: The charter changed since that message: here is the "
        "current version.",
    },
    "charter.truncated": {
        "fr": "_(La suite de la charte est trop longue pour Slack ; demandez le texte complet "
        "à la coordination.)_",
        "en": "_(The rest of the charter is too long for Slack; ask the coordinators for the "
        "full text.)_",
    },
    "join.title": {
        "fr": "Bienvenue !",
        "en": "Welcome!",
    },
    "join.submit": {
        "fr": "Valider",
        "en": "Confirm",
    },
    "join.intro": {
        "fr": "Encore trois petites questions pour que la communauté vous connaisse.",
        "en": "Three short questions so the community gets to know you.",
    },
    "join.hopes_label": {
        "fr": "Qu'espérez-vous trouver dans la communauté ?",
        "en": "What do you hope to find in the community?",
    },
    "join.hopes_hint": {
        "fr": "Quelques mots suffisent ({max} caractères au plus).",
        "en": "A few words are enough ({max} characters at most).",
    },
    "join.interests_label": {
        "fr": "Vos centres d'intérêt",
        "en": "Your interests",
    },
    "join.interests_placeholder": {
        "fr": "Choisissez un ou plusieurs sujets",
        "en": "Pick one or more topics",
    },
    "join.introduce_label": {
        "fr": "Pouvons-nous vous présenter dans le canal de la communauté ?",
        "en": "May we introduce you in the community channel?",
    },
    "join.yes": {
        "fr": "Oui, avec plaisir",
        "en": "Yes, please",
    },
    "join.no": {
        "fr": "Non merci",
        "en": "No, thank you",
    },
    "join.hopes_required": {
        "fr": "Dites-nous en quelques mots ce que vous espérez trouver.",
        "en": "Tell us in a few words what you hope to find.",
    },
    "join.hopes_too_long": {
        "fr": "{max} caractères au plus, s'il vous plaît.",
        "en": "{max} characters at most, please.",
    },
    "thanks.text": {
        "fr": "Merci {name}, vous faites maintenant partie de la communauté !",
        "en": "Thank you {name}, you are now part of the community!",
    },
    "thanks.next_steps": {
        "fr": "*Pour bien démarrer*\n• Dites bonjour dans <#{channel}>\n• Posez votre "
        "première question : on s'entraide\n• Tapez `/cercle help` pour découvrir ce que je "
        "sais faire",
        "en": "*Getting started*\n• Say hello in <#{channel}>\n• Ask your first question: "
        "we help each other\n• Type `/cercle help` to see what I can do",
    },
    "thanks.next_steps_no_channel": {
        "fr": "*Pour bien démarrer*\n• Posez votre première question : on s'entraide\n"
        "• Tapez `/cercle help` pour découvrir ce que je sais faire",
        "en": "*Getting started*\n• Ask your first question: we help each other\n"
        "• Type `/cercle help` to see what I can do",
    },
    "intro.text": {
        "fr": ":wave: Souhaitons la bienvenue à <@{user}> dans la communauté !",
        "en": ":wave: Let's welcome <@{user}> to the community!",
    },
    "intro.interests": {
        "fr": "*Centres d'intérêt :* {interests}",
        "en": "*Interests:* {interests}",
    },
    "intro.hopes": {
        "fr": "*Ce qui l'amène :* {hopes}",
        "en": "*What brings them here:* {hopes}",
    },
    "coord.accepted": {
        "fr": ":white_check_mark: <@{user}> a accepté la charte (version {version}).",
        "en": ":white_check_mark: <@{user}> accepted the charter (version {version}).",
    },
    "coord.newcomer": {
        "fr": ":seedling: *Nouvelle arrivée :* <@{user}> vient de rejoindre la communauté. "
        "Qui l'accueille ?",
        "en": ":seedling: *Newcomer:* <@{user}> just joined the community. Who welcomes them?",
    },
    "coord.claim": {
        "fr": "Je l'accueille",
        "en": "I'll welcome them",
    },
    "coord.claimed": {
        "fr": ":handshake: Accueil pris en charge par <@{greeter}>.",
        "en": ":handshake: <@{greeter}> is welcoming them.",
    },
    "claim.already": {
        "fr": "<@{greeter}> accueille déjà cette personne. Merci quand même !",
        "en": "<@{greeter}> is already welcoming them. Thanks all the same!",
    },
    "claim.done": {
        "fr": "C'est noté : vous accueillez <@{user}>. Un petit message personnel fait "
        "toute la différence !",
        "en": "Noted: you are welcoming <@{user}>. A short personal message makes all the "
        "difference!",
    },
    "accept.not_yours": {
        "fr": "Ce message d'accueil s'adresse à quelqu'un d'autre. Pour lire et accepter la "
        "charte vous-même, tapez `/cercle rules`.",
        "en": "This welcome message is meant for someone else. To read and accept the "
        "charter yourself, type `/cercle rules`.",
    },
    "accept.already": {
        "fr": "Vous avez déjà accepté la charte en vigueur. Merci !",
        "en": "You have already accepted the charter in force. Thank you!",
    },
    "accept.not_now": {
        "fr": "Pas de souci ! Quand vous serez prêt·e, tapez `/cercle rules` pour lire et "
        "accepter la charte.",
        "en": "No problem! When you're ready, type `/cercle rules` to read and accept the charter.",
    },
    "rules.status_accepted": {
        "fr": ":white_check_mark: Vous avez accepté la version {version} le {date}.",
        "en": ":white_check_mark: You accepted version {version} on {date}.",
    },
    "rules.status_pending": {
        "fr": ":hourglass_flowing_sand: Vous n'avez pas encore accepté la charte en vigueur.",
        "en": ":hourglass_flowing_sand: You have not accepted the charter in force yet.",
    },
    "rules.history_title": {
        "fr": "Versions de la charte",
        "en": "Charter versions",
    },
    "rules.history_line": {
        "fr": "*Version {version}* · {date} · {author} · {reaccept}",
        "en": "*Version {version}* · {date} · {author} · {reaccept}",
    },
    "rules.shipped": {
        "fr": "version d'origine",
        "en": "shipped version",
    },
    "rules.reaccept_yes": {
        "fr": "nouvelle acceptation demandée",
        "en": "re-acceptance asked",
    },
    "rules.reaccept_no": {
        "fr": "correction sans nouvelle acceptation",
        "en": "wording fix, no re-acceptance",
    },
    "rules.unknown": {
        "fr": "Je ne connais pas `rules {sub}`. Essayez `/cercle rules`, `/cercle rules "
        "history` ou `/cercle rules edit`.",
        "en": "I don't know `rules {sub}`. Try `/cercle rules`, `/cercle rules history` or "
        "`/cercle rules edit`.",
    },
    "edit.title": {
        "fr": "Modifier la charte",
        "en": "Edit the charter",
    },
    "edit.submit": {
        "fr": "Publier",
        "en": "Publish",
    },
    "edit.text_fr": {
        "fr": "Texte complet (français)",
        "en": "Full text (French)",
    },
    "edit.text_en": {
        "fr": "Texte complet (anglais)",
        "en": "Full text (English)",
    },
    "edit.summary_fr": {
        "fr": "Résumé pour le message d'accueil (français)",
        "en": "Summary for the welcome message (French)",
    },
    "edit.summary_en": {
        "fr": "Résumé pour le message d'accueil (anglais)",
        "en": "Summary for the welcome message (English)",
    },
    "edit.reaccept": {
        "fr": "Demander à chaque membre d'accepter cette nouvelle version",
        "en": "Ask every member to accept this new version",
    },
    "edit.reaccept_hint": {
        "fr": "Laissez décoché pour une simple correction de forme.",
        "en": "Leave unticked for a simple wording fix.",
    },
    "edit.unchanged": {
        "fr": "Rien n'a changé par rapport à la version en vigueur.",
        "en": "Nothing changed compared with the version in force.",
    },
    "edit.stale": {
        "fr": "La charte est passée en version {version} depuis l'ouverture de ce formulaire. "
        "Fermez-le et rouvrez `/cercle rules edit` pour partir de la dernière version.",
        "en": "The charter moved to version {version} since this form was opened. Close it and "
        "reopen `/cercle rules edit` to start from the latest version.",
    },
    "edit.published": {
        "fr": ":memo: <@{author}> a publié la version {version} de la charte{reaccept}.",
        "en": ":memo: <@{author}> published version {version} of the charter{reaccept}.",
    },
    "edit.published_reaccept": {
        "fr": " : {count} membre(s) vont être invité(e)s à l'accepter",
        "en": ": {count} member(s) will be asked to accept it",
    },
    "reaccept.header": {
        "fr": "La charte a évolué",
        "en": "The charter has changed",
    },
    "reaccept.text": {
        "fr": "Bonjour {name}, la coordination a publié la version {version} de la charte. "
        "Prenez un instant pour la relire et l'accepter.",
        "en": "Hello {name}, the coordinators published version {version} of the charter. "
        "Please take a moment to read and accept it.",
    },
    "reminder.text": {
        "fr": "Bonjour {name}, petit rappel : la charte de la communauté vous attend. Deux "
        "minutes suffisent pour la lire et l'accepter.",
        "en": "Hello {name}, a gentle reminder: the community's charter is waiting for you. "
        "Two minutes are enough to read and accept it.",
    },
    "followup.title": {
        "fr": "Accueil : qui a besoin d'un coup de pouce ?",
        "en": "Onboarding: who needs a hand?",
    },
    "followup.escalated": {
        "fr": "Pas encore de charte acceptée après {count} rappel(s) : {members}. Un petit "
        "mot personnel peut aider.",
        "en": "Still no charter accepted after {count} reminder(s): {members}. A personal "
        "word may help.",
    },
    "followup.unreachable": {
        "fr": "Cercle n'a pas pu écrire en message privé à ces personnes : accueillez-les "
        "directement.",
        "en": "Cercle could not send these people a direct message: please welcome them directly.",
    },
    "rules.status_title": {
        "fr": "La charte (version {version}) : qui en est où",
        "en": "The charter (version {version}): who stands where",
    },
    "rules.status_counts": {
        "fr": ":white_check_mark: *{accepted}* acceptée(s)   :hourglass_flowing_sand: *{pending}* "
        "en attente   :zzz: *{not_now}* « plus tard »",
        "en": ":white_check_mark: *{accepted}* accepted   :hourglass_flowing_sand: *{pending}* "
        'pending   :zzz: *{not_now}* "not now"',
    },
    "rules.status_line": {
        "fr": "• <@{user}> · {state} · accueilli(e) il y a {days} j · {reminders} rappel(s)",
        "en": "• <@{user}> · {state} · welcomed {days} d ago · {reminders} reminder(s)",
    },
    "rules.status_more": {
        "fr": "… et {count} de plus : voir l'export CSV.",
        "en": "… and {count} more: see the CSV export.",
    },
    "rules.state_pending": {
        "fr": "en attente",
        "en": "pending",
    },
    "rules.state_not_now": {
        "fr": "« plus tard »",
        "en": '"not now"',
    },
    "rules.state_accepted": {
        "fr": "acceptée",
        "en": "accepted",
    },
    "rules.export": {
        "fr": "Exporter en CSV",
        "en": "Export CSV",
    },
    "rules.export_sent": {
        "fr": "C'est parti : le fichier CSV vous attend en message privé.",
        "en": "Done: the CSV file is waiting for you in a direct message.",
    },
    "rules.export_failed": {
        "fr": "Je n'ai pas pu vous envoyer le fichier ({error}). Réessayez dans un instant.",
        "en": "I couldn't send you the file ({error}). Please try again in a moment.",
    },
    "rules.export_network": {
        "fr": "Slack ne répond pas",
        "en": "Slack is not answering",
    },
    "followup.reason.dms_closed": {
        "fr": "messages d'applications désactivés",
        "en": "app messages turned off",
    },
    "followup.reason.inactive": {
        "fr": "compte désactivé",
        "en": "account deactivated",
    },
    "followup.reason.other": {
        "fr": "échec d'envoi : {error}",
        "en": "sending failed: {error}",
    },
    "rules.export_comment": {
        "fr": "Export de la charte, version {version}.",
        "en": "Charter export, version {version}.",
    },
    "help.cmd.purpose": {
        "fr": "la raison d'être de la communauté",
        "en": "what the community is for",
    },
    "help.cmd.purpose_admin": {
        "fr": "la raison d'être de la communauté ; `edit` pour la réécrire",
        "en": "what the community is for; `edit` to rewrite it",
    },
    "help.cmd.interests": {
        "fr": "les centres d'intérêt proposés aux nouveaux membres",
        "en": "the interests offered to newcomers",
    },
    "help.cmd.interests_admin": {
        "fr": 'les centres d\'intérêt ; `add "Libellé" "Label"` pour en ajouter, '
        "`remove clé` pour en retirer",
        "en": 'the interests; `add "Libellé" "Label"` to add one, `remove key` to retire one',
    },
    "purpose.title": {
        "fr": "Notre raison d'être",
        "en": "What we are here for",
    },
    "purpose.edit_title": {
        "fr": "Raison d'être",
        "en": "Purpose",
    },
    "purpose.save": {
        "fr": "Enregistrer",
        "en": "Save",
    },
    "purpose.label_fr": {
        "fr": "En français",
        "en": "In French",
    },
    "purpose.label_en": {
        "fr": "En anglais",
        "en": "In English",
    },
    "purpose.required": {
        "fr": "Écrivez la raison d'être dans les deux langues.",
        "en": "Please write the purpose in both languages.",
    },
    "interests.title": {
        "fr": "Centres d'intérêt",
        "en": "Interests",
    },
    "interests.line": {
        "fr": "• {label} (`{key}`)",
        "en": "• {label} (`{key}`)",
    },
    "interests.none": {
        "fr": "Aucun centre d'intérêt pour l'instant.",
        "en": "No interests yet.",
    },
    "interests.added": {
        "fr": "Ajouté : {label} (`{key}`).",
        "en": "Added: {label} (`{key}`).",
    },
    "interests.removed": {
        "fr": "Retiré : `{key}`. Les réponses déjà données le gardent.",
        "en": "Retired: `{key}`. Answers already given keep it.",
    },
    "interests.unknown_key": {
        "fr": "Aucun centre d'intérêt n'a la clé `{key}`. Tapez `/cercle interests` pour "
        "voir les clés.",
        "en": "No interest has the key `{key}`. Type `/cercle interests` to see the keys.",
    },
    "interests.usage": {
        "fr": 'Usage : `/cercle interests add "Libellé en français" "English label"` ou '
        "`/cercle interests remove clé` (75 caractères au plus par libellé).",
        "en": 'Usage: `/cercle interests add "Libellé en français" "English label"` or '
        "`/cercle interests remove key` (75 characters at most per label).",
    },
    "help.cmd.nudges": {
        "fr": "vos rappels : les voir ; `off reminders|toolbox|all` ou `on …` pour les régler",
        "en": "your nudges: see them; `off reminders|toolbox|all` or `on …` to change them",
    },
    "help.cmd.snooze": {
        "fr": "mettre les rappels en pause, par exemple `2w` (deux semaines) ou `10d` ; `off` "
        "pour reprendre",
        "en": "pause nudges, for example `2w` (two weeks) or `10d`; `off` to resume",
    },
    "nudges.title": {
        "fr": "Vos rappels",
        "en": "Your nudges",
    },
    "nudges.category.reminders": {
        "fr": "Rappels (charte, sondages)",
        "en": "Reminders (charter, polls)",
    },
    "nudges.category.toolbox": {
        "fr": "Suggestions de la boîte à outils",
        "en": "Toolbox suggestions",
    },
    "nudges.line": {
        "fr": "• {category} : *{state}*",
        "en": "• {category}: *{state}*",
    },
    "nudges.on": {
        "fr": "activés",
        "en": "on",
    },
    "nudges.off": {
        "fr": "désactivés",
        "en": "off",
    },
    "nudges.snoozed": {
        "fr": ":zzz: En pause jusqu'au {date}.",
        "en": ":zzz: Paused until {date}.",
    },
    "nudges.rules": {
        "fr": "Cercle ne vous relance qu'en semaine, de {start} à {end} à votre heure, et {cap} "
        "fois par semaine au plus. Les réponses à vos actions ne sont jamais retardées.",
        "en": "Cercle only nudges you on weekdays, {start} to {end} your time, and {cap} times "
        "a week at most. Answers to what you do are never delayed.",
    },
    "nudges.rules_any_time": {
        "fr": "Cercle vous relance {cap} fois par semaine au plus. Les réponses à vos actions "
        "ne sont jamais retardées.",
        "en": "Cercle nudges you {cap} times a week at most. Answers to what you do are never "
        "delayed.",
    },
    "nudges.usage": {
        "fr": "Usage : `/cercle nudges off reminders`, `/cercle nudges off toolbox`, "
        "`/cercle nudges off all`, ou `on` à la place de `off`.",
        "en": "Usage: `/cercle nudges off reminders`, `/cercle nudges off toolbox`, "
        "`/cercle nudges off all`, or `on` instead of `off`.",
    },
    "snooze.usage": {
        "fr": "Usage : `/cercle snooze 2w` (semaines), `/cercle snooze 10d` (jours), jusqu'à "
        "26 semaines ; `/cercle snooze off` pour reprendre.",
        "en": "Usage: `/cercle snooze 2w` (weeks), `/cercle snooze 10d` (days), up to 26 "
        "weeks; `/cercle snooze off` to resume.",
    },
    "snooze.done": {
        "fr": ":zzz: C'est noté : pas de rappel jusqu'au {date}. Bonnes vacances !",
        "en": ":zzz: Done: no nudges until {date}. Enjoy the break!",
    },
    "snooze.ended": {
        "fr": "Les rappels reprennent. Content de vous revoir !",
        "en": "Nudges are back on. Good to have you back!",
    },
    "help.cmd.toolbox": {
        "fr": "la boîte à outils de la communauté ; ajoutez un mot ou un tag pour chercher",
        "en": "the community's toolbox; add a word or a tag to search",
    },
    "help.cmd.toolbox_admin": {
        "fr": "la boîte à outils ; un mot ou un tag pour chercher, `add` pour ajouter un outil",
        "en": "the toolbox; a word or a tag to search, `add` to add a tool",
    },
    "toolbox.title": {
        "fr": "Boîte à outils",
        "en": "Toolbox",
    },
    "toolbox.title_search": {
        "fr": "Boîte à outils : « {query} »",
        "en": 'Toolbox: "{query}"',
    },
    "toolbox.count": {
        "fr": "{first}–{last} sur {total} outil(s)",
        "en": "{first}–{last} of {total} tool(s)",
    },
    "toolbox.empty": {
        "fr": "Aucun outil ne correspond. Essayez un autre mot, ou `/cercle toolbox` pour "
        "tout voir.",
        "en": "No tool matches. Try another word, or `/cercle toolbox` to see everything.",
    },
    "toolbox.open": {
        "fr": "Ouvrir",
        "en": "Open",
    },
    "toolbox.details": {
        "fr": "Détails",
        "en": "Details",
    },
    "toolbox.edit": {
        "fr": "Modifier",
        "en": "Edit",
    },
    "toolbox.previous": {
        "fr": "← Précédents",
        "en": "← Previous",
    },
    "toolbox.next": {
        "fr": "Suivants →",
        "en": "Next →",
    },
    "toolbox.tags": {
        "fr": "Tags : {tags}",
        "en": "Tags: {tags}",
    },
    "toolbox.language": {
        "fr": "en {language}",
        "en": "in {language}",
    },
    "toolbox.language.fr": {
        "fr": "français",
        "en": "French",
    },
    "toolbox.language.en": {
        "fr": "anglais",
        "en": "English",
    },
    "toolbox.modal_add": {
        "fr": "Ajouter un outil",
        "en": "Add a tool",
    },
    "toolbox.modal_edit": {
        "fr": "Modifier l'outil",
        "en": "Edit the tool",
    },
    "toolbox.save": {
        "fr": "Enregistrer",
        "en": "Save",
    },
    "toolbox.field_title": {
        "fr": "Titre",
        "en": "Title",
    },
    "toolbox.field_url": {
        "fr": "Lien (facultatif)",
        "en": "Link (optional)",
    },
    "toolbox.field_description": {
        "fr": "Description : à quoi sert-il ?",
        "en": "Description: what is it for?",
    },
    "toolbox.field_tags": {
        "fr": "Tags, séparés par des virgules",
        "en": "Tags, separated by commas",
    },
    "toolbox.field_language": {
        "fr": "Langue de l'outil",
        "en": "The tool's language",
    },
    "toolbox.field_retire": {
        "fr": "Retirer cet outil de la boîte",
        "en": "Retire this tool from the toolbox",
    },
    "toolbox.title_required": {
        "fr": "Donnez un titre à l'outil.",
        "en": "Give the tool a title.",
    },
    "toolbox.bad_url": {
        "fr": "Le lien doit commencer par https:// ou http://.",
        "en": "The link must start with https:// or http://.",
    },
    "toolbox.bad_tags": {
        "fr": "10 tags au plus, de 30 caractères au plus chacun.",
        "en": "10 tags at most, 30 characters at most each.",
    },
    "toolbox.no_link": {
        "fr": "*{title}*\n{description}",
        "en": "*{title}*\n{description}",
    },
    "toolbox.unknown_item": {
        "fr": "Cet outil n'existe plus dans la boîte à outils.",
        "en": "This tool is no longer in the toolbox.",
    },
    "weekly.header": {
        "fr": "L'outil de la semaine",
        "en": "This week's tool",
    },
    "weekly.see_all": {
        "fr": "Toute la boîte à outils",
        "en": "The whole toolbox",
    },
    "weekly.context": {
        "fr": ":toolbox: Chaque semaine, un outil de notre boîte à outils commune. Pensez à y "
        "revenir régulièrement !",
        "en": ":toolbox: Every week, one tool from our shared toolbox. Remember to come back "
        "to it regularly!",
    },
    "nudge.toolbox": {
        "fr": "Bonjour {name} ! Un outil que vous n'avez pas encore ouvert : {title}",
        "en": "Hello {name}! A tool you haven't opened yet: {title}",
    },
    "nudge.toolbox_why": {
        "fr": "Une suggestion de Cercle, en semaine et deux fois par semaine au plus. "
        "`/cercle nudges off toolbox` pour ne plus en recevoir.",
        "en": "A suggestion from Cercle, on weekdays and twice a week at most. "
        "`/cercle nudges off toolbox` to stop them.",
    },
    "help.cmd.schedule": {
        "fr": "les rendez-vous de Cercle : `set nom weekly mon 09:30`, `pause nom`, `resume nom` "
        "(coordination)",
        "en": "Cercle's schedules: `set name weekly mon 09:30`, `pause name`, `resume name` "
        "(coordinators)",
    },
    "schedule.title": {
        "fr": "Les rendez-vous de Cercle",
        "en": "Cercle's schedules",
    },
    "schedule.line": {
        "fr": "• `{name}` — {what} : *{when}*{paused}",
        "en": "• `{name}` — {what}: *{when}*{paused}",
    },
    "schedule.paused": {
        "fr": " (en pause)",
        "en": " (paused)",
    },
    "schedule.what.weekly_tool": {
        "fr": "l'outil de la semaine dans le canal",
        "en": "this week's tool in the channel",
    },
    "schedule.what.toolbox_nudges": {
        "fr": "suggestions d'outils aux membres silencieux",
        "en": "tool suggestions to quiet members",
    },
    "schedule.when.weekly": {
        "fr": "chaque {day} à {time}",
        "en": "every {day} at {time}",
    },
    "schedule.when.daily": {
        "fr": "chaque jour à {time}",
        "en": "every day at {time}",
    },
    "schedule.when.weekdays": {
        "fr": "du lundi au vendredi à {time}",
        "en": "Monday to Friday at {time}",
    },
    "schedule.zone": {
        "fr": "Heures de {zone}. Les changements s'appliquent dans la minute, sans redémarrage.",
        "en": "Times in {zone}. Changes apply within a minute, without a restart.",
    },
    "schedule.usage": {
        "fr": "Usage : `/cercle schedule set weekly_tool weekly mon 09:30` (ou `daily 10:00`, "
        "`weekdays 10:00`), `/cercle schedule pause weekly_tool`, `/cercle schedule resume "
        "weekly_tool`. Noms : {names}.",
        "en": "Usage: `/cercle schedule set weekly_tool weekly mon 09:30` (or `daily 10:00`, "
        "`weekdays 10:00`), `/cercle schedule pause weekly_tool`, `/cercle schedule resume "
        "weekly_tool`. Names: {names}.",
    },
    "day.mon": {"fr": "lundi", "en": "Monday"},
    "day.tue": {"fr": "mardi", "en": "Tuesday"},
    "day.wed": {"fr": "mercredi", "en": "Wednesday"},
    "day.thu": {"fr": "jeudi", "en": "Thursday"},
    "day.fri": {"fr": "vendredi", "en": "Friday"},
    "day.sat": {"fr": "samedi", "en": "Saturday"},
    "day.sun": {"fr": "dimanche", "en": "Sunday"},
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


def t(message_key: str, language: str, /, **values: Any) -> str:
    """Return the string `message_key` in `language` (falling back to English), filled in."""
    entry = CATALOG[message_key]
    template = entry.get(language) or entry["en"]
    return template.format(**values) if values else template
