"""Privacy by design: what Cercle holds about one member, erasing it, and retention.

Functions take the session first and never commit; the caller's transaction decides.

- `collect_member_data` gathers everything stored under a member's user id, one function
  per group of tables (`profile_data`, `onboarding_data`, ...). `PERSONAL_TABLES` names
  the group that reads each table able to hold a user id, and `IMPERSONAL_TABLES` says
  why the others never do: a test checks that together they cover the whole schema.
  Anonymous poll votes and survey answers are stored under a keyed fingerprint, not
  the user id: they are anonymous by design and left out.
- `erase_member` forgets a member in the caller's one transaction (see its docstring
  for what goes, what is kept without their id, and the bare rows that stay).
- The retention steps (`purge_old_events`, `purge_old_visits`, `fold_old_daily`,
  `blank_old_payloads`) each handle one bounded batch, so the nightly job commits as it
  goes instead of holding one long transaction over a big table.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import JSON, MetaData, String, Text, bindparam, cast, delete, inspect, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    CharterAcceptance,
    CharterVersion,
    CommunityChannel,
    CommunityText,
    DirectMessageChannel,
    Member,
    MemberPreference,
    Newcomer,
    OutboxMessage,
    OutboxStatus,
    ParticipationDaily,
    ParticipationEvent,
    Poll,
    PollOption,
    PollVote,
    RoleGrant,
    Schedule,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyRespondent,
    SurveySegmentCount,
    ToolboxItem,
    ToolboxVisit,
    utcnow,
)
from storage.outbox import FILE_UPLOAD
from storage.participation import ANONYMOUS, MESSAGE, NEVER_REFRESHED, REACTION, REPLY

EXPORT_FORMAT = "cercle-my-data/1"
# Slack user ids: what `erase_member` accepts (never "" — the anonymous counts' id).
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
# Acts kept, without anyone's id, when their member is forgotten: the channels' activity
# in `/cercle stats` is read from events, and must not change when someone leaves.
CHANNEL_KINDS = (MESSAGE, REPLY, REACTION)
# Delivered messages keep their row, key and status (the keys stop a second send), but
# what they said is blanked after this many days.
OUTBOX_PAYLOAD_KEEP_DAYS = 30
_FINISHED = (OutboxStatus.SENT, OutboxStatus.SUPERSEDED, OutboxStatus.FAILED)
_UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)
CANCELLED_FOR_ERASURE = "cancelled: the member it concerned asked to be forgotten"

# Each table able to hold a member's user id, and the export group that reads it.
PERSONAL_TABLES: dict[str, str] = {
    "members": "profile",
    "member_preferences": "profile",
    "role_grants": "profile",  # their role; `authored` lists the roles they granted
    "dm_channels": "profile",
    "charter_acceptances": "onboarding",
    "newcomers": "onboarding",
    "participation_events": "participation",
    "participation_daily": "participation",
    "toolbox_visits": "participation",
    "poll_votes": "polls",
    "polls": "polls",
    "survey_invitations": "surveys",
    "survey_respondents": "surveys",
    "survey_answers": "surveys",
    "surveys": "surveys",
    "community_texts": "authored",
    "charter_versions": "authored",
    "toolbox_items": "authored",
    "schedules": "authored",
    "community_channels": "authored",
    "outbox_messages": "messages",
}
# The tables that never hold a user id, and why.
IMPERSONAL_TABLES: dict[str, str] = {
    "processed_events": "Slack event ids and types only",
    "interest_topics": "the topics coordinators offer",
    "poll_options": "the options' text, never who typed it",
    "survey_questions": "the coordinators' questions",
    "survey_segment_counts": "how many of a segment answered, never who",
    "dispatcher_processes": "host names and process ids of bot processes",
    "job_runs": "scheduled jobs' last runs",
}


def _plain(value: Any) -> Any:
    """Return `value` as JSON can hold it (times in ISO 8601, UTC)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(entity: Any) -> dict[str, Any] | None:
    """Return every column of an ORM row as plain data (None for no row)."""
    if entity is None:
        return None
    return {
        attribute.key: _plain(getattr(entity, attribute.key))
        for attribute in inspect(type(entity)).column_attrs
    }


