"""Onboarding flows: each function changes state and queues the messages it causes.

Nothing here calls Slack: the messages go to the outbox in the caller's transaction,
so a welcome, an acceptance or a claim and what it announces commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.i18n import normalize_language, t
from bot.ui import onboarding as ui
from bot.ui.common import without_broadcasts
from storage.charter import (
    binding_version,
    current_charter,
    latest_acceptance,
    members_to_reask,
    publish_charter,
    record_acceptance,
)
from storage.community import PURPOSE, get_text
from storage.guards import charter_pending_guard
from storage.members import get_member
from storage.models import CharterVersion, OutboxStatus, utcnow
from storage.onboarding import (
    active_interests,
    claim_newcomer,
    get_newcomer,
    mark_welcomed,
    note_join,
    pending_newcomers,
)
from storage.outbox import (
    cancel_unsent,
    enqueue_invite,
    enqueue_message,
    enqueue_update,
    find_row,
)


def community_purpose(db: Session, language: str) -> str:
    """Return the community's purpose as coordinators wrote it (as shown), else the shipped one."""
    edited = get_text(db, PURPOSE)
    if edited is None:
        return t("purpose.default", language)
    return without_broadcasts(edited.text_fr if language == "fr" else edited.text_en)


def member_name(db: Session, user_id: str) -> str:
    """Return how to greet a member: their display name, else a mention."""
    member = get_member(db, user_id)
    return member.display_name if member and member.display_name else f"<@{user_id}>"


def member_language(db: Session, settings: Settings, user_id: str) -> str:
    """Return the language to write to `user_id` in, from their stored Slack locale."""
    member = get_member(db, user_id)
    return normalize_language(member.locale if member else None, settings.language)


def welcome_newcomer(
    db: Session, settings: Settings, user_id: str, *, now: datetime | None = None
) -> bool:
    """Record a join and, if the member is to be welcomed, queue the welcome; True if so."""
    now = now or utcnow()
    outcome = note_join(db, user_id, now=now)
    if not outcome.welcome:
        return False
    charter = current_charter(db)
    language = member_language(db, settings, user_id)
    welcome_key = f"welcome:{user_id}:v{charter.version}:{now:%Y%m%d}"
    enqueue_message(
        db,
        key=welcome_key,
        address=user_id,
        **ui.build_welcome_message(
            name=member_name(db, user_id),
            purpose=community_purpose(db, language),
            charter=charter,
            user_id=user_id,
            language=language,
        ),
    )
    announcement_key = None
    if settings.coordinators_channel:
        announcement_key = f"newcomer:{user_id}:{now:%Y%m%d}"
        enqueue_message(
            db,
            key=announcement_key,
            address=settings.coordinators_channel,
            **ui.build_newcomer_announcement(
                user_id=user_id, greeter_id=None, language=settings.language
            ),
        )
    mark_welcomed(
        outcome.newcomer,
        version=charter.version,
        welcome_key=welcome_key,
        announcement_key=announcement_key,
        now=now,
    )
    return True


@dataclass(frozen=True)
class JoinAnswers:
    """What a member said when accepting: all optional unless the setting requires them."""

    hopes: str | None = None
    interests: tuple[str, ...] = ()
    may_introduce: bool = False


