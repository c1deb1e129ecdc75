"""scheduler jobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 07:40:00.000000

The table is APScheduler's own (``SQLAlchemyJobStore``), column for column, so the job
store finds it already there and its ``CREATE TABLE IF NOT EXISTS`` does nothing. The
migration owns it so that schema changes stay in one place and a bot's database user
needs no DDL rights at run time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "apscheduler_jobs",
        # 191 and 25 are APScheduler's choices (MySQL key length, an 8-byte float): keep them
        # identical so the job store's table definition and ours never disagree.
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_apscheduler_jobs_next_run_time"), ["next_run_time"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apscheduler_jobs_next_run_time"))

    op.drop_table("apscheduler_jobs")