def _rows(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Return result rows (from a select of columns) as plain dicts."""
    return [{key: _plain(value) for key, value in row._mapping.items()} for row in rows]


# ------------------------------------------------------------------ what we hold


def profile_data(db: Session, user_id: str) -> dict[str, Any]:
    """Return the member's profile, nudge preferences, role and DM channel."""
    return {
        "members": _row(db.get(Member, user_id)),
        "member_preferences": _row(db.get(MemberPreference, user_id)),
        "role_grants": _row(db.get(RoleGrant, user_id)),
        "dm_channels": _row(db.get(DirectMessageChannel, user_id)),
    }


def onboarding_data(db: Session, user_id: str) -> dict[str, Any]:
    """Return their charter acceptances (with their answers) and their onboarding record."""
    acceptances = db.scalars(
        select(CharterAcceptance)
        .where(CharterAcceptance.user_id == user_id)
        .order_by(CharterAcceptance.version)
    )
    greeted = db.execute(
        select(Newcomer.greeter_claimed_at.label("claimed_at"))
        .where(Newcomer.greeter_id == user_id)
        .order_by(Newcomer.greeter_claimed_at)
    )
    return {
        "charter_acceptances": [_row(acceptance) for acceptance in acceptances],
        "newcomers": _row(db.get(Newcomer, user_id)),
        # That they greeted someone, and when; who it was is that person's data.
        "newcomers_you_greeted": _rows(greeted),
    }


def participation_data(db: Session, user_id: str) -> dict[str, Any]:
    """Return their recorded acts, their daily counts and the tools they opened."""
    events = db.execute(
        select(
            ParticipationEvent.kind,
            ParticipationEvent.channel_id,
            ParticipationEvent.occurred_at,
            ParticipationEvent.source_key,
        )
        .where(ParticipationEvent.user_id == user_id)
        .order_by(ParticipationEvent.occurred_at, ParticipationEvent.id)
    )
    daily = db.execute(
        select(ParticipationDaily.day, ParticipationDaily.kind, ParticipationDaily.count)
        .where(ParticipationDaily.user_id == user_id)
        .order_by(ParticipationDaily.day, ParticipationDaily.kind)
    )
    visits = db.execute(
        select(
            ToolboxVisit.visited_at,
            ToolboxVisit.item_id,
            ToolboxItem.title.label("item_title"),
        )
        .join(ToolboxItem, ToolboxItem.id == ToolboxVisit.item_id)
        .where(ToolboxVisit.user_id == user_id)
        .order_by(ToolboxVisit.visited_at, ToolboxVisit.id)
    )
    return {
        "participation_events": _rows(events),
        "participation_daily": _rows(daily),
        "toolbox_visits": _rows(visits),
    }


def poll_data(db: Session, user_id: str) -> dict[str, Any]:
    """Return their named votes and the polls they created or closed."""
    votes = db.execute(
        select(
            Poll.id.label("poll_id"),
            Poll.question,
            Poll.channel_id,
            PollOption.label.label("option"),
            PollVote.voted_at,
        )
        .join(Poll, Poll.id == PollVote.poll_id)
        .join(PollOption, PollOption.id == PollVote.option_id)
        .where(PollVote.voter == user_id)
        .order_by(Poll.id, PollOption.position)
    )
    created = db.execute(
        select(
            Poll.id.label("poll_id"),
            Poll.question,
            Poll.channel_id,
            Poll.anonymous,
            Poll.created_at,
            Poll.closes_at,
            Poll.closed_at,
        )
        .where(Poll.creator_id == user_id)
        .order_by(Poll.id)
    )
    closed = db.execute(
        select(Poll.id.label("poll_id"), Poll.question, Poll.closed_at)
        .where(Poll.closed_by == user_id)
        .order_by(Poll.id)
    )
    return {
        "poll_votes": _rows(votes),
        "polls_created": _rows(created),
        "polls_closed": _rows(closed),
    }


def survey_data(db: Session, user_id: str) -> dict[str, Any]:
    """Return the surveys sent to them, their named answers, and surveys they ran."""
    invitations = db.execute(
        select(
            SurveyInvitation.survey_id,
            Survey.title,
            SurveyInvitation.segment,
            SurveyInvitation.invited_at,
        )
        .join(Survey, Survey.id == SurveyInvitation.survey_id)
        .where(SurveyInvitation.user_id == user_id)
        .order_by(SurveyInvitation.survey_id)
    )
    completed = dict(
        db.execute(
            select(SurveyRespondent.survey_id, SurveyRespondent.completed_at).where(
                SurveyRespondent.respondent == user_id
            )
        ).all()
    )
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for survey_id, prompt, kind, value in db.execute(
        select(
            SurveyAnswer.survey_id, SurveyQuestion.prompt, SurveyQuestion.kind, SurveyAnswer.value
        )
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyAnswer.respondent == user_id)
        .order_by(SurveyAnswer.survey_id, SurveyQuestion.position)
    ):
        answers[survey_id].append({"question": prompt, "kind": kind, "value": value})
    titles = dict(
        db.execute(
            select(Survey.id, Survey.title).where(Survey.id.in_(set(completed) | set(answers)))
        ).all()
    )
    responses = [
        {
            "survey_id": survey_id,
            "title": titles.get(survey_id),
            "completed_at": _plain(completed.get(survey_id)),
            "finished": survey_id in completed,
            "answers": answers.get(survey_id, []),
        }
        for survey_id in sorted(set(completed) | set(answers))
    ]
    created = db.execute(
        select(
            Survey.id.label("survey_id"),
            Survey.title,
            Survey.created_at,
            Survey.launched_at,
            Survey.closed_at,
        )
        .where(Survey.created_by == user_id)
        .order_by(Survey.id)
    )
    closed = db.execute(
        select(Survey.id.label("survey_id"), Survey.title, Survey.closed_at)
        .where(Survey.closed_by == user_id)
        .order_by(Survey.id)
    )
    return {
        "survey_invitations": _rows(invitations),
        # survey_respondents and survey_answers, together.
        "survey_responses": responses,
        "surveys_created": _rows(created),
        "surveys_closed": _rows(closed),
    }


