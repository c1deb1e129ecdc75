"""The toolbox: items coordinators maintain and visits members make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.community import topic_key
from storage.models import ToolboxItem, ToolboxVisit, utcnow
from storage.participation import ANONYMOUS, TOOLBOX_VISIT, is_tracked, record

PAGE_SIZE = 5


@dataclass(frozen=True)
class ItemFields:
    """What a coordinator types for an item."""

    title: str
    url: str | None
    description: str
    tags: tuple[str, ...]
    language: str


def get_item(db: Session, item_id: int) -> ToolboxItem | None:
    """Return the item with id `item_id`, if any."""
    return db.get(ToolboxItem, item_id)


def _matches(item: ToolboxItem, words: list[str]) -> bool:
    text = " ".join([item.title, item.description or "", *(item.tags or [])]).casefold()
    return all(word in text for word in words)


def search_items(
    db: Session, words: str, *, language: str, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[list[ToolboxItem], int]:
    """Return one page of active items matching `words` (a tag or words of the text), and
    how many match in all; items in `language` come first.

    Matching happens in Python on case-folded text: the same on both databases (SQLite's
    LOWER() ignores accents' capitals, and tags are stored as escaped JSON), and no
    character a member types can act as a wildcard. A toolbox holds hundreds of items,
    not millions.
    """
    wanted = [word.casefold() for word in words.split()[:5]]
    items = [
        item
        for item in db.scalars(select(ToolboxItem).where(ToolboxItem.retired_at.is_(None)))
        if _matches(item, wanted)
    ]
    items.sort(key=lambda item: (item.language != language, item.title.casefold(), item.id))
    start = min(max(0, offset), len(items))
    return items[start : start + limit], len(items)


def _unique_key(db: Session, title: str) -> str:
    base = topic_key(title)[:56]
    key, suffix = base, 2
    while db.scalar(select(ToolboxItem.id).where(ToolboxItem.key == key)) is not None:
        key, suffix = f"{base}-{suffix}", suffix + 1
    return key


def add_item(db: Session, fields: ItemFields, *, author_id: str) -> ToolboxItem:
    """Create an item from what a coordinator typed."""
    now = utcnow()
    item = ToolboxItem(
        key=_unique_key(db, fields.title),
        title=fields.title,
        url=fields.url,
        description=fields.description,
        tags=list(fields.tags),
        language=fields.language,
        author_id=author_id,
        created_at=now,
        updated_at=now,
    )
    db.add(item)
    db.flush()
    return item


def update_item(db: Session, item: ToolboxItem, fields: ItemFields, *, retire: bool) -> None:
    """Apply a coordinator's edit (and retire or bring back the item)."""
    item.title = fields.title
    item.url = fields.url
    item.description = fields.description
    item.tags = list(fields.tags)
    item.language = fields.language
    item.updated_at = utcnow()
    item.retired_at = (item.retired_at or utcnow()) if retire else None


def record_visit(
    db: Session, *, item_id: int, user_id: str, now: datetime | None = None
) -> ToolboxVisit:
    """Record that `user_id` opened item `item_id` (also an act of participation).

    A member who turned tracking off is not named: the visit counts for the tool only.
    """
    visitor = user_id if is_tracked(db, user_id) else ANONYMOUS
    visit = ToolboxVisit(item_id=item_id, user_id=visitor, visited_at=now or utcnow())
    db.add(visit)
    db.flush()  # the visit's id names its participation event, as in migration 0012
    record(
        db,
        source_key=f"visit:{visit.id}",
        user_id=user_id,
        kind=TOOLBOX_VISIT,
        occurred_at=visit.visited_at,
    )
    return visit


def visit_count(db: Session, item_id: int) -> int:
    """Return how many times the item was opened."""
    return int(
        db.scalar(
            select(func.count()).select_from(ToolboxVisit).where(ToolboxVisit.item_id == item_id)
        )
        or 0
    )


def next_featured_item(db: Session) -> ToolboxItem | None:
    """Return the active item least recently featured (never featured first; ties: most visited)."""
    visits = (
        select(ToolboxVisit.item_id, func.count().label("visits"))
        .group_by(ToolboxVisit.item_id)
        .subquery()
    )
    return db.scalar(
        select(ToolboxItem)
        .outerjoin(visits, visits.c.item_id == ToolboxItem.id)
        .where(ToolboxItem.retired_at.is_(None))
        .order_by(
            ToolboxItem.last_featured_at.is_not(None),
            ToolboxItem.last_featured_at,
            func.coalesce(visits.c.visits, 0).desc(),
            ToolboxItem.id,
        )
        .limit(1)
    )


def last_visits(db: Session) -> dict[str, datetime]:
    """Return each member's latest toolbox visit (members who never visited are absent)."""
    # One grouped scan rather than an IN list: it stays one query for 10,000 members.
    rows = db.execute(
        select(ToolboxVisit.user_id, func.max(ToolboxVisit.visited_at)).group_by(
            ToolboxVisit.user_id
        )
    ).all()
    return {user_id: moment for user_id, moment in rows if moment is not None}


def opened_items(db: Session) -> dict[str, set[int]]:
    """Return, for each member, the ids of the items they ever opened."""
    opened: dict[str, set[int]] = {}
    for user_id, item_id in db.execute(
        select(ToolboxVisit.user_id, ToolboxVisit.item_id).distinct()
    ):
        opened.setdefault(user_id, set()).add(item_id)
    return opened


def active_items(db: Session) -> list[ToolboxItem]:
    """Return every active item, oldest first."""
    return list(
        db.scalars(
            select(ToolboxItem).where(ToolboxItem.retired_at.is_(None)).order_by(ToolboxItem.id)
        )
    )


def last_featured_item(db: Session) -> ToolboxItem | None:
    """Return the active item the weekly post featured last, if any."""
    return db.scalar(
        select(ToolboxItem)
        .where(ToolboxItem.retired_at.is_(None), ToolboxItem.last_featured_at.is_not(None))
        .order_by(ToolboxItem.last_featured_at.desc())
        .limit(1)
    )
