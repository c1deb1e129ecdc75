"""Texts and lists coordinators maintain: the community's purpose, interest topics."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import CommunityText, InterestTopic, utcnow

PURPOSE = "purpose"


def get_text(db: Session, key: str) -> CommunityText | None:
    """Return the edited text `key`, or None while the shipped default applies."""
    return db.get(CommunityText, key)


def save_text(db: Session, key: str, *, text_fr: str, text_en: str, author_id: str) -> None:
    """Create or replace the text `key` in both languages."""
    text = db.get(CommunityText, key, with_for_update=True)
    if text is None:
        text = CommunityText(key=key)
        db.add(text)
    text.text_fr = text_fr
    text.text_en = text_en
    text.updated_by = author_id
    text.updated_at = utcnow()


def topic_key(label: str) -> str:
    """Derive a stable key from a label: lower case, ASCII, dashes."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_label.lower()).strip("-")[:64] or "topic"


def add_interest(db: Session, *, label_fr: str, label_en: str) -> InterestTopic:
    """Add (or bring back) an interest topic at the end of the list."""
    key = topic_key(label_en or label_fr)
    topic = db.get(InterestTopic, key)
    position = (db.scalar(select(func.max(InterestTopic.position))) or 0) + 1
    if topic is None:
        topic = InterestTopic(key=key, position=position)
        db.add(topic)
    topic.label_fr = label_fr[:75]
    topic.label_en = label_en[:75]
    topic.active = True
    return topic


def retire_interest(db: Session, key: str) -> bool:
    """Hide a topic from the join questions (answers already given keep it); True if found."""
    topic = db.get(InterestTopic, key)
    if topic is None:
        return False
    topic.active = False
    return True