def authored_data(db: Session, user_id: str) -> dict[str, Any]:
    """Return what they wrote or changed for the community, signed with their id."""
    return {
        "charter_versions": _rows(
            db.execute(
                select(CharterVersion.version, CharterVersion.created_at)
                .where(CharterVersion.author_id == user_id)
                .order_by(CharterVersion.version)
            )
        ),
        "community_texts": _rows(
            db.execute(
                select(CommunityText.key, CommunityText.updated_at)
                .where(CommunityText.updated_by == user_id)
                .order_by(CommunityText.key)
            )
        ),
        "toolbox_items": _rows(
            db.execute(
                select(ToolboxItem.id, ToolboxItem.key, ToolboxItem.title, ToolboxItem.created_at)
                .where(ToolboxItem.author_id == user_id)
                .order_by(ToolboxItem.id)
            )
        ),
        "schedules": _rows(
            db.execute(
                select(Schedule.name, Schedule.updated_at)
                .where(Schedule.updated_by == user_id)
                .order_by(Schedule.name)
            )
        ),
        "community_channels": _rows(
            db.execute(
                select(CommunityChannel.channel_id, CommunityChannel.added_at)
                .where(CommunityChannel.added_by == user_id)
                .order_by(CommunityChannel.channel_id)
            )
        ),
        # Roles they granted, and when; to whom is that person's data.
        "role_grants_given": _rows(
            db.execute(
                select(RoleGrant.role, RoleGrant.granted_at)
                .where(RoleGrant.granted_by == user_id)
                .order_by(RoleGrant.granted_at)
            )
        ),
    }


def _their_addresses(db: Session, user_id: str) -> list[str]:
    """Return the addresses outbox rows to the member use: their id and their DM channel."""
    dm = db.scalar(
        select(DirectMessageChannel.channel_id).where(DirectMessageChannel.user_id == user_id)
    )
    return [user_id, dm] if dm else [user_id]


def message_data(db: Session, user_id: str) -> dict[str, Any]:
    """Return when Cercle wrote to them and what kind of message (never what it said)."""
    rows = db.execute(
        select(
            OutboxMessage.kind,
            OutboxMessage.method,
            OutboxMessage.status,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
        )
        .where(OutboxMessage.address.in_(_their_addresses(db, user_id)))
        .order_by(OutboxMessage.id)
    )
    return {"outbox_messages": _rows(rows)}


# Export group -> the function that reads it, in the order the file lists them.
EXPORT_GROUPS: dict[str, Callable[[Session, str], dict[str, Any]]] = {
    "profile": profile_data,
    "onboarding": onboarding_data,
    "participation": participation_data,
    "polls": poll_data,
    "surveys": survey_data,
    "authored": authored_data,
    "messages": message_data,
}


