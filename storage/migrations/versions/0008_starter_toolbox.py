"""starter toolbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:30:00.000000

Data only: imports storage/defaults/toolbox.yaml with the same code as
`cercle toolbox import`, creating only the keys that are missing: it is idempotent, and
an item that already exists (edited by the community, say, before a downgrade and
upgrade again) is left as it is.
The downgrade removes the starter items nobody has touched (still as shipped, never
edited, retired or opened); the others are the community's now and stay.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.orm import Session

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    from storage.toolbox_io import STARTER_FILE, import_items, parse_file

    # A session on Alembic's connection joins its transaction and never commits it.
    with Session(bind=op.get_bind()) as db:
        import_items(db, parse_file(STARTER_FILE), create_only=True)


def downgrade() -> None:
    """Revert this revision."""
    from storage.toolbox_io import STARTER_FILE, parse_file, remove_unedited

    with Session(bind=op.get_bind()) as db:
        remove_unedited(db, parse_file(STARTER_FILE))
