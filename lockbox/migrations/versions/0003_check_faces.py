"""check faces: every item's face print and printed check number, and the item it duplicates

A second copy of a check is known by its face, or by its printed number with the amount and the
payer, when its MICR line was not read (reconciliation.duplicates); these columns keep what that
needs, indexed where the candidates are looked up.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("check_number", sa.String(16), nullable=True))
        batch.add_column(sa.Column("face_print", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("face_coarse", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_items_duplicate_of_id_items"), "items", ["duplicate_of_id"], ["id"]
        )
        batch.create_index(op.f("ix_items_check_number"), ["check_number"])
        batch.create_index(op.f("ix_items_duplicate_of_id"), ["duplicate_of_id"])
        batch.create_index(op.f("ix_items_amount"), ["amount"])
        batch.create_index(op.f("ix_items_serial"), ["serial"])


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_index(op.f("ix_items_serial"))
        batch.drop_index(op.f("ix_items_amount"))
        batch.drop_index(op.f("ix_items_duplicate_of_id"))
        batch.drop_index(op.f("ix_items_check_number"))
        batch.drop_constraint(op.f("fk_items_duplicate_of_id_items"), type_="foreignkey")
        batch.drop_column("duplicate_of_id")
        batch.drop_column("face_coarse")
        batch.drop_column("face_print")
        batch.drop_column("check_number")