def collect_member_data(db: Session, user_id: str) -> dict[str, Any]:
    """Return everything stored under `user_id`, by export group."""
    return {group: read(db, user_id) for group, read in EXPORT_GROUPS.items()}


# ------------------------------------------------------------------ erasure


@dataclass
class Erasure:
    """What forgetting one member changed, table by table."""

    user_id: str
    tracking_off: bool
    # table -> what happened -> how many rows.
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    # Polls whose message named them: re-rendered without them by the caller.
    polls_to_refresh: list[int] = field(default_factory=list)

    def note(self, table: str, what: str, count: int) -> None:
        """Add `count` rows of `table` to what happened to them (nothing for 0)."""
        if count:
            done = self.changes.setdefault(table, {})
            done[what] = done.get(what, 0) + count

    def summary_lines(self) -> list[str]:
        """Return one line per table, for the data protection officer's terminal."""
        lines = []
        for table in sorted(self.changes):
            parts = ", ".join(f"{count} {what}" for what, count in self.changes[table].items())
            lines.append(f"  {table + ':':<22} {parts}")
        return lines


def _insert(db: Session) -> Any:
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def _mentions(user_id: str) -> re.Pattern[str]:
    """Match `user_id` as a whole id (not inside a longer one), e.g. in keys and payloads."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(user_id)}(?![A-Za-z0-9])")


def _day_start(moment: datetime) -> datetime:
    """Return midnight UTC of `moment`'s day: an anonymous act keeps its day only."""
    return datetime.combine(moment.astimezone(UTC).date(), time(0), UTC)


def _add_anonymous_counts(db: Session, counts: dict[tuple[date, str], int]) -> None:
    """Add counts to the anonymous daily rows (user_id ""), creating them as needed."""
    rows = [
        {"day": day, "user_id": ANONYMOUS, "kind": kind, "count": count}
        for (day, kind), count in sorted(counts.items())
        if count > 0
    ]
    if not rows:
        return
    statement = _insert(db)(ParticipationDaily)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "user_id", "kind"],
            set_={"count": ParticipationDaily.count + statement.excluded.count},
        ),
        rows,
    )


def _erase_participation(db: Session, erasure: Erasure, user_id: str) -> None:
    """Fold daily counts into anonymous ones; keep channel acts and visits without the id."""
    daily = db.execute(
        select(ParticipationDaily.day, ParticipationDaily.kind, ParticipationDaily.count).where(
            ParticipationDaily.user_id == user_id
        )
    ).all()
    _add_anonymous_counts(db, {(day, kind): count for day, kind, count in daily})
    db.execute(delete(ParticipationDaily).where(ParticipationDaily.user_id == user_id))
    erasure.note("participation_daily", "folded into anonymous counts", len(daily))

    events = ParticipationEvent.__table__
    kept = db.execute(
        select(ParticipationEvent.id, ParticipationEvent.occurred_at).where(
            ParticipationEvent.user_id == user_id, ParticipationEvent.kind.in_(CHANNEL_KINDS)
        )
    ).all()
    if kept:
        # Who, and which message (its key holds the message's Slack timestamp), go; the
        # channel, the kind and the day stay, so channel activity reports do not change.
        db.execute(
            sql_update(events)
            .where(events.c.id == bindparam("event_id"))
            .values(
                user_id=ANONYMOUS,
                source_key=bindparam("anonymous_key"),
                occurred_at=bindparam("day_start"),
            ),
            [
                {
                    "event_id": event_id,
                    "anonymous_key": f"anonymous:{event_id}",
                    "day_start": _day_start(at),
                }
                for event_id, at in kept
            ],
        )
    erasure.note("participation_events", "kept without their id", len(kept))
    deleted = db.execute(
        delete(ParticipationEvent).where(ParticipationEvent.user_id == user_id)
    ).rowcount
    erasure.note("participation_events", "deleted", int(deleted or 0))

    visits = ToolboxVisit.__table__
    opened = db.execute(
        select(ToolboxVisit.id, ToolboxVisit.visited_at).where(ToolboxVisit.user_id == user_id)
    ).all()
    if opened:
        # The tool keeps its visit (what is popular), dated to the day, without a visitor.
        db.execute(
            sql_update(visits)
            .where(visits.c.id == bindparam("visit_id"))
            .values(user_id=ANONYMOUS, visited_at=bindparam("day_start")),
            [{"visit_id": visit_id, "day_start": _day_start(at)} for visit_id, at in opened],
        )
    erasure.note("toolbox_visits", "kept without their id", len(opened))


