"""Fingerprints that keep anonymous ballots anonymous while stopping double votes.

An anonymous poll or survey stores, instead of the member's id, an HMAC of the member
and the ballot box under a key that is not in the database. Someone reading the
database (a backup, an export, a curious administrator) cannot tell whose vote a row
is; the running bot, which holds the key, can still see that a member already voted,
let them change their vote, and remind those who haven't. The fingerprint differs from
one poll to the next, so rows of two polls cannot be matched to each other either.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.config import Settings

FINGERPRINT_PREFIX = "h:"


def _key(settings: Settings) -> bytes:
    if settings.anonymity_secret:
        return settings.anonymity_secret.encode()
    # Derived from secrets that are also outside the database (see .env.example).
    material = settings.slack_signing_secret or settings.slack_app_token or settings.slack_bot_token
    return hashlib.sha256(b"cercle anonymous ballots\x00" + material.encode()).digest()


def fingerprint(settings: Settings, ballot_box: str, user_id: str) -> str:
    """Return the anonymous stand-in for `user_id` in `ballot_box` ("poll:12", "survey:3")."""
    digest = hmac.new(_key(settings), f"{ballot_box}\x00{user_id}".encode(), hashlib.sha256)
    return FINGERPRINT_PREFIX + digest.hexdigest()


def voter_id(settings: Settings, ballot_box: str, user_id: str, *, anonymous: bool) -> str:
    """Return what a ballot stores for `user_id`: their id, or their fingerprint if anonymous."""
    return fingerprint(settings, ballot_box, user_id) if anonymous else user_id
