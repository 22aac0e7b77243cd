"""repossessed loans, lease payoff amounts, and where a loan's servicing history starts

A repossessed loan takes no payments and no late fees (regulators find fees charged after
repossession). A lease's payoff comes from the lessor's book (`payoff_amount`), not from a formula.
`origin` keeps the loan as the loan book gave it, so its payments can be replayed in the order they
were received, whatever order they were posted in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('active', 'paid_off', 'charged_off')"
NEW = "status IN ('active', 'paid_off', 'charged_off', 'repossessed')"


def upgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        batch.drop_constraint(op.f("ck_loans_status"), type_="check")
        batch.create_check_constraint("status", NEW)
        batch.add_column(sa.Column("payoff_amount", sa.Numeric(14, 2), nullable=True))
        batch.add_column(sa.Column("origin", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        batch.drop_column("origin")
        batch.drop_column("payoff_amount")
        batch.drop_constraint(op.f("ck_loans_status"), type_="check")
        batch.create_check_constraint("status", OLD)