def _erase_polls(db: Session, erasure: Erasure, user_id: str) -> None:
    """Delete their named votes; take their id off the polls they created or closed."""
    voted = set(db.scalars(select(PollVote.poll_id).where(PollVote.voter == user_id).distinct()))
    deleted = db.execute(delete(PollVote).where(PollVote.voter == user_id)).rowcount
    erasure.note("poll_votes", "deleted", int(deleted or 0))
    created = set(db.scalars(select(Poll.id).where(Poll.creator_id == user_id)))
    closed = set(db.scalars(select(Poll.id).where(Poll.closed_by == user_id)))
    # "" rather than NULL: the creator is required, and a NULL closer means the deadline.
    db.execute(
        sql_update(Poll)
        .where(Poll.creator_id == user_id)
        .values(creator_id="")
        .execution_options(synchronize_session="fetch")
    )
    db.execute(
        sql_update(Poll)
        .where(Poll.closed_by == user_id)
        .values(closed_by="")
        .execution_options(synchronize_session="fetch")
    )
    erasure.note("polls", "creator removed", len(created))
    erasure.note("polls", "closer removed", len(closed))
    erasure.polls_to_refresh = sorted(voted | created | closed)


def _erase_surveys(db: Session, erasure: Erasure, user_id: str) -> None:
    """Withdraw their named answers and invitations; take their id off surveys they ran."""
    segments = dict(
        db.execute(
            select(SurveyInvitation.survey_id, SurveyInvitation.segment).where(
                SurveyInvitation.user_id == user_id
            )
        ).all()
    )
    finished = list(
        db.scalars(select(SurveyRespondent.survey_id).where(SurveyRespondent.respondent == user_id))
    )
    for survey_id in finished:
        # Their answer leaves the survey's segment count too, so the rates stay true.
        db.execute(
            sql_update(SurveySegmentCount)
            .where(
                SurveySegmentCount.survey_id == survey_id,
                SurveySegmentCount.segment == segments.get(survey_id, "long_standing"),
                SurveySegmentCount.respondents > 0,
            )
            .values(respondents=SurveySegmentCount.respondents - 1)
        )
    answers = db.execute(delete(SurveyAnswer).where(SurveyAnswer.respondent == user_id)).rowcount
    erasure.note("survey_answers", "deleted", int(answers or 0))
    respondents = db.execute(
        delete(SurveyRespondent).where(SurveyRespondent.respondent == user_id)
    ).rowcount
    erasure.note("survey_respondents", "deleted", int(respondents or 0))
    invitations = db.execute(
        delete(SurveyInvitation).where(SurveyInvitation.user_id == user_id)
    ).rowcount
    erasure.note("survey_invitations", "deleted", int(invitations or 0))
    created = db.execute(
        sql_update(Survey)
        .where(Survey.created_by == user_id)
        .values(created_by="")
        .execution_options(synchronize_session="fetch")
    ).rowcount
    erasure.note("surveys", "creator removed", int(created or 0))
    closed = db.execute(
        sql_update(Survey)
        .where(Survey.closed_by == user_id)
        .values(closed_by="")
        .execution_options(synchronize_session="fetch")
    ).rowcount
    erasure.note("surveys", "closer removed", int(closed or 0))


def _erase_authorship(db: Session, erasure: Erasure, user_id: str) -> None:
    """Take their id off what they wrote or changed for the community; the work stays."""
    for model, column, neutral, table in (
        (CharterVersion, CharterVersion.author_id, None, "charter_versions"),
        (CommunityText, CommunityText.updated_by, None, "community_texts"),
        (ToolboxItem, ToolboxItem.author_id, None, "toolbox_items"),
        (Schedule, Schedule.updated_by, None, "schedules"),
        (CommunityChannel, CommunityChannel.added_by, "", "community_channels"),
        (RoleGrant, RoleGrant.granted_by, None, "role_grants"),
    ):
        changed = db.execute(
            sql_update(model)
            .where(column == user_id)
            .values({column.key: neutral})
            .execution_options(synchronize_session="fetch")
        ).rowcount
        erasure.note(table, "author removed", int(changed or 0))


