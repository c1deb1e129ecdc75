"""Typed SQLAlchemy 2.0 models: the whole schema of Cercle's SQL store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
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
