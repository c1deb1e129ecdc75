"""Typed SQLAlchemy 2.0 models: the whole schema of Cercle's SQL store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Alembic names constraints from this convention, so migrations stay identical on
# SQLite (batch mode recreates tables) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and always read them back aware.

    SQLite has no time zone type and would hand back naive values; comparing those with
    aware ones raises, so both databases go through this one type.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Convert to UTC (naive input is taken as UTC already)."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Make values read from the database aware."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention and the shared type map."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class ProcessedEvent(Base):
    """An Events API delivery that took effect; its primary key makes redelivery a no-op."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Member(Base):
    """What Cercle remembers of a workspace member to speak to them properly."""

    __tablename__ = "members"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Onboarding skips bots, guests and deactivated accounts.
    is_bot: Mapped[bool] = mapped_column(default=False)
    is_guest: Mapped[bool] = mapped_column(default=False)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The member directory: when they joined and left the community channel (a member
    # present before Cercle was installed has no join date), and the first steps of
    # their participation, for the onboarding funnel.
    joined_at: Mapped[datetime | None] = mapped_column()
    left_at: Mapped[datetime | None] = mapped_column()
    # In the community channel now. A profile alone says nothing: anyone who talks to
    # Cercle gets one, member of the community or not.
    in_community: Mapped[bool] = mapped_column(default=False, server_default=false())
    first_message_at: Mapped[datetime | None] = mapped_column()
    first_answer_at: Mapped[datetime | None] = mapped_column()
    # A workspace admin or owner: coordinates the community when the setting says so.
    is_workspace_admin: Mapped[bool] = mapped_column(default=False, server_default=false())


class OutboxStatus:
    """Life cycle of an outbox row (plain strings so both databases store them alike)."""

    PENDING = "pending"  # waiting to be sent (maybe after a back-off)
    SENDING = "sending"  # claimed by a dispatcher; if that dispatcher dies, it is in doubt
    SENT = "sent"
    FAILED = "failed"  # permanent Slack error; never retried
    SUPERSEDED = "superseded"  # replaced by a newer row with the same coalesce key


class OutboxMessage(Base):
    """A Slack call that must happen exactly once, written with the change that causes it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_address_status", "address", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    coalesce_key: Mapped[str | None] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="message")
    method: Mapped[str] = mapped_column(String(64))
    # Where it goes: a channel id, or a user id for a DM (chat.postMessage opens the DM).
    address: Mapped[str] = mapped_column(String(32))
    # For chat.update rows: the key of the row whose message is edited.
    target_key: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column()
    # Set when a previous attempt may have reached Slack: check before sending again.
    in_doubt: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None] = mapped_column()
    sent_channel: Mapped[str | None] = mapped_column(String(32))
    sent_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)


class DirectMessageChannel(Base):
    """The DM channel Slack opened for a member, learnt from a post's reply."""

    __tablename__ = "dm_channels"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))


class DispatcherProcess(Base):
    """A running dispatcher and its heartbeat; a stale heartbeat puts its claims in doubt."""

    __tablename__ = "dispatcher_processes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set while this process runs the scheduler (it holds the leader's lock), for status.
    leader_since: Mapped[datetime | None] = mapped_column()