def _erase_onboarding(db: Session, erasure: Erasure, user_id: str) -> Newcomer | None:
    """Delete their acceptances (and answers) and onboarding record; free their claims."""
    acceptances = db.execute(
        delete(CharterAcceptance).where(CharterAcceptance.user_id == user_id)
    ).rowcount
    erasure.note("charter_acceptances", "deleted", int(acceptances or 0))
    newcomer = db.get(Newcomer, user_id)
    if newcomer is not None:
        db.delete(newcomer)
        erasure.note("newcomers", "deleted", 1)
    # Newcomers they greeted are claimable again: another greeter may take them on.
    freed = db.execute(
        sql_update(Newcomer)
        .where(Newcomer.greeter_id == user_id)
        .values(greeter_id=None, greeter_claimed_at=None)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    erasure.note("newcomers", "greeter removed", int(freed or 0))
    return newcomer


def _erase_profile(
    db: Session,
    erasure: Erasure,
    user_id: str,
    *,
    newcomer: Newcomer | None,
    stop_tracking: bool,
    now: datetime,
) -> None:
    """Empty their profile to the bare row the directory needs; drop preferences and role."""
    member = db.get(Member, user_id)
    if member is not None:
        # Kept: the id, whether they are in the community channel and since when, and
        # the bot/guest/deactivated flags. Without them the directory's next sync would
        # take a present member for a newcomer and welcome them again.
        member.display_name = None
        member.locale = None
        member.timezone = None
        member.first_message_at = None
        member.first_answer_at = None
        member.is_workspace_admin = False
        member.refreshed_at = NEVER_REFRESHED
        erasure.note("members", "emptied to a bare row", 1)
    elif newcomer is not None and newcomer.left_at is None:
        # Known as a newcomer only: the bare row keeps them in the directory.
        db.add(Member(user_id=user_id, in_community=True, refreshed_at=NEVER_REFRESHED))
        erasure.note("members", "bare row added", 1)
    preference = db.get(MemberPreference, user_id)
    if stop_tracking:
        if preference is None:
            preference = MemberPreference(user_id=user_id)
            db.add(preference)
        preference.snoozed_until = None
        preference.nudges_off = []
        preference.tracking_off = True
        preference.updated_at = now
        erasure.note("member_preferences", "emptied, tracking off kept", 1)
    elif preference is not None:
        db.delete(preference)
        erasure.note("member_preferences", "deleted", 1)
    role = db.get(RoleGrant, user_id)
    if role is not None:
        db.delete(role)
        erasure.note("role_grants", "deleted", 1)
    dm = db.get(DirectMessageChannel, user_id)
    if dm is not None:
        db.delete(dm)
        erasure.note("dm_channels", "deleted", 1)


def _file_mentions(payload: dict[str, Any], user_id: str) -> bool:
    """Tell whether a queued file's content holds the user id."""
    try:
        content = base64.b64decode(str(payload.get("content") or ""), validate=False)
    except (binascii.Error, ValueError):
        return False
    whole_id = rb"(?<![A-Za-z0-9])" + re.escape(user_id.encode()) + rb"(?![A-Za-z0-9])"
    return re.search(whole_id, content) is not None


def _replace_in(value: Any, replace: Callable[[str], str]) -> Any:
    """Return JSON-like `value` with `replace` applied to every string in it."""
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_replace_in(item, replace) for item in value]
    if isinstance(value, dict):
        return {key: _replace_in(item, replace) for key, item in value.items()}
    return value