def accept_charter(
    db: Session,
    settings: Settings,
    *,
    user_id: str,
    version: int,
    answers: JoinAnswers,
    now: datetime | None = None,
) -> bool:
    """Record the member's acceptance of `version` and queue what follows; False if a repeat.

    A repeated acceptance (double click, a second modal) changes nothing and queues
    nothing, so every message below goes out once.
    """
    first_ever = latest_acceptance(db, user_id) is None
    valid_interests = {topic.key: topic for topic in active_interests(db)}
    chosen = [key for key in answers.interests if key in valid_interests]
    if not record_acceptance(
        db,
        user_id=user_id,
        version=version,
        hopes=answers.hopes,
        interests=chosen,
        may_introduce=answers.may_introduce,
        now=now,
    ):
        return False
    language = member_language(db, settings, user_id)
    name = member_name(db, user_id)
    cancel_unsent(db, address=user_id, key_prefix=f"reminder:{user_id}:")
    if version >= binding_version(db):
        cancel_unsent(db, address=user_id, key_prefix=f"reaccept:{user_id}:")

    # Turn the message the member clicked into a plain "accepted" note.
    newcomer = get_newcomer(db, user_id)
    asked_with = {f"reaccept:{user_id}:v{version}": True}
    if newcomer is not None and newcomer.welcome_key:
        asked_with[newcomer.welcome_key] = False
    for key, reacceptance in asked_with.items():
        row = find_row(db, key)
        if row is not None and row.status not in (OutboxStatus.FAILED, OutboxStatus.SUPERSEDED):
            enqueue_update(
                db,
                key=f"{key}:accepted",
                target_key=key,
                address=user_id,
                **ui.build_accepted_message(
                    name=name, version=version, language=language, reacceptance=reacceptance
                ),
            )

    enqueue_message(
        db,
        key=f"thanks:{user_id}:v{version}",
        address=user_id,
        **ui.build_thanks_message(
            name=name, community_channel=settings.community_channel, language=language
        ),
    )
    if settings.community_channel:
        enqueue_invite(
            db,
            key=f"invite:{user_id}:v{version}",
            channel=settings.community_channel,
            user_id=user_id,
        )
        if first_ever and answers.may_introduce:
            labels = [ui.topic_label(valid_interests[key], settings.language) for key in chosen]
            enqueue_message(
                db,
                key=f"intro:{user_id}",
                address=settings.community_channel,
                **ui.build_intro_post(
                    user_id=user_id,
                    hopes=answers.hopes,
                    interest_labels=labels,
                    language=settings.language,
                ),
            )
    if settings.coordinators_channel:
        enqueue_message(
            db,
            key=f"accepted:{user_id}:v{version}",
            address=settings.coordinators_channel,
            **ui.build_accepted_line(user_id=user_id, version=version, language=settings.language),
        )
    return True


def claim_for_greeting(
    db: Session, settings: Settings, *, user_id: str, greeter_id: str
) -> str | None:
    """Let `greeter_id` claim the newcomer; return the claim's holder (None if unknown)."""
    holder = claim_newcomer(db, user_id=user_id, greeter_id=greeter_id)
    newcomer = get_newcomer(db, user_id)
    if holder == greeter_id and newcomer is not None and newcomer.announcement_key:
        enqueue_update(
            db,
            key=f"{newcomer.announcement_key}:claimed",
            target_key=newcomer.announcement_key,
            address=settings.coordinators_channel,
            coalesce_key=f"announcement:{user_id}",
            **ui.build_newcomer_announcement(
                user_id=user_id, greeter_id=greeter_id, language=settings.language
            ),
        )
    return holder


def publish_new_charter(
    db: Session,
    settings: Settings,
    *,
    author_id: str,
    text_fr: str,
    text_en: str,
    summary_fr: str,
    summary_en: str,
    requires_reacceptance: bool,
) -> tuple[int, int]:
    """Publish a charter version; ask earlier signatories again if needed.

    Returns the new version number and how many members are asked to accept it.
    """
    charter = publish_charter(
        db,
        author_id=author_id,
        text_fr=text_fr,
        text_en=text_en,
        summary_fr=summary_fr,
        summary_en=summary_en,
        requires_reacceptance=requires_reacceptance,
    )
    asked = members_to_reask(db, charter.version) if requires_reacceptance else []
    for user_id in asked:
        language = member_language(db, settings, user_id)
        enqueue_message(
            db,
            key=f"reaccept:{user_id}:v{charter.version}",
            address=user_id,
            nudge_category="reminders",
            guard=charter_pending_guard(user_id),
            **ui.build_reacceptance_message(
                name=member_name(db, user_id), charter=charter, user_id=user_id, language=language
            ),
        )
    if settings.coordinators_channel:
        reaccept = (
            t("edit.published_reaccept", settings.language, count=len(asked))
            if requires_reacceptance
            else ""
        )
        text = t(
            "edit.published",
            settings.language,
            author=author_id,
            version=charter.version,
            reaccept=reaccept,
        )
        enqueue_message(
            db,
            key=f"charter-published:v{charter.version}",
            address=settings.coordinators_channel,
            text=text,
        )
    return charter.version, len(asked)