class CharterVersion(Base):
    """One saved version of the community's charter, in both languages."""

    __tablename__ = "charter_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text_fr: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    summary_fr: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    # False for a wording fix: members who accepted an earlier version are not asked again.
    requires_reacceptance: Mapped[bool] = mapped_column(default=True)
    author_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CharterAcceptance(Base):
    """A member's acceptance of one charter version, with their optional answers."""

    __tablename__ = "charter_acceptances"
    __table_args__ = (
        Index("uq_charter_acceptances_member_version", "user_id", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    hopes: Mapped[str | None] = mapped_column(Text)
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    may_introduce: Mapped[bool] = mapped_column(default=False)


class Newcomer(Base):
    """Where one member stands in onboarding: welcomed, reminded, claimed by a greeter."""

    __tablename__ = "newcomers"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column()
    welcomed_at: Mapped[datetime | None] = mapped_column()
    welcomed_version: Mapped[int | None] = mapped_column(Integer)
    # Outbox key of the welcome DM, so accepting can edit that very message.
    welcome_key: Mapped[str | None] = mapped_column(String(255))
    # Outbox key of the greeters' announcement, edited when someone claims the newcomer.
    announcement_key: Mapped[str | None] = mapped_column(String(255))
    not_now_at: Mapped[datetime | None] = mapped_column()
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    # When coordinators were told this newcomer still had not accepted after every reminder.
    escalated_at: Mapped[datetime | None] = mapped_column()
    # When coordinators were told Cercle could not DM this newcomer.
    unreachable_reported_at: Mapped[datetime | None] = mapped_column()
    greeter_id: Mapped[str | None] = mapped_column(String(32))
    greeter_claimed_at: Mapped[datetime | None] = mapped_column()


class InterestTopic(Base):
    """A topic members can pick when they join; coordinators maintain the list."""

    __tablename__ = "interest_topics"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    label_fr: Mapped[str] = mapped_column(String(75))
    label_en: Mapped[str] = mapped_column(String(75))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)


class CommunityText(Base):
    """A text coordinators edit, in both languages (the community's purpose, for one)."""

    __tablename__ = "community_texts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    text_fr: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberPreference(Base):
    """How a member wants to be nudged: snoozed until a date, categories turned off."""

    __tablename__ = "member_preferences"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    snoozed_until: Mapped[datetime | None] = mapped_column()
    nudges_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The member asked not to be counted by name: their activity adds anonymous counts only.
    tracking_off: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ToolboxItem(Base):
    """One tool of the community's shared toolbox."""

    __tablename__ = "toolbox_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Stable key for bulk import and export: re-importing a file updates, never duplicates.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    url: Mapped[str | None] = mapped_column(String(3000))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(2), default="fr")
    author_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column()
    # When the weekly post last featured it: the least recently featured goes next.
    last_featured_at: Mapped[datetime | None] = mapped_column()


class ToolboxVisit(Base):
    """A member opened a toolbox item (metadata only: who, which, when)."""

    __tablename__ = "toolbox_visits"
    __table_args__ = (Index("ix_toolbox_visits_user_time", "user_id", "visited_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("toolbox_items.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    visited_at: Mapped[datetime] = mapped_column(default=utcnow)


class Schedule(Base):
    """When a recurring job runs, as coordinators set it (the database is the truth)."""

    __tablename__ = "schedules"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # "mon", "mon-fri", "*" and so on, as cron's day_of_week.
    days: Mapped[str] = mapped_column(String(32))
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(default=False)
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Poll(Base):
    """A poll posted in a channel: its question, its rules and where it stands."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    creator_id: Mapped[str] = mapped_column(String(32), index=True)
    question: Mapped[str] = mapped_column(Text)
    # The creator's language: the poll message is written in it for everyone.
    language: Mapped[str] = mapped_column(String(2), default="fr")
    # 1 for a single-choice poll; up to this many options per member otherwise.
    max_choices: Mapped[int] = mapped_column(Integer, default=1)
    anonymous: Mapped[bool] = mapped_column(default=False)
    hide_results: Mapped[bool] = mapped_column(default=False)
    allow_new_options: Mapped[bool] = mapped_column(default=False)
    closes_at: Mapped[datetime | None] = mapped_column(index=True)
    # One reminder to members who have not voted, at this time (None: no reminder).
    remind_at: Mapped[datetime | None] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    # Who closed it; None with `closed_at` set means the deadline did.
    closed_by: Mapped[str | None] = mapped_column(String(32))
    # Outbox key of the poll message, which every tally update edits.
    post_key: Mapped[str] = mapped_column(String(255), default="")
    # Bumped by every change; names the tally updates so each one is a new outbox row.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # When the latest queued tally update may be sent: updates are spaced so a busy
    # poll makes at most one chat.update every two seconds.
    update_slot_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PollOption(Base):
    """One answer a poll offers."""

    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(255))


class PollVote(Base):
    """One member's choice of one option.

    `voter` is the member's user id on a named poll. On an anonymous poll it is a keyed
    hash of the member and the poll, made with a secret that is not in the database: it
    stops a second vote without telling anyone reading this table who voted, and an
    anonymous vote keeps no time either.
    """

    __tablename__ = "poll_votes"
    __table_args__ = (Index("ix_poll_votes_poll_voter", "poll_id", "voter"),)

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True
    )
    voter: Mapped[str] = mapped_column(String(80), primary_key=True)
    voted_at: Mapped[datetime | None] = mapped_column()


class Survey(Base):
    """A needs survey: questions sent to the community by DM, answered in a modal."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(150))
    intro: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="fr")
    anonymous: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    launched_at: Mapped[datetime | None] = mapped_column()
    closes_at: Mapped[datetime | None] = mapped_column(index=True)
    # One reminder to invitees who haven't answered, at this time (None: no reminder).
    remind: Mapped[bool] = mapped_column(default=False)
    remind_at: Mapped[datetime | None] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[str | None] = mapped_column(String(32))


class SurveyQuestion(Base):
    """One question of a survey, in display order."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # "single", "multiple", "scale" (1 to 5) or "text".
    kind: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=True)
    max_choices: Mapped[int | None] = mapped_column(Integer)
    scale_low: Mapped[str | None] = mapped_column(String(100))
    scale_high: Mapped[str | None] = mapped_column(String(100))


class SurveyInvitation(Base):
    """A member the survey was sent to, and the segment they were in at launch."""

    __tablename__ = "survey_invitations"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    segment: Mapped[str] = mapped_column(String(32))
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyRespondent(Base):
    """Someone who finished the survey: a user id, or a keyed fingerprint if anonymous.

    An anonymous respondent keeps no time and no segment: response rates by segment come
    from `SurveySegmentCount`, which counts without saying who.
    """

    __tablename__ = "survey_respondents"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    respondent: Mapped[str] = mapped_column(String(80), primary_key=True)
    completed_at: Mapped[datetime | None] = mapped_column()


class SurveyAnswer(Base):
    """One respondent's answer to one question (choices, a 1-5 value, or text)."""

    __tablename__ = "survey_answers"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True
    )
    respondent: Mapped[str] = mapped_column(String(80), primary_key=True)
    # {"choices": [option indexes]}, {"scale": 1..5} or {"text": "..."}.
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class SurveySegmentCount(Base):
    """How many members of one segment finished the survey (a count, never a person)."""

    __tablename__ = "survey_segment_counts"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    segment: Mapped[str] = mapped_column(String(32), primary_key=True)
    respondents: Mapped[int] = mapped_column(Integer, default=0)


# Participation events get many rows: a 64-bit key on PostgreSQL (SQLite's rowid already is).
_EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")


class ParticipationEvent(Base):
    """One act of participation: who, what kind, where, when — never what was written."""

    __tablename__ = "participation_events"
    __table_args__ = (
        Index("ix_participation_events_user_time", "user_id", "occurred_at"),
        Index("ix_participation_events_time_kind", "occurred_at", "kind"),
        # Channels' activity over a period.
        Index("ix_participation_events_channel_kind_time", "channel_id", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(_EVENT_ID, primary_key=True, autoincrement=True)
    # What happened, named once ("message:C1:1700000000.000100", "vote:poll:12:U1"):
    # recording is idempotent, and a deleted message or removed reaction finds its event.
    source_key: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column()


class ParticipationDaily(Base):
    """How many events of a kind a member had on a day (user_id "" = counted anonymously).

    Reports, levels and charts read these counts rather than the events; anonymous poll
    votes and survey answers exist only here, without anyone's id.
    """

    __tablename__ = "participation_daily"
    # Covering: a member's record and the most active members read the index alone.
    __table_args__ = (Index("ix_participation_daily_user_day", "user_id", "day", "kind", "count"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CommunityChannel(Base):
    """A channel whose activity counts as participation, besides the main community one."""

    __tablename__ = "community_channels"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoleGrant(Base):
    """A role a coordinator gave a member with `/cercle role grant` (beyond the settings)."""

    __tablename__ = "role_grants"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[str | None] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRun(Base):
    """The last run of each scheduled job, for `cercle status`."""

    __tablename__ = "job_runs"

    job_id: Mapped[str] = mapped_column(String(191), primary_key=True)
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # "running", "ok" or "failed"; the error is the exception's type and message.
    outcome: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    process_id: Mapped[str | None] = mapped_column(String(64))