def _erase_from_outbox(
    db: Session, erasure: Erasure, user_id: str, *, neutral: str, token: str
) -> None:
    """Take the member out of the delivery queue and its history.

    - Unsent rows to them (their id or their DM channel) are deleted.
    - Unsent rows about them (their id in the key: an announcement of their arrival, an
      invitation of them) and unsent files naming them are cancelled, content blanked.
    - Other unsent messages naming them (a poll's tally, a digest) go out with their
      mention replaced by `neutral`.
    - Finished rows (sent, failed, superseded) naming them keep their status but lose
      their content; their id in keys (which other rows may refer to, consistently
      rewritten) and addresses becomes `token`, a random stand-in, or "".
    """
    pattern = _mentions(user_id)
    mention = re.compile(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>")
    addresses = _their_addresses(db, user_id)
    like = f"%{user_id}%"
    rows = db.scalars(
        select(OutboxMessage).where(
            or_(
                OutboxMessage.address.in_(addresses),
                OutboxMessage.idempotency_key.like(like),
                OutboxMessage.coalesce_key.like(like),
                OutboxMessage.target_key.like(like),
                OutboxMessage.last_error.like(like),
                cast(OutboxMessage.payload, Text).like(like),
                OutboxMessage.method == FILE_UPLOAD,
            )
        )
    ).all()

    def swap(text: str | None) -> str | None:
        return pattern.sub(token, text) if text else text

    for row in rows:
        payload = dict(row.payload or {})
        to_them = row.address in addresses
        in_keys = any(
            pattern.search(text or "")
            for text in (row.idempotency_key, row.coalesce_key, row.target_key)
        )
        in_content = (
            _file_mentions(payload, user_id)
            if row.method == FILE_UPLOAD
            else bool(pattern.search(json.dumps(payload, ensure_ascii=False)))
        )
        if not (to_them or in_keys or in_content or pattern.search(row.last_error or "")):
            continue
        unsent = row.status in _UNSENT
        if unsent and to_them:
            db.delete(row)
            erasure.note("outbox_messages", "deleted (unsent, to them)", 1)
            continue
        if unsent and (in_keys or row.method == FILE_UPLOAD):
            row.status = OutboxStatus.SUPERSEDED
            row.last_error = CANCELLED_FOR_ERASURE
            row.payload = {}
            erasure.note("outbox_messages", "cancelled (unsent, about them)", 1)
        elif unsent:
            row.payload = _replace_in(
                payload, lambda text: pattern.sub(token, mention.sub(neutral, text))
            )
            erasure.note("outbox_messages", "mention removed (unsent)", 1)
        else:
            row.payload = {}
            row.last_error = swap(row.last_error)
            erasure.note("outbox_messages", "content blanked (history)", 1)
        row.idempotency_key = swap(row.idempotency_key) or row.idempotency_key
        row.coalesce_key = swap(row.coalesce_key)
        row.target_key = swap(row.target_key)
        if to_them:
            row.address = ""
            row.sent_channel = None


def erase_member(
    db: Session,
    user_id: str,
    *,
    stop_tracking: bool,
    neutral: str,
    now: datetime | None = None,
) -> Erasure:
    """Forget `user_id`: delete or anonymise everything stored under their id.

    Deleted: their profile fields, charter acceptances (with their hopes and interests),
    onboarding record, named poll votes, named survey answers and invitations, events
    other than channel acts, preferences (all but `tracking_off` when `stop_tracking`),
    role, DM channel, unsent messages to them. Kept without their id: their daily counts
    (added to the anonymous ones, so community totals stay), their messages, replies and
    reactions in counted channels (kind, channel and day only, so channel activity
    stays), their toolbox visits (tool and day only). Their id as author, creator,
    closer, greeter or granter becomes empty. What stays under their id: a bare
    `members` row (the directory's presence flags and dates), and the preference row
    when they asked not to be tracked any more. Anonymous votes and answers, stored
    under a keyed fingerprint, are not touched. `neutral` replaces their mention in
    messages still to be sent.
    """
    if not USER_ID.match(user_id or ""):
        raise ValueError(f"not a Slack user id: {user_id!r}")
    now = now or utcnow()
    erasure = Erasure(user_id=user_id, tracking_off=stop_tracking)
    # The outbox first: it needs their DM channel, which the profile step deletes.
    _erase_from_outbox(db, erasure, user_id, neutral=neutral, token=f"~{secrets.token_hex(5)}")
    _erase_participation(db, erasure, user_id)
    _erase_polls(db, erasure, user_id)
    _erase_surveys(db, erasure, user_id)
    _erase_authorship(db, erasure, user_id)
    newcomer = _erase_onboarding(db, erasure, user_id)
    _erase_profile(db, erasure, user_id, newcomer=newcomer, stop_tracking=stop_tracking, now=now)
    db.flush()
    return erasure


@dataclass(frozen=True)
class Remnant:
    """A text or JSON column where a user id still appears, and in how many rows."""

    table: str
    column: str
    rows: int


def find_remnants(db: Session, user_id: str) -> list[Remnant]:
    """Return every text or JSON column of every table (as the database has them) still
    holding `user_id`, as a whole id.

    The tables are read from the database itself, not from our models, so a table or
    column added without thinking of erasure shows up here.
    """
    pattern = _mentions(user_id)
    metadata = MetaData()
    metadata.reflect(bind=db.connection())
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | JSON):
                continue
            values = db.scalars(
                select(cast(column, Text)).where(cast(column, Text).like(f"%{user_id}%"))
            ).all()
            matching = sum(1 for value in values if value and pattern.search(value))
            if matching:
                found.append(Remnant(table.name, column.name, matching))
    return found


