"""The string catalog: every user-facing sentence in French and English."""

from __future__ import annotations

import string
from typing import Any

from bot.config import SUPPORTED_LANGUAGES

# One entry per key, both languages side by side so a missing translation is obvious
# in review; tests check both have every key with the same placeholders.
CATALOG: dict[str, dict[str, str]] = {
    # --- Participation: the counted channels (`/cercle channels`) ---
    "help.cmd.channels": {
        "fr": "les canaux où la participation est comptée",
        "en": "the channels where participation is counted",
    },
    "help.cmd.channels_admin": {
        "fr": "les canaux où la participation est comptée ; en ajouter ou en retirer "
        "(coordination)",
        "en": "the channels where participation is counted; add or remove one (coordinators)",
    },
    "channels.title": {
        "fr": "Canaux où la participation compte",
        "en": "Channels where participation counts",
    },
    "channels.main_line": {
        "fr": "• <#{channel}> : le canal de la communauté (toujours compté)",
        "en": "• <#{channel}>: the community channel (always counted)",
    },
    "channels.line": {
        "fr": "• <#{channel}> : ajouté par <@{user}> le {date}",
        "en": "• <#{channel}>: added by <@{user}> on {date}",
    },
    "channels.none_added": {
        "fr": "Aucun autre canal pour l'instant.",
        "en": "No other channel yet.",
    },
    "channels.footer": {
        "fr": "Cercle n'enregistre que qui a écrit, répondu ou réagi, où et quand : jamais le "
        "texte des messages. Il ne voit que les canaux dont il est membre.",
        "en": "Cercle only records who wrote, replied or reacted, where and when: never the text "
        "of messages. It only sees the channels it is a member of.",
    },
    "channels.added": {
        "fr": "C'est noté : l'activité de <#{channel}> compte désormais. Si Cercle n'y est pas "
        "encore, invitez-le depuis ce canal : `/invite @Cercle`.",
        "en": "Done: activity in <#{channel}> counts from now on. If Cercle isn't in it yet, "
        "invite it from that channel: `/invite @Cercle`.",
    },
    "channels.already": {
        "fr": "<#{channel}> est déjà compté.",
        "en": "<#{channel}> is already counted.",
    },
    "channels.removed": {
        "fr": "<#{channel}> n'est plus compté. Ce qui y a déjà été enregistré reste.",
        "en": "<#{channel}> is no longer counted. What was already recorded there stays.",
    },
    "channels.not_counted": {
        "fr": "<#{channel}> ne faisait pas partie des canaux comptés.",
        "en": "<#{channel}> was not one of the counted channels.",
    },
    "channels.main_always": {
        "fr": "<#{channel}> est le canal de la communauté : il est toujours compté (réglage "
        "`CERCLE_COMMUNITY_CHANNEL`).",
        "en": "<#{channel}> is the community channel: it always counts (setting "
        "`CERCLE_COMMUNITY_CHANNEL`).",
    },
    "channels.bad_channel": {
        "fr": "Je ne reconnais pas le canal `{text}`. Tapez `#` et choisissez le canal dans la "
        "liste, ou donnez son identifiant (en bas de l'onglet « À propos » du canal).",
        "en": "I don't recognise the channel `{text}`. Type `#` and pick the channel from the "
        "list, or give its id (at the bottom of the channel's About tab).",
    },
    "channels.usage": {
        "fr": "Utilisation : `/cercle channels` pour la liste ; pour la coordination, "
        "`/cercle channels add #canal` ou `/cercle channels remove #canal`.",
        "en": "Usage: `/cercle channels` for the list; for coordinators, "
        "`/cercle channels add #channel` or `/cercle channels remove #channel`.",
    },
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
        "fr": "l'état de Cercle : file d'envoi, planificateur, dernières tâches, échecs "
        "(coordination)",
        "en": "Cercle's state: delivery queue, scheduler, last jobs, failures (coordinators)",
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
    "home.waiting": {
        "fr": "En attente de votre avis",
        "en": "Waiting for your view",
    },
    "home.poll_in": {"fr": "dans {channel}", "en": "in {channel}"},
    "home.open_polls": {
        "fr": ":bar_chart: Sondages ouverts : *{count}*",
        "en": ":bar_chart: Open polls: *{count}*",
    },
    "home.open_survey": {
        "fr": ":memo: {title} : *{responded}*/{invited} réponses ({percent} %)",
        "en": ":memo: {title}: *{responded}*/{invited} answers ({percent}%)",
    },
    "home.me_hint": {
        "fr": "Sur les {days} derniers jours. Le détail : `/cercle me`",
        "en": "Over the last {days} days. The details: `/cercle me`",
    },
    "home.failed": {
        "fr": "{count} messages n'ont pas pu être envoyés : `/cercle status`",
        "en": "{count} messages could not be sent: `/cercle status`",
    },
    "home.coordination": {"fr": "Coordination", "en": "Coordination"},
    "home.new_survey": {"fr": "Nouvelle enquête", "en": "New survey"},
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
        "fr": "C'est parti : le fichier CSV arrive dans un instant en message privé.",
        "en": "On its way: the CSV file will be in your direct messages in a moment.",
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
    # Polls
    "help.cmd.poll": {
        "fr": "créer un sondage dans ce canal (sans texte : un formulaire)",
        "en": "create a poll in this channel (no text: a form)",
    },
    "common.cancel": {
        "fr": "Annuler",
        "en": "Cancel",
    },
    "poll.more_voters": {
        "fr": "et {count} autres",
        "en": "and {count} more",
    },
    "poll.votes.one": {
        "fr": "{count} vote",
        "en": "{count} vote",
    },
    "poll.votes.other": {
        "fr": "{count} votes",
        "en": "{count} votes",
    },
    "poll.voters.one": {
        "fr": "{count} votant·e",
        "en": "{count} voter",
    },
    "poll.voters.other": {
        "fr": "{count} votant·es",
        "en": "{count} voters",
    },
    "poll.by": {
        "fr": "Sondage de {creator}",
        "en": "Poll by {creator}",
    },
    "poll.choose_one": {
        "fr": "un seul choix",
        "en": "one choice",
    },
    "poll.choose_up_to": {
        "fr": "jusqu'à {count} choix",
        "en": "up to {count} choices",
    },
    "poll.closes": {
        "fr": "clôture {when}",
        "en": "closes {when}",
    },
    "poll.closed_by": {
        "fr": "Clôturé par {closer} ({when})",
        "en": "Closed by {closer} ({when})",
    },
    "poll.closed_at_deadline": {
        "fr": "Clôturé à l'échéance ({when})",
        "en": "Closed at its deadline ({when})",
    },
    "poll.results_hidden": {
        "fr": "résultats visibles à la clôture",
        "en": "results shown when the poll closes",
    },
    "poll.anonymous_note": {
        "fr": (
            "Sondage anonyme : Cercle n'enregistre pas qui a choisi quoi, seulement une "
            "empreinte chiffrée (sa clé n'est pas dans la base) qui empêche de voter deux fois. "
            "Personne, ni l'auteur·e, ni la coordination, ni qui lirait la base de données, ne "
            "peut voir votre choix. Cercle sait seulement si vous avez voté, pour ne relancer "
            "que les autres."
        ),
        "en": (
            "Anonymous poll: Cercle doesn't record who chose what, only a keyed fingerprint "
            "(its key is not in the database) that stops double votes. Nobody, not the author, "
            "not coordinators, not someone reading the database, can see your choice. Cercle "
            "can only tell whether you voted, so that it reminds only the others."
        ),
    },
    "poll.vote": {
        "fr": "Voter",
        "en": "Vote",
    },
    "poll.add_option": {
        "fr": "➕ Ajouter une option",
        "en": "➕ Add an option",
    },
    "poll.fallback": {
        "fr": "Sondage : {question}",
        "en": "Poll: {question}",
    },
    "poll.manage.close": {
        "fr": "Clôturer le sondage",
        "en": "Close the poll",
    },
    "poll.manage.export": {
        "fr": "Exporter les résultats (CSV)",
        "en": "Export the results (CSV)",
    },
    "poll.manage.delete": {
        "fr": "Supprimer le sondage",
        "en": "Delete the poll",
    },
    "poll.deleted": {
        "fr": "Ce sondage a été supprimé par {user}.",
        "en": "This poll was deleted by {user}.",
    },
    "poll.reminder": {
        "fr": (
            "Petit rappel : le sondage de {channel} se clôture {when} et vous n'avez pas encore "
            "voté.\n*{question}*"
        ),
        "en": (
            "A quick reminder: the poll in {channel} closes {when} and you haven't voted "
            "yet.\n*{question}*"
        ),
    },
    "poll.reminder_once": {
        "fr": "Vous pouvez voter ici ou dans le canal. Un seul rappel par sondage.",
        "en": "You can vote here or in the channel. One reminder per poll, no more.",
    },
    "poll.form.title": {
        "fr": "Nouveau sondage",
        "en": "New poll",
    },
    "poll.form.submit": {
        "fr": "Publier",
        "en": "Post",
    },
    "poll.form.question": {
        "fr": "Question",
        "en": "Question",
    },
    "poll.form.options": {
        "fr": "Options (une par ligne)",
        "en": "Options (one per line)",
    },
    "poll.form.options_hint": {
        "fr": "Entre 2 et {maximum} options, toutes différentes.",
        "en": "Between 2 and {maximum} options, all different.",
    },
    "poll.form.max_choices": {
        "fr": "Nombre de choix par personne",
        "en": "Choices per person",
    },
    "poll.form.closes": {
        "fr": "Clôture (facultatif)",
        "en": "Closes (optional)",
    },
    "poll.form.closes_hint": {
        "fr": "Par exemple : {examples}. À votre heure locale.",
        "en": "For example: {examples}. In your own time zone.",
    },
    "poll.form.options_label": {
        "fr": "Réglages",
        "en": "Settings",
    },
    "poll.form.anonymous": {
        "fr": "*Anonyme* : personne ne voit qui a voté quoi",
        "en": "*Anonymous*: nobody sees who voted what",
    },
    "poll.form.hide_results": {
        "fr": "*Résultats masqués* jusqu'à la clôture",
        "en": "*Hide the results* until it closes",
    },
    "poll.form.allow_new_options": {
        "fr": "*Options ouvertes* : chacun·e peut en ajouter",
        "en": "*Open options*: anyone can add one",
    },
    "poll.form.remind": {
        "fr": "*Rappel* à qui n'a pas voté (avec une clôture)",
        "en": "*Remind* those who haven't voted (needs a deadline)",
    },
    "poll.add_option_title": {
        "fr": "Ajouter une option",
        "en": "Add an option",
    },
    "poll.add_option_submit": {
        "fr": "Ajouter",
        "en": "Add",
    },
    "poll.add_option_label": {
        "fr": "Votre option",
        "en": "Your option",
    },
    "poll.delete_title": {
        "fr": "Supprimer le sondage",
        "en": "Delete the poll",
    },
    "poll.delete_submit": {
        "fr": "Supprimer",
        "en": "Delete",
    },
    "poll.delete_confirm": {
        "fr": (
            "Supprimer le sondage *{question}* ? Ses votes seront effacés et son message "
            "remplacé par une note."
        ),
        "en": (
            "Delete the poll *{question}*? Its votes will be erased and its message replaced by "
            "a note."
        ),
    },
    "poll.posted": {
        "fr": "Votre sondage arrive dans {channel}.",
        "en": "Your poll is on its way to {channel}.",
    },
    "poll.vote_recorded": {
        "fr": ":white_check_mark: Vote enregistré : *{option}*.",
        "en": ":white_check_mark: Vote recorded: *{option}*.",
    },
    "poll.vote_removed": {
        "fr": "Vote retiré : *{option}*.",
        "en": "Vote removed: *{option}*.",
    },
    "poll.your_choices": {
        "fr": "Vos choix : {choices}. Cliquez à nouveau sur une option pour la retirer.",
        "en": "Your choices: {choices}. Click an option again to remove it.",
    },
    "poll.closed_now": {
        "fr": "Sondage clôturé : les résultats définitifs s'affichent.",
        "en": "Poll closed: the final results are shown.",
    },
    "poll.export_title": {
        "fr": "Résultats du sondage : {question}",
        "en": "Poll results: {question}",
    },
    "poll.export_sent": {
        "fr": "Les résultats arrivent dans vos messages privés (fichier CSV).",
        "en": "The results are on their way to your direct messages (CSV file).",
    },
    "poll.csv.row": {
        "fr": "ligne",
        "en": "row",
    },
    "poll.csv.option": {
        "fr": "option",
        "en": "option",
    },
    "poll.csv.votes": {
        "fr": "votes",
        "en": "votes",
    },
    "poll.csv.percent": {
        "fr": "pourcentage",
        "en": "percent",
    },
    "poll.csv.user_id": {
        "fr": "id_membre",
        "en": "user_id",
    },
    "poll.csv.name": {
        "fr": "nom",
        "en": "name",
    },
    "poll.csv.voted_at": {
        "fr": "vote_le",
        "en": "voted_at",
    },
    "poll.error.missing_value": {
        "fr": (
            "L'option `{option}` attend une valeur juste après elle, par exemple `--closes 2h` "
            "ou `--multi 2`."
        ),
        "en": (
            "The option `{option}` needs a value right after it, for example `--closes 2h` or "
            "`--multi 2`."
        ),
    },
    "poll.error.unknown_option": {
        "fr": (
            "Option inconnue : `{option}`. Options possibles : `--multi N`, `--anonymous`, "
            "`--closes <échéance>`, `--hide-results`, `--allow-new-options`, `--remind`."
        ),
        "en": (
            "Unknown option: `{option}`. Available: `--multi N`, `--anonymous`, `--closes "
            "<deadline>`, `--hide-results`, `--allow-new-options`, `--remind`."
        ),
    },
    "poll.error.no_question": {
        "fr": (
            'Il manque la question. Exemple : `/cercle poll "Quel format préférez-vous ?" '
            '"Atelier" "Webinaire"`, ou `/cercle poll` seul pour un formulaire.'
        ),
        "en": (
            'The question is missing. Example: `/cercle poll "Which format do you prefer?" '
            '"Workshop" "Webinar"`, or just `/cercle poll` for a form.'
        ),
    },
    "poll.error.bad_multi": {
        "fr": "`--multi` attend un nombre entre 1 et {maximum}, pas « {value} ».",
        "en": '`--multi` takes a number from 1 to {maximum}, not "{value}".',
    },
    "poll.error.question_too_long": {
        "fr": "La question est trop longue : {maximum} caractères au plus.",
        "en": "The question is too long: {maximum} characters at most.",
    },
    "poll.error.empty_option": {
        "fr": "Une option est vide : donnez un texte à chaque option.",
        "en": "An option is empty: give every option some text.",
    },
    "poll.error.too_few_options": {
        "fr": (
            "Un sondage a besoin d'au moins {minimum} options, chacune entre guillemets : "
            '`"Oui" "Non"`.'
        ),
        "en": 'A poll needs at least {minimum} options, each in quotes: `"Yes" "No"`.',
    },
    "poll.error.too_many_options": {
        "fr": "{maximum} options au plus par sondage.",
        "en": "A poll has {maximum} options at most.",
    },
    "poll.error.option_too_long": {
        "fr": "L'option « {option}… » est trop longue : {maximum} caractères au plus.",
        "en": 'The option "{option}…" is too long: {maximum} characters at most.',
    },
    "poll.error.duplicate_option": {
        "fr": "L'option « {option} » apparaît deux fois : chaque option doit être différente.",
        "en": 'The option "{option}" appears twice: every option must be different.',
    },
    "poll.error.multi_above_options": {
        "fr": (
            "Vous permettez {value} choix pour {count} options : choisissez un nombre plus petit."
        ),
        "en": "You allow {value} choices for {count} options: pick a smaller number.",
    },
    "poll.error.remind_needs_deadline": {
        "fr": "Le rappel part avant la clôture : ajoutez une échéance (par exemple `--closes 3d`).",
        "en": "The reminder goes before the deadline: add one (for example `--closes 3d`).",
    },
    "poll.error.gone": {
        "fr": "Ce sondage n'existe plus (il a peut-être été supprimé).",
        "en": "This poll no longer exists (it may have been deleted).",
    },
    "poll.error.closed": {
        "fr": "Ce sondage est clôturé : il n'accepte plus de votes.",
        "en": "This poll is closed: it no longer takes votes.",
    },
    "poll.error.too_many_choices": {
        "fr": (
            "Vous avez déjà choisi {maximum} options, le maximum pour ce sondage. Retirez-en "
            "une (cliquez-la à nouveau) avant d'en choisir une autre."
        ),
        "en": (
            "You already chose {maximum} options, the most this poll allows. Remove one (click "
            "it again) before choosing another."
        ),
    },
    "poll.error.not_yours": {
        "fr": "Seul·e l'auteur·e du sondage ou la coordination peut faire cela.",
        "en": "Only the poll's author or a coordinator can do that.",
    },
    "poll.error.already_closed": {
        "fr": "Ce sondage est déjà clôturé.",
        "en": "This poll is already closed.",
    },
    "poll.error.no_new_options": {
        "fr": "Ce sondage n'accepte pas de nouvelles options.",
        "en": "This poll doesn't take new options.",
    },
    "poll.error.invite_me": {
        "fr": (
            "Je ne peux pas publier dans cette conversation. Invitez-moi (`/invite @Cercle`) "
            "puis réessayez, ou créez le sondage dans un canal public."
        ),
        "en": (
            "I can't post in this conversation. Invite me (`/invite @Cercle`) and try again, or "
            "create the poll in a public channel."
        ),
    },
    "error.deadline_unparseable": {
        "fr": (
            "Je ne comprends pas l'échéance « {value} ». Exemples : `2h`, `3j`, `demain 17h`, "
            "`vendredi`, `2026-12-01 17:00`."
        ),
        "en": (
            'I don\'t understand the deadline "{value}". Examples: `2h`, `3d`, `tomorrow 5pm`, '
            "`friday`, `2026-12-01 17:00`."
        ),
    },
    "error.deadline_past": {
        "fr": "L'échéance « {value} » est déjà passée : choisissez un moment à venir.",
        "en": 'The deadline "{value}" has already passed: pick a time ahead.',
    },
    "error.deadline_too_far": {
        "fr": "L'échéance « {value} » est à plus d'un an : choisissez une date plus proche.",
        "en": 'The deadline "{value}" is more than a year away: pick a closer date.',
    },
    # Surveys
    "help.cmd.survey": {
        "fr": "enquêtes de besoins : créer, lancer, suivre les réponses, résultats (coordination)",
        "en": "needs surveys: create, launch, follow answers, results (coordinators)",
    },
    "survey.questions.one": {
        "fr": "{count} question",
        "en": "{count} question",
    },
    "survey.questions.other": {
        "fr": "{count} questions",
        "en": "{count} questions",
    },
    "survey.until": {
        "fr": "réponses jusqu'au {when}",
        "en": "answers until {when}",
    },
    "survey.anonymous_note": {
        "fr": (
            "Enquête anonyme : vos réponses sont enregistrées sans votre nom ni l'heure, avec "
            "une empreinte chiffrée (sa clé n'est pas dans la base) qui vous permet de les "
            "modifier. Personne ne peut relier vos réponses à vous ; Cercle sait seulement si "
            "vous avez répondu, pour ne relancer que les autres."
        ),
        "en": (
            "Anonymous survey: your answers are stored without your name or the time, under a "
            "keyed fingerprint (its key is not in the database) that lets you change them. "
            "Nobody can link your answers to you; Cercle only knows whether you answered, to "
            "remind only the others."
        ),
    },
    "survey.answer": {
        "fr": "Répondre",
        "en": "Answer",
    },
    "survey.invitation": {
        "fr": "Enquête de la communauté : {title}",
        "en": "Community survey: {title}",
    },
    "survey.reminder": {
        "fr": (
            "Petit rappel : l'enquête *{title}* se termine {when} et nous n'avons pas encore "
            "votre avis."
        ),
        "en": (
            "A quick reminder: the survey *{title}* ends {when} and we don't have your view yet."
        ),
    },
    "survey.reminder_once": {
        "fr": "Un seul rappel par enquête.",
        "en": "One reminder per survey, no more.",
    },
    "survey.max_choices": {
        "fr": "{count} choix au plus",
        "en": "{count} choices at most",
    },
    "survey.page": {
        "fr": "Page {page} sur {pages}",
        "en": "Page {page} of {pages}",
    },
    "survey.modal_title": {
        "fr": "Enquête",
        "en": "Survey",
    },
    "survey.send": {
        "fr": "Envoyer",
        "en": "Send",
    },
    "survey.next": {
        "fr": "Suivant",
        "en": "Next",
    },
    "survey.thanks": {
        "fr": "Merci ! Vos réponses sont enregistrées.",
        "en": "Thank you! Your answers are saved.",
    },
    "survey.can_change": {
        "fr": "Vous pouvez les modifier jusqu'au {when} : cliquez à nouveau sur Répondre.",
        "en": "You can change them until {when}: click Answer again.",
    },
    "survey.create_title": {
        "fr": "Nouvelle enquête",
        "en": "New survey",
    },
    "survey.create_submit": {
        "fr": "Continuer",
        "en": "Continue",
    },
    "survey.create_intro": {
        "fr": (
            "Adaptez l'enquête ci-dessous : titre, introduction, puis les questions (`type` : "
            "`choix-unique`, `choix-multiple`, `échelle` de 1 à 5 ou `texte`). Vous pourrez la "
            "relire avant de l'envoyer."
        ),
        "en": (
            "Adapt the survey below: title, intro, then the questions (`type`: `single`, "
            "`multiple`, `scale` from 1 to 5, or `text`). You can review it before it is sent."
        ),
    },
    "survey.create_definition": {
        "fr": "L'enquête (format YAML)",
        "en": "The survey (YAML format)",
    },
    "survey.create_closes": {
        "fr": "Fin des réponses (facultatif)",
        "en": "Answers close (optional)",
    },
    "survey.create_remind": {
        "fr": "*Rappel* à qui n'a pas répondu",
        "en": "*Remind* those who haven't answered",
    },
    "survey.anonymous": {
        "fr": "anonyme",
        "en": "anonymous",
    },
    "survey.named": {
        "fr": "réponses nominatives",
        "en": "named answers",
    },
    "survey.with_reminder": {
        "fr": "un rappel avant la fin",
        "en": "one reminder before the end",
    },
    "survey.launch_title": {
        "fr": "Lancer l'enquête",
        "en": "Launch the survey",
    },
    "survey.launch_submit": {
        "fr": "Envoyer",
        "en": "Send",
    },
    "survey.launch_later": {
        "fr": "Plus tard",
        "en": "Later",
    },
    "survey.ready": {
        "fr": (
            "L'enquête n° {number} *{title}* est prête. Elle partira en message privé à {count} "
            "membres de la communauté."
        ),
        "en": (
            "Survey #{number} *{title}* is ready. It will go by direct message to {count} "
            "community members."
        ),
    },
    "survey.launch_later_hint": {
        "fr": "Pas maintenant ? Lancez-la plus tard avec `/cercle survey launch {number}`.",
        "en": "Not now? Launch it later with `/cercle survey launch {number}`.",
    },
    "survey.launched": {
        "fr": "Enquête envoyée à {count} membres.",
        "en": "Survey sent to {count} members.",
    },
    "survey.rate": {
        "fr": "*{responded}* réponses sur {invited} membres invités (*{percent} %*)",
        "en": "*{responded}* answers from {invited} members invited (*{percent}%*)",
    },
    "survey.segment_rate": {
        "fr": "{segment} : {responded}/{invited} ({percent} %)",
        "en": "{segment}: {responded}/{invited} ({percent}%)",
    },
    "survey.segment.newcomer": {
        "fr": "Nouveaux (moins de 3 mois)",
        "en": "Newcomers (under 3 months)",
    },
    "survey.segment.recent": {
        "fr": "Récents (3 à 12 mois)",
        "en": "Recent (3 to 12 months)",
    },
    "survey.segment.long_standing": {
        "fr": "De longue date",
        "en": "Long-standing",
    },
    "survey.answers.one": {
        "fr": "{count} réponse",
        "en": "{count} answer",
    },
    "survey.answers.other": {
        "fr": "{count} réponses",
        "en": "{count} answers",
    },
    "survey.more_answers": {
        "fr": "… et {count} autres dans l'export CSV.",
        "en": "… and {count} more in the CSV export.",
    },
    "survey.average": {
        "fr": "Moyenne : *{average}* / 5",
        "en": "Average: *{average}* / 5",
    },
    "survey.results_anonymous": {
        "fr": (
            "Enquête anonyme : les réponses ne sont liées à personne ; les taux par groupe sont "
            "de simples comptes."
        ),
        "en": "Anonymous survey: answers are linked to no one; rates by group are plain counts.",
    },
    "survey.results_fallback": {
        "fr": "Résultats de l'enquête : {title}",
        "en": "Survey results: {title}",
    },
    "survey.list_title": {
        "fr": "Enquêtes",
        "en": "Surveys",
    },
    "survey.list_empty": {
        "fr": (
            "Aucune enquête pour l'instant. `/cercle survey new` ouvre l'enquête de besoins, "
            "prête à adapter."
        ),
        "en": "No survey yet. `/cercle survey new` opens the needs survey, ready to adapt.",
    },
    "survey.status.closed": {
        "fr": "terminée",
        "en": "closed",
    },
    "survey.status.open": {
        "fr": "en cours",
        "en": "open",
    },
    "survey.status.draft": {
        "fr": "brouillon",
        "en": "draft",
    },
    "survey.list_help": {
        "fr": "`/cercle survey new` · `launch N` · `results N` · `export N` · `close N`",
        "en": "`/cercle survey new` · `launch N` · `results N` · `export N` · `close N`",
    },
    "survey.error.unknown": {
        "fr": "Il n'y a pas d'enquête n° {number} : `/cercle survey` les liste.",
        "en": "There is no survey #{number}: `/cercle survey` lists them.",
    },
    "survey.error.already_launched": {
        "fr": "L'enquête n° {number} est déjà lancée.",
        "en": "Survey #{number} is already launched.",
    },
    "survey.error.deadline_passed": {
        "fr": (
            "La date de fin de l'enquête n° {number} est passée : créez-la à nouveau avec une "
            "autre date."
        ),
        "en": "Survey #{number}'s closing date has passed: create it again with another date.",
    },
    "survey.error.gone": {
        "fr": "Cette enquête n'existe plus.",
        "en": "This survey no longer exists.",
    },
    "survey.error.closed": {
        "fr": "Cette enquête est terminée : elle n'accepte plus de réponses.",
        "en": "This survey is closed: it no longer takes answers.",
    },
    "survey.error.not_invited": {
        "fr": (
            "Cette enquête a été envoyée aux membres de la communauté ; vous n'en faisiez pas "
            "partie au lancement."
        ),
        "en": (
            "This survey was sent to the community's members; you weren't one when it was launched."
        ),
    },
    "survey.error.too_many_choices": {
        "fr": "Choisissez {count} réponses au plus.",
        "en": "Choose {count} answers at most.",
    },
    "survey.error.required": {
        "fr": "Cette question attend une réponse.",
        "en": "This question needs an answer.",
    },
    "survey.error.not_launched": {
        "fr": "L'enquête n° {number} n'est pas encore lancée.",
        "en": "Survey #{number} hasn't been launched yet.",
    },
    "survey.error.already_closed": {
        "fr": "L'enquête n° {number} est déjà terminée.",
        "en": "Survey #{number} is already closed.",
    },
    "survey.error.number_needed": {
        "fr": "Précisez le numéro de l'enquête : `/cercle survey {action} 3`.",
        "en": "Give the survey's number: `/cercle survey {action} 3`.",
    },
    "survey.error.unknown_template": {
        "fr": (
            "Pas de modèle « {name} ». Modèles : `needs` (l'enquête de besoins) ou `blank` (vide)."
        ),
        "en": 'No template "{name}". Templates: `needs` (the needs survey) or `blank`.',
    },
    "survey.error.unknown_action": {
        "fr": (
            "Je ne connais pas `survey {action}`. Essayez `list`, `new`, `launch N`, `results "
            "N`, `export N` ou `close N`."
        ),
        "en": (
            "I don't know `survey {action}`. Try `list`, `new`, `launch N`, `results N`, "
            "`export N` or `close N`."
        ),
    },
    "survey.chart_title": {
        "fr": "Résultats : {title}",
        "en": "Results: {title}",
    },
    "survey.export_title": {
        "fr": "Résultats de l'enquête : {title}",
        "en": "Survey results: {title}",
    },
    "survey.results_posted": {
        "fr": "Résultats et graphique publiés dans {channel}.",
        "en": "Results and chart posted in {channel}.",
    },
    "survey.closed_now": {
        "fr": "Enquête n° {number} terminée : les résultats partent à la coordination.",
        "en": "Survey #{number} closed: the results are on their way to the coordinators.",
    },
    "survey.line": {
        "fr": "ligne {line} :",
        "en": "line {line}:",
    },
    "survey.more_problems": {
        "fr": "… et {count} autres points à corriger.",
        "en": "… and {count} more things to fix.",
    },
    "survey.csv.user_id": {
        "fr": "id_membre",
        "en": "user_id",
    },
    "survey.csv.name": {
        "fr": "nom",
        "en": "name",
    },
    "survey.csv.question": {
        "fr": "question",
        "en": "question",
    },
    "survey.csv.answer": {
        "fr": "réponse",
        "en": "answer",
    },
    "survey.csv.count": {
        "fr": "nombre",
        "en": "count",
    },
    "survey.csv.percent": {
        "fr": "pourcentage",
        "en": "percent",
    },
    "survey.csv.average": {
        "fr": "moyenne",
        "en": "average",
    },
    "survey.blank_template": {
        "fr": (
            "title: Notre enquête\nintro: Quelques questions rapides.\nlanguage: fr\nanonymous: "
            "true\nquestions:\n  - ask: Votre question ?\n    type: choix-unique\n    options: "
            "[Oui, Non]\n  - ask: Une remarque ?\n    type: texte\n    required: non\n"
        ),
        "en": (
            "title: Our survey\nintro: A few quick questions.\nlanguage: en\nanonymous: true\n"
            "questions:\n  - ask: Your question?\n    type: single\n    options: [Yes, No]\n  - "
            "ask: Anything to add?\n    type: text\n    required: no\n"
        ),
    },
    # Problems in a survey's YAML (storage/survey_io.py), shown as `SOURCE:LINE: field: …`.
    # Field names and YAML snippets stay as written in the file, in both languages.
    "survey_file.cannot_read": {
        "fr": "impossible de lire le fichier ({reason})",
        "en": "cannot read the file ({reason})",
    },
    "survey_file.not_utf8": {
        "fr": "ce n'est pas du texte UTF-8 (enregistrez le fichier en UTF-8)",
        "en": "not UTF-8 text (save the file as UTF-8)",
    },
    "survey_file.empty": {
        "fr": "le texte est vide ; il faut une enquête avec title: et questions:",
        "en": "empty; expected a survey with title: and questions:",
    },
    "survey_file.not_a_survey": {
        "fr": "il faut une enquête avec title: et questions:, pas {got}",
        "en": "expected a survey with title: and questions:, got {got}",
    },
    "survey_file.syntax.invalid": {
        "fr": "YAML non valide",
        "en": "not valid YAML",
    },
    "survey_file.syntax.no_hint": {
        "fr": "YAML illisible ici (détail : {problem})",
        "en": "{problem}",
    },
    "survey_file.syntax.with_hint": {
        "fr": "YAML illisible ici : {hint} (détail : {problem})",
        "en": "{problem} ({hint})",
    },
    "survey_file.syntax.quote_not_closed": {
        "fr": "ce guillemet n'est jamais refermé",
        "en": "this quote is never closed",
    },
    "survey_file.syntax.second_document": {
        "fr": "un deuxième document commence ici (une seule enquête par texte : "
        "supprimez la ligne '---')",
        "en": "a second document starts here (one survey per text: remove the '---' line)",
    },
    "survey_file.syntax.too_deep": {
        "fr": "trop de listes ou de champs imbriqués les uns dans les autres",
        "en": "lists or mappings nested too deeply",
    },
    "survey_file.syntax.hint.indentation_or_quotes": {
        "fr": "vérifiez l'indentation, ou mettez entre guillemets un texte qui contient ': '",
        "en": "check the indentation, or put text holding ': ' in quotes",
    },
    "survey_file.syntax.hint.tab": {
        "fr": "indentez avec des espaces, pas des tabulations",
        "en": "indent with spaces, not tabs",
    },
    "survey_file.syntax.hint.indentation": {
        "fr": "vérifiez l'indentation",
        "en": "check the indentation",
    },
    "survey_file.syntax.hint.not_closed": {
        "fr": "un {bracket} n'est pas refermé",
        "en": "a {bracket} is not closed",
    },
    "survey_file.syntax.hint.not_closed_either": {
        "fr": "un {bracket} ou un {brace} n'est pas refermé",
        "en": "a {bracket} or {brace} is not closed",
    },
    "survey_file.syntax.hint.escape": {
        "fr": "entre guillemets doubles, écrivez \\\\ pour une barre oblique inverse",
        "en": "in double quotes write \\\\ for a backslash",
    },
    "survey_file.forbidden_character": {
        "fr": "le caractère {code} n'est pas autorisé ; supprimez-le",
        "en": "character {code} is not allowed; remove it",
    },
    "survey_file.got.mapping": {
        "fr": "des champs (clé : valeur)",
        "en": "fields (a mapping)",
    },
    "survey_file.got.list": {
        "fr": "une liste",
        "en": "a list",
    },
    "survey_file.got.list_of.one": {
        "fr": "une liste de {count} élément",
        "en": "a list of {count}",
    },
    "survey_file.got.list_of.other": {
        "fr": "une liste de {count} éléments",
        "en": "a list of {count}",
    },
    "survey_file.got.text": {
        "fr": "du texte",
        "en": "text",
    },
    "survey_file.field.not_a_word": {
        "fr": "un nom de champ doit être un mot",
        "en": "a field name must be a word",
    },
    "survey_file.field.unknown": {
        "fr": "champ inconnu (champs possibles : {allowed})",
        "en": "unknown field (allowed: {allowed})",
    },
    "survey_file.field.unknown_guess": {
        "fr": "champ inconnu (vouliez-vous dire {guess} ? champs possibles : {allowed})",
        "en": "unknown field (did you mean {guess}? allowed: {allowed})",
    },
    "survey_file.field.twice": {
        "fr": "indiqué deux fois (une première fois ligne {line})",
        "en": "given twice (first at line {line})",
    },
    "survey_file.title.required": {
        "fr": "obligatoire : donnez un titre à l'enquête",
        "en": "required: give the survey a title",
    },
    "survey_file.language.invalid": {
        "fr": "doit valoir fr ou en (et non {value})",
        "en": "must be fr or en (got {value})",
    },
    "survey_file.questions.required": {
        "fr": "obligatoire : une liste de questions (- ask: ..., type: ...)",
        "en": "required: a list of questions (- ask: ..., type: ...)",
    },
    "survey_file.questions.not_a_list": {
        "fr": "il faut une liste de questions, chacune commençant par '- ask:', pas {got}",
        "en": "expected a list of questions, each starting with '- ask:', got {got}",
    },
    "survey_file.questions.empty": {
        "fr": "1 question au moins",
        "en": "at least 1 question",
    },
    "survey_file.questions.too_many": {
        "fr": "{max} questions au plus (en voici {count}) ; supprimez-en {extra} "
        "ou répartissez-les sur deux enquêtes",
        "en": "at most {max} questions (got {count}); remove {extra} or split the survey",
    },
    "survey_file.question.not_fields": {
        "fr": "il faut des champs (ask: ..., type: ...), pas {got}",
        "en": "expected fields (ask: ..., type: ...), got {got}",
    },
    "survey_file.ask.required": {
        "fr": "obligatoire : la question à poser",
        "en": "required: the question to ask",
    },
    "survey_file.type.kinds": {
        "fr": "single, multiple, scale ou text (en français : choix-unique, choix-multiple, "
        "échelle, texte)",
        "en": "single, multiple, scale or text",
    },
    "survey_file.type.required": {
        "fr": "obligatoire : {kinds}",
        "en": "required: {kinds}",
    },
    "survey_file.type.unknown": {
        "fr": "type {word} inconnu : utilisez {kinds}",
        "en": "unknown type {word}: use {kinds}",
    },
    "survey_file.option": {
        "fr": "option {position}",
        "en": "option {position}",
    },
    "survey_file.subject": {
        "fr": "{subject} : {message}",
        "en": "{subject}: {message}",
    },
    "survey_file.options.not_allowed": {
        "fr": "seulement pour les questions single ou multiple (celle-ci est de type {kind}) ; "
        "supprimez-les",
        "en": "only for single or multiple questions (this one is {kind}); remove them",
    },
    "survey_file.options.required": {
        "fr": "obligatoire pour une question {kind} : une liste de {min} à {max} réponses",
        "en": "required for a {kind} question: a list of {min} to {max} answers",
    },
    "survey_file.options.not_a_list": {
        "fr": "il faut une liste, une option par ligne commençant par '- ', pas {got}",
        "en": "expected a list, one option per line starting with '- ', got {got}",
    },
    "survey_file.options.empty_option": {
        "fr": "l'option {position} est vide ; supprimez-la ou remplissez-la",
        "en": "option {position} is empty; remove it or fill it in",
    },
    "survey_file.options.twice": {
        "fr": "{option} figure deux fois (c'est aussi l'option {first})",
        "en": "{option} appears twice (also option {first})",
    },
    "survey_file.options.count": {
        "fr": "de {min} à {max} options (en voici {count})",
        "en": "{min} to {max} options (got {count})",
    },
    "survey_file.max_choices.not_allowed": {
        "fr": "seulement pour les questions multiple (celle-ci est de type {kind})",
        "en": "only for multiple questions (this one is {kind})",
    },
    "survey_file.max_choices.not_a_number": {
        "fr": "doit être un nombre entier (et non {value})",
        "en": "must be a whole number (got {value})",
    },
    "survey_file.max_choices.too_small": {
        "fr": "1 au moins ; retirez ce champ pour ne pas limiter le nombre de choix",
        "en": "at least 1; leave it out to allow any number",
    },
    "survey_file.max_choices.too_large": {
        "fr": "au plus le nombre d'options, soit {count} (et non {value})",
        "en": "at most the number of options, {count} (got {value})",
    },
    "survey_file.scale.not_allowed": {
        "fr": "seulement pour les questions scale (celle-ci est de type {kind}) ; supprimez-le",
        "en": "only for scale questions (this one is {kind}); remove it",
    },
    "survey_file.scale.shape": {
        "fr": "il faut {mapping} ou {pair} : les mots affichés à côté de 1 et de 5",
        "en": "expected {mapping} or {pair}: the words next to 1 and 5",
    },
    "survey_file.scale.missing_one": {
        "fr": "il manque {end} ; {shape}",
        "en": "{end} missing; {shape}",
    },
    "survey_file.scale.missing_both": {
        "fr": "il manque low et high ; {shape}",
        "en": "low and high missing; {shape}",
    },
    "survey_file.scale.wrong_shape": {
        "fr": "{shape} (et non {got})",
        "en": "{shape}, got {got}",
    },
    "survey_file.scale.empty_label": {
        "fr": "vide ; écrivez le mot à afficher à côté du chiffre",
        "en": "empty; write the word shown next to it",
    },
    "survey_file.text.expected": {
        "fr": "il faut du texte, pas {got}",
        "en": "expected text, got {got}",
    },
    "survey_file.text.number": {
        "fr": "il faut du texte, pas le nombre {number} (mettez-le entre guillemets si c'est "
        "bien ce que vous voulez)",
        "en": "expected text, got the number {number} (put it in quotes if you mean it)",
    },
    "survey_file.text.one_line": {
        "fr": "doit tenir sur une seule ligne",
        "en": "must fit on one line",
    },
    "survey_file.text.too_long": {
        "fr": "{max} caractères au plus (en voici {count})",
        "en": "at most {max} characters (got {count})",
    },
    "survey_file.flag.not_text": {
        "fr": "doit valoir oui ou non, ou true ou false, pas {got}",
        "en": "must be true or false, got {got}",
    },
    "survey_file.flag.invalid": {
        "fr": "doit valoir oui ou non, ou true ou false (et non {value})",
        "en": "must be true or false (got {value})",
    },
    # --- Participation: levels, reports (`/cercle stats`, `/cercle me`), weekly digest ---
    "help.cmd.stats": {
        "fr": "la participation : niveaux, premiers pas des nouveaux, canaux, membres devenus "
        "discrets (coordination)",
        "en": "participation: levels, newcomers' first steps, channels, members gone quiet "
        "(coordinators)",
    },
    "help.cmd.me": {
        "fr": "votre participation : vos contributions, votre niveau, vos premiers pas",
        "en": "your participation: what you contributed, your level, your first steps",
    },
    "stats.usage": {
        "fr": "Usage : `/cercle stats`, `/cercle stats 90d` ou `/cercle stats all` "
        "(30 jours par défaut).",
        "en": "Usage: `/cercle stats`, `/cercle stats 90d` or `/cercle stats all` "
        "(30 days by default).",
    },
    "level.core": {"fr": "cœur", "en": "core"},
    "level.active": {"fr": "actif", "en": "active"},
    "level.peripheral": {"fr": "périphérique", "en": "peripheral"},
    "level.inactive": {"fr": "inactif", "en": "inactive"},
    "participation.kind.message": {"fr": "Messages", "en": "Messages"},
    "participation.kind.reply": {"fr": "Réponses en fil", "en": "Thread replies"},
    "participation.kind.reaction": {"fr": "Réactions", "en": "Reactions"},
    "participation.kind.poll_vote": {"fr": "Votes aux sondages", "en": "Poll votes"},
    "participation.kind.survey_response": {"fr": "Réponses aux enquêtes", "en": "Survey answers"},
    "participation.kind.charter_acceptance": {
        "fr": "Chartes acceptées",
        "en": "Charter acceptances",
    },
    "participation.kind.toolbox_visit": {"fr": "Outils ouverts", "en": "Tools opened"},
    "participation.kind.join": {"fr": "Arrivées", "en": "Joins"},
    "participation.kind.leave": {"fr": "Départs", "en": "Departures"},
    "report.title.days": {
        "fr": "Participation : {days} derniers jours",
        "en": "Participation: last {days} days",
    },
    "report.title.all": {
        "fr": "Participation : depuis le début",
        "en": "Participation: since the beginning",
    },
    "report.levels": {"fr": "Niveaux de participation", "en": "Participation levels"},
    "report.members.one": {"fr": "{count} membre", "en": "{count} member"},
    "report.members.other": {"fr": "{count} membres", "en": "{count} members"},
    "report.level_count": {
        "fr": "{level} *{count}* ({percent})",
        "en": "{level} *{count}* ({percent})",
    },
    "report.levels_rule": {
        "fr": "Niveaux d'après Wenger, sur les {days} derniers jours : cœur dès {core} points, "
        "actif dès {active}, périphérique dès {peripheral} ; en dessous, inactif.",
        "en": "Levels after Wenger, over the last {days} days: core from {core} points, active "
        "from {active}, peripheral from {peripheral}; below that, inactive.",
    },
    "report.percent": {"fr": "{percent} %", "en": "{percent}%"},
    "report.delay.under_an_hour": {"fr": "moins d'une heure", "en": "under an hour"},
    "report.delay.hours": {"fr": "{hours} h", "en": "{hours} h"},
    "report.delay.days": {"fr": "{days} j", "en": "{days} d"},
    "report.and_more.one": {"fr": "et {count} autre", "en": "and {count} more"},
    "report.and_more.other": {"fr": "et {count} autres", "en": "and {count} more"},
    "report.funnel.title": {
        "fr": "Premiers pas des nouveaux membres",
        "en": "Newcomers' first steps",
    },
    "report.funnel.nobody": {
        "fr": "Personne n'est arrivé·e sur la période.",
        "en": "Nobody joined in this period.",
    },
    "report.funnel.joined": {"fr": "• Arrivé·es : *{count}*", "en": "• Joined: *{count}*"},
    "report.funnel.step": {
        "fr": "• {step} : *{count}* ({percent}) · médiane {delay} après l'arrivée",
        "en": "• {step}: *{count}* ({percent}) · median {delay} after joining",
    },
    "report.funnel.accepted": {"fr": "Charte acceptée", "en": "Accepted the charter"},
    "report.funnel.first_message": {"fr": "Premier message", "en": "First message"},
    "report.funnel.first_answer": {
        "fr": "Premier vote ou réponse à une enquête",
        "en": "First vote or survey answer",
    },
    "report.top.title": {"fr": "Les plus actif·ves", "en": "Most active members"},
    "report.top.line": {
        "fr": "{rank}. {name} · {points} points ({level})",
        "en": "{rank}. {name} · {points} points ({level})",
    },
    "report.top.nobody": {
        "fr": "Aucune activité sur la période.",
        "en": "No activity in this period.",
    },
    "report.channels.title": {
        "fr": "Activité des canaux comptés",
        "en": "Activity in counted channels",
    },
    "report.channel": {
        "fr": "• {channel} : *{total}* ({messages} messages, {replies} réponses en fil, "
        "{reactions} réactions)",
        "en": "• {channel}: *{total}* ({messages} messages, {replies} thread replies, "
        "{reactions} reactions)",
    },
    "report.channels.more.one": {
        "fr": "… et {count} autre canal",
        "en": "… and {count} more channel",
    },
    "report.channels.more.other": {
        "fr": "… et {count} autres canaux",
        "en": "… and {count} more channels",
    },
    "report.quiet.title": {
        "fr": "Devenu·es discret·ètes ({count}) : actif·ves ou au cœur il y a peu, rien "
        "depuis {days} jours",
        "en": "Just went quiet ({count}): active or core until recently, nothing for {days} days",
    },
    "report.quiet.nobody": {"fr": "Personne, tant mieux !", "en": "Nobody, good news!"},
    "report.stats.footer": {
        "fr": "Chiffres tirés des comptes quotidiens (jours UTC) ; le texte des messages n'est "
        "jamais lu. Le détail pour un tableur : `cercle report --format csv`.",
        "en": "Figures from daily counts (UTC days); the text of messages is never read. For a "
        "spreadsheet: `cercle report --format csv`.",
    },
    "report.anonymous.one": {
        "fr": "{count} vote ou réponse anonyme, compté sans personne.",
        "en": "{count} anonymous vote or answer, counted for nobody.",
    },
    "report.anonymous.other": {
        "fr": "{count} votes ou réponses anonymes, comptés sans personne.",
        "en": "{count} anonymous votes or answers, counted for nobody.",
    },
    "me.title": {"fr": "Votre participation", "en": "Your participation"},
    "me.acts": {
        "fr": "Bonjour {name} ! Voici ce que vous avez apporté à la communauté ces {days} "
        "derniers jours :",
        "en": "Hi {name}! Here is what you brought to the community over the last {days} days:",
    },
    "me.no_acts": {
        "fr": "Bonjour {name} ! Rien de noté ces {days} derniers jours, et ce n'est pas grave : "
        "un message, une réaction ou un vote suffit pour commencer.",
        "en": "Hi {name}! Nothing recorded over the last {days} days, and that's fine: a "
        "message, a reaction or a vote is all it takes to start.",
    },
    "me.count.message.one": {"fr": "{count} message", "en": "{count} message"},
    "me.count.message.other": {"fr": "{count} messages", "en": "{count} messages"},
    "me.count.reply.one": {"fr": "{count} réponse dans un fil", "en": "{count} thread reply"},
    "me.count.reply.other": {
        "fr": "{count} réponses dans des fils",
        "en": "{count} thread replies",
    },
    "me.count.reaction.one": {"fr": "{count} réaction", "en": "{count} reaction"},
    "me.count.reaction.other": {"fr": "{count} réactions", "en": "{count} reactions"},
    "me.count.poll_vote.one": {"fr": "{count} vote à un sondage", "en": "{count} poll vote"},
    "me.count.poll_vote.other": {"fr": "{count} votes à des sondages", "en": "{count} poll votes"},
    "me.count.survey_response.one": {
        "fr": "{count} enquête à laquelle vous avez répondu",
        "en": "{count} survey answered",
    },
    "me.count.survey_response.other": {
        "fr": "{count} enquêtes auxquelles vous avez répondu",
        "en": "{count} surveys answered",
    },
    "me.count.charter_acceptance.one": {
        "fr": "{count} acceptation de la charte",
        "en": "{count} charter acceptance",
    },
    "me.count.charter_acceptance.other": {
        "fr": "{count} acceptations de la charte",
        "en": "{count} charter acceptances",
    },
    "me.count.toolbox_visit.one": {"fr": "{count} outil ouvert", "en": "{count} tool opened"},
    "me.count.toolbox_visit.other": {"fr": "{count} outils ouverts", "en": "{count} tools opened"},
    "me.level.core": {
        "fr": ":star2: Vous êtes au *{level}* de la communauté, avec {points} points : merci de "
        "la faire vivre !",
        "en": ":star2: You are at the *{level}* of the community, with {points} points: thank "
        "you for keeping it alive!",
    },
    "me.level.active": {
        "fr": ":raised_hands: Niveau *{level}*, avec {points} points : votre participation "
        "compte, merci !",
        "en": ":raised_hands: Level: *{level}*, with {points} points. Your participation "
        "counts, thank you!",
    },
    "me.level.peripheral": {
        "fr": ":eyes: Niveau *{level}*, avec {points} points : suivre ce qui se passe, c'est "
        "déjà participer.",
        "en": ":eyes: Level: *{level}*, with {points} points. Following along is already "
        "taking part.",
    },
    "me.level.inactive": {
        "fr": ":seedling: Plutôt discret·ète ces temps-ci ({points} points) : une réaction ou un "
        "vote suffit pour revenir dans le mouvement.",
        "en": ":seedling: Rather quiet lately ({points} points): a reaction or a vote is "
        "enough to get back into the swing of things.",
    },
    "me.next.one": {
        "fr": "Encore {count} point pour passer au niveau *{level}*.",
        "en": "{count} more point to reach *{level}*.",
    },
    "me.next.other": {
        "fr": "Encore {count} points pour passer au niveau *{level}*.",
        "en": "{count} more points to reach *{level}*.",
    },
    "me.steps": {"fr": "Vos premiers pas", "en": "Your first steps"},
    "me.step.joined": {"fr": "Arrivée dans la communauté", "en": "Joined the community"},
    "me.step.accepted": {"fr": "Charte acceptée", "en": "Accepted the charter"},
    "me.step.first_message": {"fr": "Premier message", "en": "First message"},
    "me.step.first_answer": {
        "fr": "Premier vote ou réponse à une enquête",
        "en": "First vote or survey answer",
    },
    "me.step.done": {
        "fr": ":white_check_mark: {step} : {date}",
        "en": ":white_check_mark: {step}: {date}",
    },
    "me.step.not_yet": {
        "fr": ":white_circle: {step} : pas encore",
        "en": ":white_circle: {step}: not yet",
    },
    "me.weight": {"fr": "{kind} {points}", "en": "{kind} {points}"},
    "me.footer": {
        "fr": "Points sur {days} jours : {weights}. Vous seul·e voyez ce message.",
        "en": "Points over {days} days: {weights}. Only you can see this.",
    },
    "digest.title": {"fr": "Le point de la semaine {week}", "en": "Weekly digest, week {week}"},
    "digest.span": {
        "fr": "Les sept derniers jours, du {first} au {last}",
        "en": "The last seven days, {first} to {last}",
    },
    "digest.new.title": {
        "fr": "Nouveaux membres cette semaine : {count}",
        "en": "New members this week: {count}",
    },
    "digest.new.none": {"fr": "Pas de nouvelle arrivée.", "en": "No one new this week."},
    "digest.funnel.title": {
        "fr": "Premiers pas des arrivé·es des {days} derniers jours",
        "en": "First steps of those who joined in the last {days} days",
    },
    "digest.pending.title": {
        "fr": "Charte pas encore acceptée : {count}",
        "en": "Charter not yet accepted: {count}",
    },
    "digest.pending.none": {
        "fr": "Tout le monde a accepté la charte.",
        "en": "Everyone has accepted the charter.",
    },
    "digest.open.title": {"fr": "Sondages et enquêtes en cours", "en": "Open polls and surveys"},
    "digest.open.poll.one": {
        "fr": ":bar_chart: « {question} » dans {channel} : {count} membre a voté ({percent})",
        "en": ":bar_chart: “{question}” in {channel}: {count} member voted ({percent})",
    },
    "digest.open.poll.other": {
        "fr": ":bar_chart: « {question} » dans {channel} : {count} membres ont voté ({percent})",
        "en": ":bar_chart: “{question}” in {channel}: {count} members voted ({percent})",
    },
    "digest.open.survey": {
        "fr": ":memo: {title} : {responded}/{invited} réponses ({percent})",
        "en": ":memo: {title}: {responded}/{invited} answers ({percent})",
    },
    "digest.open.none": {"fr": "Aucun en cours.", "en": "None open."},
    "digest.quiet.title": {
        "fr": "Devenu·es discret·ètes (rien depuis deux semaines) : {count}",
        "en": "Went quiet (nothing for two weeks): {count}",
    },
    "digest.quiet.none": {"fr": "Personne cette semaine.", "en": "Nobody this week."},
    "digest.below.title": {
        "fr": "Sous le minimum de participation ({minimum} point par semaine, sur {weeks} "
        "semaines) : {count}",
        "en": "Below the minimum of participation ({minimum} point a week, over {weeks} "
        "weeks): {count}",
    },
    "digest.below.none": {"fr": "Personne : bravo !", "en": "Nobody: well done!"},
    "digest.nudged.one": {
        "fr": "{count} membre a reçu un petit mot d'encouragement de Cercle ces sept derniers "
        "jours.",
        "en": "{count} member got a gentle word of encouragement from Cercle in the last seven "
        "days.",
    },
    "digest.nudged.other": {
        "fr": "{count} membres ont reçu un petit mot d'encouragement de Cercle ces sept derniers "
        "jours.",
        "en": "{count} members got a gentle word of encouragement from Cercle in the last seven "
        "days.",
    },
    "digest.footer": {
        "fr": ":chart_with_upwards_trend: Le graphique de l'activité suit. Le détail : "
        "`/cercle stats` · changer le jour ou l'heure de ce point : `/cercle schedule`.",
        "en": ":chart_with_upwards_trend: The activity chart follows. Details: `/cercle stats` "
        "· move this digest: `/cercle schedule`.",
    },
    "digest.chart.title": {
        "fr": "Activité par semaine ({weeks} dernières semaines)",
        "en": "Activity per week (last {weeks} weeks)",
    },
    "nudge.participation.intro": {
        "fr": "Bonjour {name} ! Cela fait quelque temps qu'on ne vous a pas croisé·e dans la "
        "communauté, et vous nous manquez. Pas besoin d'en faire beaucoup : voici quelques "
        "façons simples de reprendre contact.",
        "en": "Hi {name}! We haven't seen you around the community for a little while, and we "
        "miss you. No need to do much: here are a few easy ways back in.",
    },
    "nudge.participation.poll": {
        "fr": ":ballot_box_with_ballot: Donner votre avis sur « {question} » ({channel}) : un "
        "clic suffit.",
        "en": ":ballot_box_with_ballot: Give your view on “{question}” ({channel}): one click "
        "is enough.",
    },
    "nudge.participation.tool": {
        "fr": ":toolbox: Jeter un œil à *{title}*, un outil de la boîte à outils que vous "
        "n'avez pas encore ouvert.",
        "en": ":toolbox: Take a look at *{title}*, a tool from the toolbox you haven't opened yet.",
    },
    "nudge.participation.question": {
        "fr": ":speech_balloon: Poser une question dans {channel} : petite ou grande, quelqu'un "
        "aura une idée.",
        "en": ":speech_balloon: Ask a question in {channel}: big or small, someone will have "
        "an idea.",
    },
    "nudge.participation.why": {
        "fr": "Un seul message de ce genre, promis. `/cercle snooze 2w` pour une pause, "
        "`/cercle nudges off toolbox` pour ne plus recevoir de suggestions.",
        "en": "Just this one message, promised. `/cercle snooze 2w` for a break, "
        "`/cercle nudges off toolbox` to stop suggestions.",
    },
    "schedule.what.weekly_digest": {
        "fr": "le point hebdomadaire de participation, dans le canal de coordination",
        "en": "the weekly participation digest, in the coordinators' channel",
    },
    "schedule.what.participation_nudges": {
        "fr": "un mot d'encouragement aux membres sous le minimum de participation",
        "en": "a word of encouragement to members below the minimum of participation",
    },
    "day.mon": {"fr": "lundi", "en": "Monday"},
    "day.tue": {"fr": "mardi", "en": "Tuesday"},
    "day.wed": {"fr": "mercredi", "en": "Wednesday"},
    "day.thu": {"fr": "jeudi", "en": "Thursday"},
    "day.fri": {"fr": "vendredi", "en": "Friday"},
    "day.sat": {"fr": "samedi", "en": "Saturday"},
    "day.sun": {"fr": "dimanche", "en": "Sunday"},
    # --- Roles and permissions ---
    "error.facilitators_only": {
        "fr": "Seules les personnes qui facilitent ou coordonnent la communauté peuvent faire "
        "cela. Demandez le rôle de facilitation à la coordination (`/cercle role` dit qui "
        "coordonne).",
        "en": "Only the community's facilitators and coordinators can do that. Ask a "
        "coordinator for the facilitator role (`/cercle role` says who coordinates).",
    },
    "role.name.member": {"fr": "membre", "en": "member"},
    "role.name.facilitator": {"fr": "facilitateur·rice", "en": "facilitator"},
    "role.name.coordinator": {"fr": "coordinateur·rice", "en": "coordinator"},
    "role.title": {"fr": "Les rôles dans la communauté", "en": "Roles in the community"},
    "role.coordinators": {"fr": "Coordination", "en": "Coordinators"},
    "role.facilitators": {"fr": "Facilitation", "en": "Facilitators"},
    "role.nobody": {"fr": "_personne pour l'instant_", "en": "_nobody yet_"},
    "role.source.setting": {
        "fr": "par le réglage `CERCLE_ADMINS`",
        "en": "from the setting `CERCLE_ADMINS`",
    },
    "role.source.workspace_admin": {
        "fr": "admin de l'espace de travail (`CERCLE_WORKSPACE_ADMINS_COORDINATE`)",
        "en": "workspace admin (`CERCLE_WORKSPACE_ADMINS_COORDINATE`)",
    },
    "role.source.granted": {
        "fr": "donné par <@{by}> le {date}",
        "en": "granted by <@{by}> on {date}",
    },
    "role.source.granted_unknown": {"fr": "donné le {date}", "en": "granted on {date}"},
    "role.footer": {
        "fr": "Tout le monde est membre : voter, répondre, consulter. La facilitation crée aussi "
        "des sondages et des enquêtes et accueille les nouveaux ; la coordination peut tout "
        "faire. Coordination : `/cercle role grant @quelqu'un facilitator|coordinator` ou "
        "`/cercle role revoke @quelqu'un facilitator|coordinator`.",
        "en": "Everyone is a member: vote, answer, browse. Facilitators also create polls and "
        "surveys and welcome newcomers; coordinators can do everything. Coordinators: "
        "`/cercle role grant @someone facilitator|coordinator` or "
        "`/cercle role revoke @someone facilitator|coordinator`.",
    },
    "role.usage": {
        "fr": "Utilisation : `/cercle role` pour voir qui a quel rôle ; pour la coordination, "
        "`/cercle role grant @quelqu'un facilitator|coordinator` ou "
        "`/cercle role revoke @quelqu'un facilitator|coordinator`.",
        "en": "Usage: `/cercle role` to see who has which role; for coordinators, "
        "`/cercle role grant @someone facilitator|coordinator` or "
        "`/cercle role revoke @someone facilitator|coordinator`.",
    },
    "role.error.no_user": {
        "fr": "Je ne trouve pas de membre dans « {text} » : mentionnez la personne avec @ en la "
        "choisissant dans la liste. Utilisation : `/cercle role grant @quelqu'un "
        "facilitator|coordinator`.",
        "en": "I can't find a member in “{text}”: mention the person with @, picking them from "
        "the list. Usage: `/cercle role grant @someone facilitator|coordinator`.",
    },
    "role.error.unknown_role": {
        "fr": "« {word} » n'est pas un rôle : les rôles sont `facilitator` (facilitation) et "
        "`coordinator` (coordination). Utilisation : `/cercle role grant @quelqu'un "
        "facilitator|coordinator`.",
        "en": "“{word}” is not a role: the roles are `facilitator` and `coordinator`. "
        "Usage: `/cercle role grant @someone facilitator|coordinator`.",
    },
    "role.error.bot": {
        "fr": "<@{user}> est un bot : seules les personnes peuvent avoir un rôle.",
        "en": "<@{user}> is a bot: only people can have a role.",
    },
    "role.error.unknown_user": {
        "fr": "Slack ne connaît personne avec l'identifiant `{user}` dans cet espace de travail.",
        "en": "Slack knows nobody with the id `{user}` in this workspace.",
    },
    "role.error.already_by_setting": {
        "fr": "<@{user}> coordonne déjà par le réglage `CERCLE_ADMINS` : rien à changer.",
        "en": "<@{user}> already coordinates through the setting `CERCLE_ADMINS`: nothing to "
        "change.",
    },
    "role.error.already.facilitator": {
        "fr": "<@{user}> a déjà le rôle de facilitation.",
        "en": "<@{user}> is already a facilitator.",
    },
    "role.error.already.coordinator": {
        "fr": "<@{user}> a déjà le rôle de coordination.",
        "en": "<@{user}> is already a coordinator.",
    },
    "role.error.last_coordinator": {
        "fr": "<@{user}> est la dernière personne à coordonner la communauté : donnez d'abord le "
        "rôle à quelqu'un d'autre.",
        "en": "<@{user}> is the community's last coordinator: grant the role to someone else "
        "first.",
    },
    "role.error.from_setting": {
        "fr": "<@{user}> coordonne par le réglage `CERCLE_ADMINS` : une commande ne peut pas "
        "retirer ce rôle, il faut changer le réglage (et redémarrer Cercle).",
        "en": "<@{user}> coordinates through the setting `CERCLE_ADMINS`: a command cannot take "
        "that role away, the setting must change (then restart Cercle).",
    },
    "role.error.from_workspace_admin": {
        "fr": "<@{user}> coordonne en tant qu'admin de l'espace de travail "
        "(`CERCLE_WORKSPACE_ADMINS_COORDINATE`) : il faut changer ce réglage ou ses droits "
        "dans Slack.",
        "en": "<@{user}> coordinates as a workspace admin (`CERCLE_WORKSPACE_ADMINS_COORDINATE`): "
        "that setting, or their rights in Slack, must change.",
    },
    "role.error.not_granted.facilitator": {
        "fr": "<@{user}> n'a pas reçu le rôle de facilitation : rien à retirer.",
        "en": "<@{user}> was not granted the facilitator role: nothing to revoke.",
    },
    "role.error.not_granted.coordinator": {
        "fr": "<@{user}> n'a pas reçu le rôle de coordination : rien à retirer.",
        "en": "<@{user}> was not granted the coordinator role: nothing to revoke.",
    },
    "role.granted": {
        "fr": ":white_check_mark: <@{user}> a maintenant le rôle {role}.",
        "en": ":white_check_mark: <@{user}> is now {role}.",
    },
    "role.revoked": {
        "fr": ":white_check_mark: <@{user}> n'a plus le rôle {role}.",
        "en": ":white_check_mark: <@{user}> is no longer {role}.",
    },
    "role.now": {
        "fr": "Son rôle reste {role} par une autre voie (voir `/cercle role`).",
        "en": "Their role stays {role} through another source (see `/cercle role`).",
    },
    "role.notice.granted": {
        "fr": "<@{by}> vous a donné le rôle {role} dans la communauté. `/cercle help` montre ce "
        "que vous pouvez faire.",
        "en": "<@{by}> made you {role} in the community. `/cercle help` shows what you can do.",
    },
    "role.notice.revoked": {
        "fr": "<@{by}> vous a retiré le rôle {role} dans la communauté.",
        "en": "<@{by}> took your {role} role in the community away.",
    },
    "help.cmd.role": {
        "fr": "qui facilite et qui coordonne la communauté",
        "en": "who facilitates and who coordinates the community",
    },
    "help.cmd.role_admin": {
        "fr": "les rôles ; `grant` ou `revoke @quelqu'un facilitator|coordinator` pour les donner "
        "ou les retirer",
        "en": "the roles; `grant` or `revoke @someone facilitator|coordinator` to give or take "
        "one away",
    },
    "help.cmd.survey_facilitator": {
        "fr": "enquêtes de besoins : créer, lancer, suivre les réponses, résultats (facilitation)",
        "en": "needs surveys: create, launch, follow answers, results (facilitators)",
    },
    "help.your_role": {
        "fr": "Votre rôle : *{role}*.",
        "en": "Your role: *{role}*.",
    },
    # --- Privacy: my data, forget me, tracking ---
    "help.cmd.my_data": {
        "fr": "recevoir en message privé un fichier de tout ce que Cercle garde sur vous",
        "en": "get a file of everything Cercle keeps about you, by direct message",
    },
    "help.cmd.forget_me": {
        "fr": "faire effacer par Cercle tout ce qu'il garde sur vous",
        "en": "have Cercle erase everything it keeps about you",
    },
    "help.cmd.tracking": {
        "fr": "voir ou choisir si votre participation est comptée à votre nom ou anonymement",
        "en": "see or choose whether your participation is counted by name or anonymously",
    },
    "privacy.former_member": {
        "fr": "[ancien·ne membre]",
        "en": "[former member]",
    },
    "privacy.my_data.on_its_way": {
        "fr": ":package: C'est parti : le fichier de vos données arrive dans vos messages "
        "privés avec Cercle d'ici quelques instants.",
        "en": ":package: On its way: the file of your data will reach your direct messages "
        "with Cercle in a few moments.",
    },
    "privacy.my_data.title": {
        "fr": "Vos données dans Cercle",
        "en": "Your data in Cercle",
    },
    "privacy.my_data.comment": {
        "fr": "Voici tout ce que Cercle garde sous votre identifiant Slack, avec pourquoi et "
        "combien de temps. Pour tout effacer : `/cercle forget-me`.",
        "en": "Here is everything Cercle keeps under your Slack id, with why and for how "
        "long. To erase it all: `/cercle forget-me`.",
    },
    "privacy.my_data.too_large": {
        "fr": "Vos données dépassent ce qu'un fichier Slack de Cercle peut porter. Demandez-les "
        "au ou à la délégué·e à la protection des données : `cercle my-data` les extrait.",
        "en": "Your data is more than a Cercle file in Slack can carry. Ask the data protection "
        "officer for it: `cercle my-data` extracts it.",
    },
    "privacy.export.about": {
        "fr": "Tout ce que Cercle garde sous votre identifiant Slack, table par table. Cercle "
        "n'enregistre jamais le texte de vos messages : seulement qui, quoi, où et quand.",
        "en": "Everything Cercle keeps under your Slack id, table by table. Cercle never "
        "records the text of your messages: only who, what kind, where and when.",
    },
    "privacy.export.anonymous": {
        "fr": "Vos votes aux sondages anonymes et vos réponses aux questionnaires anonymes ne "
        "figurent pas ici : ils sont anonymes par conception, rangés sous une empreinte "
        "chiffrée et non sous votre identifiant, et personne ne peut les relier à vous en "
        "lisant la base de données.",
        "en": "Your votes in anonymous polls and your answers to anonymous surveys are not "
        "here: they are anonymous by design, stored under an encrypted fingerprint rather "
        "than your id, and nobody reading the database can link them to you.",
    },
    "privacy.export.why.profile": {
        "fr": "Votre nom, langue et fuseau horaire Slack pour vous parler correctement, votre "
        "présence dans le canal de la communauté, vos choix de relances et votre rôle. "
        "Gardés tant que vous êtes membre ; le profil est relu dans Slack chaque semaine.",
        "en": "Your Slack name, language and time zone to speak to you properly, whether you "
        "are in the community channel, your nudge choices and your role. Kept while you "
        "are a member; the profile is read again from Slack every week.",
    },
    "privacy.export.why.onboarding": {
        "fr": "Votre acceptation de la charte (avec vos réponses facultatives) et votre accueil. "
        "Gardés tant que vous êtes membre, pour savoir qui a accepté quelle version.",
        "en": "Your acceptance of the charter (with your optional answers) and your welcome. "
        "Kept while you are a member, to know who accepted which version.",
    },
    "privacy.export.why.participation": {
        "fr": "Qui a écrit, répondu, réagi, voté, répondu à un questionnaire ou ouvert un outil, "
        "où et quand, pour les niveaux de participation et les rapports. Détail gardé "
        "{months} mois, puis réduit à des comptes anonymes.",
        "en": "Who wrote, replied, reacted, voted, answered a survey or opened a tool, where "
        "and when, for participation levels and reports. Details kept {months} months, "
        "then reduced to anonymous counts.",
    },
    "privacy.export.why.polls": {
        "fr": "Vos votes aux sondages nominatifs (affichés sous chaque option) et les sondages "
        "que vous avez créés ou clôturés. Gardés aussi longtemps que le sondage.",
        "en": "Your votes in named polls (shown under each option) and the polls you created "
        "or closed. Kept as long as the poll.",
    },
    "privacy.export.why.surveys": {
        "fr": "Les questionnaires qui vous ont été envoyés, vos réponses aux questionnaires "
        "nominatifs et ceux que vous avez lancés. Gardés aussi longtemps que le questionnaire.",
        "en": "The surveys sent to you, your answers to named surveys and the surveys you "
        "ran. Kept as long as the survey.",
    },
    "privacy.export.why.authored": {
        "fr": "Ce que vous avez écrit ou modifié pour la communauté (charte, textes, outils, "
        "horaires, canaux comptés, rôles donnés), signé de votre identifiant.",
        "en": "What you wrote or changed for the community (charter, texts, tools, schedules, "
        "counted channels, roles granted), signed with your id.",
    },
    "privacy.export.why.messages": {
        "fr": "Quand Cercle vous a écrit et quel genre de message, pour envoyer chaque message "
        "une seule fois. Le contenu des messages envoyés est effacé après 30 jours.",
        "en": "When Cercle wrote to you and what kind of message, to send each message exactly "
        "once. What sent messages said is erased after 30 days.",
    },
    "privacy.forget.title": {
        "fr": "M'oublier",
        "en": "Forget me",
    },
    "privacy.forget.submit": {
        "fr": "Tout effacer",
        "en": "Erase everything",
    },
    "privacy.forget.intro": {
        "fr": "*Cercle va effacer ce qu'il garde sur vous.* Pour en recevoir d'abord une copie : "
        "`/cercle my-data`.",
        "en": "*Cercle will erase what it keeps about you.* To get a copy first: "
        "`/cercle my-data`.",
    },
    "privacy.forget.erased": {
        "fr": "*Effacé :*\n• votre nom, langue, fuseau horaire et premiers pas dans la communauté\n"
        "• vos acceptations de la charte et vos réponses (attentes, intérêts)\n"
        "• votre accueil, vos préférences de relances, votre rôle\n"
        "• le détail de votre participation et vos votes et réponses nominatifs (votre nom "
        "disparaît des sondages)\n"
        "• les messages que Cercle ne vous a pas encore envoyés",
        "en": "*Erased:*\n• your name, language, time zone and first steps in the community\n"
        "• your charter acceptances and your answers (hopes, interests)\n"
        "• your welcome, your nudge preferences, your role\n"
        "• the details of your participation, and your named votes and answers (your name "
        "leaves the polls)\n"
        "• the messages Cercle has not sent you yet",
    },
    "privacy.forget.kept": {
        "fr": "*Ce qui reste, sans votre identité :* les comptes de participation de la "
        "communauté (vos actes s'y ajoutent aux actes anonymes), les votes et réponses "
        "anonymes, ce que vous avez écrit pour la communauté (sans votre nom). *Sous votre "
        "identifiant :* seulement le fait que vous êtes dans le canal de la communauté, pour "
        "que Cercle ne vous accueille pas à nouveau comme un·e nouveau·elle. Les messages "
        "déjà publiés dans Slack restent dans Slack.",
        "en": "*What stays, without your identity:* the community's participation counts "
        "(your acts join the anonymous ones), anonymous votes and answers, what you wrote "
        "for the community (without your name). *Under your id:* only the fact that you are "
        "in the community channel, so Cercle doesn't welcome you again as a newcomer. "
        "Messages already posted in Slack stay in Slack.",
    },
    "privacy.forget.tracking_label": {
        "fr": "Et ensuite ?",
        "en": "And from now on?",
    },
    "privacy.forget.stop_tracking": {
        "fr": "Ne plus compter mon activité à mon nom à partir de maintenant",
        "en": "Also stop counting my activity by name from now on",
    },
    "privacy.forget.irreversible": {
        "fr": "C'est définitif : Cercle ne pourra rien rétablir.",
        "en": "This cannot be undone: Cercle will not be able to restore anything.",
    },
    "privacy.forgotten.done": {
        "fr": ":white_check_mark: C'est fait : Cercle a effacé ce qu'il gardait sur vous.",
        "en": ":white_check_mark: Done: Cercle erased what it kept about you.",
    },
    "privacy.forgotten.tracking_off": {
        "fr": "Votre activité ne sera plus comptée qu'anonymement. Pour changer d'avis : "
        "`/cercle tracking on`.",
        "en": "Your activity will only be counted anonymously. To change your mind: "
        "`/cercle tracking on`.",
    },
    "privacy.forgotten.tracking_on": {
        "fr": "Si vous continuez à participer, Cercle recommencera à compter votre activité, "
        "à partir de zéro. Pour l'en empêcher : `/cercle tracking off`.",
        "en": "If you keep taking part, Cercle will count your activity again, from zero. To "
        "stop it: `/cercle tracking off`.",
    },
    "privacy.tracking.is_on": {
        "fr": "Votre participation est comptée à votre nom : elle fait vos niveaux et apparaît "
        "dans les rapports de la coordination.",
        "en": "Your participation is counted by name: it makes your levels and shows in the "
        "coordinators' reports.",
    },
    "privacy.tracking.is_off": {
        "fr": "Votre participation n'est comptée qu'anonymement : elle s'ajoute aux totaux de "
        "la communauté, sans votre nom.",
        "en": "Your participation is only counted anonymously: it adds to the community's "
        "totals, without your name.",
    },
    "privacy.tracking.now_off": {
        "fr": ":white_check_mark: À partir de maintenant, votre participation n'est comptée "
        "qu'anonymement. Ce qui était déjà compté reste ; pour l'effacer : "
        "`/cercle forget-me`.",
        "en": ":white_check_mark: From now on, your participation is only counted "
        "anonymously. What was already counted stays; to erase it: `/cercle forget-me`.",
    },
    "privacy.tracking.now_on": {
        "fr": ":white_check_mark: À partir de maintenant, votre participation est de nouveau "
        "comptée à votre nom.",
        "en": ":white_check_mark: From now on, your participation is counted by name again.",
    },
    "privacy.tracking.how": {
        "fr": "`/cercle tracking off` : anonymement · `/cercle tracking on` : à votre nom · "
        "`/cercle my-data` : ce que Cercle garde sur vous",
        "en": "`/cercle tracking off`: anonymously · `/cercle tracking on`: by name · "
        "`/cercle my-data`: what Cercle keeps about you",
    },
    "privacy.tracking.usage": {
        "fr": "Utilisation : `/cercle tracking`, `/cercle tracking off` ou `/cercle tracking on`.",
        "en": "Usage: `/cercle tracking`, `/cercle tracking off` or `/cercle tracking on`.",
    },
    # --- Hostile and bad input ---
    "edit.blank": {
        "fr": "Ce texte ne peut pas être vide : la charte existe en français et en anglais.",
        "en": "This text can't be empty: the charter exists in French and in English.",
    },
    "error.usage_line": {
        "fr": "Utilisation : `{usage}`",
        "en": "Usage: `{usage}`",
    },
    # --- Operations: status, logs ---
    "status.leader": {
        "fr": "*Planificateur :* `{host}` (pid {pid}, processus `{process}`), à la tête depuis "
        "{since} ; dernier signe de vie {heartbeat}",
        "en": "*Scheduler:* `{host}` (pid {pid}, process `{process}`), leading since {since}; "
        "last heartbeat {heartbeat}",
    },
    "status.no_leader": {
        "fr": "*Planificateur :* aucun processus ne le fait tourner (le bot est-il lancé ?)",
        "en": "*Scheduler:* no process runs it (is the bot running?)",
    },
    "status.jobs_title": {
        "fr": "*Tâches planifiées (dernière exécution)*",
        "en": "*Scheduled jobs (last run)*",
    },
    "status.no_jobs": {
        "fr": "*Tâches planifiées :* aucune n'a encore tourné.",
        "en": "*Scheduled jobs:* none has run yet.",
    },
    "status.job_line": {
        "fr": "`{job}` : {outcome}, {when} ({duration}), processus `{process}`",
        "en": "`{job}`: {outcome}, {when} ({duration}), process `{process}`",
    },
    "status.job_error": {
        "fr": "      ↳ {error}",
        "en": "      ↳ {error}",
    },
    "status.outcome.ok": {"fr": ":white_check_mark: réussie", "en": ":white_check_mark: ok"},
    "status.outcome.failed": {"fr": ":x: en échec", "en": ":x: failed"},
    "status.outcome.running": {"fr": ":hourglass: en cours", "en": ":hourglass: running"},
    "status.running_for": {"fr": "en cours", "en": "still running"},
    "status.failed_title": {
        "fr": "*Envois en échec (les {count} plus récents)*",
        "en": "*Failed deliveries (latest {count})*",
    },
    "status.no_failed": {
        "fr": "*Envois en échec :* aucun.",
        "en": "*Failed deliveries:* none.",
    },
    "status.failed_line": {
        "fr": "#{id} `{method}` vers `{address}`, {attempts} essai(s) : {error}",
        "en": "#{id} `{method}` to `{address}`, {attempts} attempt(s): {error}",
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


def tn(message_key: str, count: int, language: str, /, **values: Any) -> str:
    """Return the singular (`.one`) or plural (`.other`) form of `message_key` for `count`."""
    # French treats 0 and 1 as singular ("0 vote"); English only 1.
    singular = count in (0, 1) if language == "fr" else count == 1
    return t(f"{message_key}.{'one' if singular else 'other'}", language, count=count, **values)


def t(message_key: str, language: str, /, **values: Any) -> str:
    """Return the string `message_key` in `language` (falling back to English), filled in."""
    entry = CATALOG[message_key]
    template = entry.get(language) or entry["en"]
    return template.format(**values) if values else template