@dataclass(frozen=True)
class FollowUpReport:
    """What one follow-up run did."""

    reminded: tuple[str, ...]
    escalated: tuple[str, ...]
    unreachable: tuple[tuple[str, str], ...]


def follow_up_newcomers(
    db: Session, settings: Settings, *, now: datetime | None = None
) -> FollowUpReport:
    """Remind newcomers who have not accepted, and tell coordinators who needs a human.

    A reminder waits for the member's working hours (their own time zone) and carries a
    guard, so the dispatcher drops it if the member accepts before it goes out. After the
    last reminder, and for members Cercle cannot DM, coordinators get one list.
    """
    now = now or utcnow()
    interval = timedelta(days=settings.reminder_days)
    charter = current_charter(db)
    reminded: list[str] = []
    escalated: list[str] = []
    unreachable: list[tuple[str, str]] = []
    for newcomer in pending_newcomers(db):
        # Follow-ups are for newcomers who never accepted: a member asked to accept a new
        # version is not a newcomer, and their welcome date says nothing about that request.
        if newcomer.welcomed_at is None or latest_acceptance(db, newcomer.user_id) is not None:
            continue
        welcome = find_row(db, newcomer.welcome_key) if newcomer.welcome_key else None
        if welcome is not None and welcome.status == OutboxStatus.FAILED:
            if newcomer.unreachable_reported_at is None:
                newcomer.unreachable_reported_at = now
                unreachable.append((newcomer.user_id, welcome.last_error or "?"))
            continue
        if newcomer.reminders_sent < settings.reminder_count:
            if now >= newcomer.welcomed_at + interval * (newcomer.reminders_sent + 1):
                newcomer.reminders_sent += 1
                _queue_reminder(
                    db,
                    settings,
                    newcomer.user_id,
                    charter,
                    newcomer.reminders_sent,
                    newcomer.welcomed_at,
                )
                reminded.append(newcomer.user_id)
        elif newcomer.escalated_at is None and now >= newcomer.welcomed_at + interval * (
            settings.reminder_count + 1
        ):
            newcomer.escalated_at = now
            escalated.append(newcomer.user_id)
    if settings.coordinators_channel and (escalated or unreachable):
        enqueue_message(
            db,
            key=f"onboarding-follow-up:{now:%Y%m%dT%H%M}",
            address=settings.coordinators_channel,
            **ui.build_follow_up_report(
                escalated=escalated,
                unreachable=unreachable,
                reminder_count=settings.reminder_count,
                language=settings.language,
            ),
        )
    return FollowUpReport(tuple(reminded), tuple(escalated), tuple(unreachable))


def _queue_reminder(
    db: Session,
    settings: Settings,
    user_id: str,
    charter: CharterVersion,
    number: int,
    welcomed: datetime,
) -> None:
    """Queue reminder `number` of the welcome of `welcomed` (a nudge: courtesy applies)."""
    enqueue_message(
        db,
        key=f"reminder:{user_id}:v{charter.version}:{welcomed:%Y%m%d}:{number}",
        address=user_id,
        nudge_category="reminders",
        guard=charter_pending_guard(user_id),
        **ui.build_reminder_message(
            name=member_name(db, user_id),
            charter=charter,
            user_id=user_id,
            language=member_language(db, settings, user_id),
        ),
    )