def documented_remnants(user_id: str, *, tracking_off: bool) -> set[tuple[str, str]]:
    """Return the (table, column) pairs allowed to keep `user_id` after an erasure."""
    allowed = {("members", "user_id")}
    if tracking_off:
        allowed.add(("member_preferences", "user_id"))
    return allowed


# ------------------------------------------------------------------ tracking


def set_tracking(db: Session, user_id: str, *, off: bool, now: datetime | None = None) -> None:
    """Count the member's acts by name (`off=False`) or anonymously from now on."""
    preference = db.get(MemberPreference, user_id, with_for_update=True)
    if preference is None:
        if not off:
            return  # tracked is the default: no row needed
        preference = MemberPreference(user_id=user_id, nudges_off=[])
        db.add(preference)
    preference.tracking_off = off
    preference.updated_at = now or utcnow()


def tracking_is_off(db: Session, user_id: str) -> bool:
    """Tell whether the member asked to be counted without their identity."""
    preference = db.get(MemberPreference, user_id)
    return bool(preference and preference.tracking_off)


# ------------------------------------------------------------------ retention


def months_before(moment: datetime, months: int) -> datetime:
    """Return `moment` moved back `months` calendar months (the day clipped to the month)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def purge_old_events(db: Session, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` participation events older than `before`; return how many."""
    batch = (
        select(ParticipationEvent.id).where(ParticipationEvent.occurred_at < before).limit(limit)
    )
    deleted = db.execute(
        delete(ParticipationEvent)
        .where(ParticipationEvent.id.in_(batch.scalar_subquery()))
        .execution_options(synchronize_session=False)
    ).rowcount
    return int(deleted or 0)


def purge_old_visits(db: Session, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` toolbox visits older than `before`; return how many."""
    batch = select(ToolboxVisit.id).where(ToolboxVisit.visited_at < before).limit(limit)
    deleted = db.execute(
        delete(ToolboxVisit)
        .where(ToolboxVisit.id.in_(batch.scalar_subquery()))
        .execution_options(synchronize_session=False)
    ).rowcount
    return int(deleted or 0)


def fold_old_daily(db: Session, *, before: date, limit: int) -> int:
    """Turn up to `limit` per-member daily counts of days before `before` into anonymous
    counts (totals by day and kind unchanged); return how many rows were folded."""
    rows = db.execute(
        select(
            ParticipationDaily.day,
            ParticipationDaily.user_id,
            ParticipationDaily.kind,
            ParticipationDaily.count,
        )
        .where(ParticipationDaily.day < before, ParticipationDaily.user_id != ANONYMOUS)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    totals: dict[tuple[date, str], int] = defaultdict(int)
    for day, _user_id, kind, count in rows:
        totals[(day, kind)] += count
    _add_anonymous_counts(db, totals)
    table = ParticipationDaily.__table__
    db.execute(
        delete(table).where(
            table.c.day == bindparam("the_day"),
            table.c.user_id == bindparam("the_user"),
            table.c.kind == bindparam("the_kind"),
        ),
        [{"the_day": day, "the_user": user, "the_kind": kind} for day, user, kind, _ in rows],
    )
    return len(rows)


def blank_old_payloads(db: Session, *, before: datetime, limit: int) -> int:
    """Blank what up to `limit` finished outbox rows older than `before` said; return how
    many. The row, its idempotency key and its status stay: the key stops a second send."""
    batch = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_(_FINISHED),
            OutboxMessage.created_at < before,
            cast(OutboxMessage.payload, Text) != "{}",
        )
        .limit(limit)
    )
    blanked = db.execute(
        sql_update(OutboxMessage)
        .where(OutboxMessage.id.in_(batch.scalar_subquery()))
        .values(payload={})
        .execution_options(synchronize_session=False)
    ).rowcount
    return int(blanked or 0)
