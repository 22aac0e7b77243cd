"""late fee max: the most one late fee may be under the loan's contract

Regulators find late fees above the contract's maximum; the loan book may now say it per loan
(`late_fee_max`), and the fee charged is the least of it, LOCKBOX_LATE_FEE_CAP and the percentage.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        batch.add_column(sa.Column("late_fee_max", sa.Numeric(14, 2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        batch.drop_column("late_fee_max")
