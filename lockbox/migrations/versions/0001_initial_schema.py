"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 09:36:05.334861
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('loans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_number', sa.String(length=32), nullable=False),
    sa.Column('borrower_name', sa.String(length=200), nullable=False),
    sa.Column('co_borrower_name', sa.String(length=200), nullable=True),
    sa.Column('product', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('monthly_payment', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('next_due_date', sa.Date(), nullable=False),
    sa.Column('principal_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('annual_rate', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('fees_due', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('last_payment_date', sa.Date(), nullable=True),
    sa.Column('late_fees_assessed', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('prepaid_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('interest_paid_to', sa.Date(), nullable=True),
    sa.Column('installment_credit', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('interest_due', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('due_day', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.CheckConstraint("product IN ('retail', 'lease')", name=op.f('ck_loans_product')),
    sa.CheckConstraint("status IN ('active', 'paid_off', 'charged_off')", name=op.f('ck_loans_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans'))
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loans_account_number'), ['account_number'], unique=True)

    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('inbox', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('flow_run_id', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    op.create_table('batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('deposit_date', sa.Date(), nullable=True),
    sa.Column('ticket_item_count', sa.Integer(), nullable=True),
    sa.Column('ticket_control_total', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('warnings', sa.JSON(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_batches_run_id_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('site', 'name', name='uq_batches_site_name')
    )
    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.Text(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('exception_code', sa.String(length=40), nullable=True),
    sa.Column('exception_message', sa.Text(), nullable=True),
    sa.Column('loan_id', sa.Integer(), nullable=True),
    sa.Column('loan_account_read', sa.String(length=64), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('routing', sa.String(length=16), nullable=True),
    sa.Column('bank_account', sa.String(length=32), nullable=True),
    sa.Column('serial', sa.String(length=16), nullable=True),
    sa.Column('check_date', sa.Date(), nullable=True),
    sa.Column('payer', sa.String(length=200), nullable=True),
    sa.Column('match_method', sa.String(length=32), nullable=True),
    sa.Column('capture', sa.JSON(), nullable=True),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('reviewed_by', sa.String(length=100), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("status IN ('posted', 'exception', 'returned')", name=op.f('ck_items_status')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_items_batch_id_batches')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_items_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('batch_id', 'source_file', 'page', name='uq_items_batch_file_page')
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_exception_code'), ['exception_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_loan_id'), ['loan_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('loan_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_audit_events_item_id_items')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_audit_events_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_loan_id'), ['loan_id'], unique=False)

    op.create_table('check_fingerprints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('routing', sa.String(length=16), nullable=False),
    sa.Column('account', sa.String(length=32), nullable=False),
    sa.Column('serial', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_check_fingerprints_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_fingerprints')),
    sa.UniqueConstraint('routing', 'account', 'serial', name='uq_check_fingerprints_key')
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('reverses_entry_id', sa.Integer(), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_ledger_entries_item_id_items')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_ledger_entries_loan_id_loans')),
    sa.ForeignKeyConstraint(['reverses_entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_reverses_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ledger_entries_idempotency_key')),
    sa.UniqueConstraint('reverses_entry_id', name=op.f('uq_ledger_entries_reverses_entry_id'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_business_date'), ['business_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_loan_id'), ['loan_id'], unique=False)

    op.create_table('late_fees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('installment_due_date', sa.Date(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_late_fees_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_late_fees_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_late_fees')),
    sa.UniqueConstraint('loan_id', 'installment_due_date', name='uq_late_fees_loan_installment')
    )
    with op.batch_alter_table('late_fees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_late_fees_loan_id'), ['loan_id'], unique=False)

    op.create_table('ledger_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('gl_account', sa.String(length=40), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=True),
    sa.Column('debit', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('credit', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('(debit = 0) OR (credit = 0)', name=op.f('ck_ledger_lines_one_side')),
    sa.CheckConstraint('debit >= 0 AND credit >= 0', name=op.f('ck_ledger_lines_non_negative')),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_lines_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_ledger_lines_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_lines'))
    )
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_lines_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_lines_loan_id'), ['loan_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('received_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('to_fees', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('to_interest', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('to_principal', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('to_rent', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('to_excess', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('months_advanced', sa.Integer(), nullable=False),
    sa.Column('prior_state', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_payments_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_payments_item_id_items')),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_payments_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('item_id', name=op.f('uq_payments_item_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_loan_id'), ['loan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_loan_id'))

    op.drop_table('payments')
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_lines_loan_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_lines_entry_id'))

    op.drop_table('ledger_lines')
    with op.batch_alter_table('late_fees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_late_fees_loan_id'))

    op.drop_table('late_fees')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_loan_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_item_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_business_date'))

    op.drop_table('ledger_entries')
    op.drop_table('check_fingerprints')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_loan_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_item_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_loan_id'))
        batch_op.drop_index(batch_op.f('ix_items_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_items_exception_code'))
        batch_op.drop_index(batch_op.f('ix_items_batch_id'))

    op.drop_table('items')
    op.drop_table('batches')
    op.drop_table('runs')
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loans_account_number'))

    op.drop_table('loans')
