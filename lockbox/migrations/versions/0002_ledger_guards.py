"""ledger guards: entries must balance at commit, and are append-only (PostgreSQL)

The application checks every entry before writing it (lockbox.ledger.check_lines); these triggers
make the database refuse the same mistakes from anything else that can reach it (a script, a
psql session, a future bug), which is what an auditor asks for.

- A deferred constraint trigger on ledger_entries and ledger_lines re-adds each touched entry's
  lines at COMMIT: no lines, or debits != credits, and the whole transaction is refused. Deferred,
  because an entry and its lines are inserted one statement after another.
- Row triggers refuse UPDATE and DELETE, and a statement trigger refuses TRUNCATE, on both tables:
  a correction is a reversing entry, never an edit.

SQLite has no deferred triggers; this revision does nothing there (the application checks stand).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BALANCE_FUNCTION = """
CREATE FUNCTION lockbox_ledger_entry_balances() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    target integer;
    entry_key text;
    line_count integer;
    debits numeric;
    credits numeric;
BEGIN
    IF TG_TABLE_NAME = 'ledger_entries' THEN
        target := NEW.id;
    ELSE
        target := NEW.entry_id;
    END IF;
    SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0)
      INTO line_count, debits, credits
      FROM ledger_lines WHERE entry_id = target;
    IF line_count = 0 OR debits <> credits THEN
        SELECT idempotency_key INTO entry_key FROM ledger_entries WHERE id = target;
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            MESSAGE = format(
                'ledger entry %s (%s) does not balance: %s lines, debits %s, credits %s;'
                ' nothing in this transaction was committed',
                target, coalesce(entry_key, '?'), line_count, debits, credits),
            HINT = 'every journal entry needs lines whose debits equal its credits';
    END IF;
    RETURN NULL;
END
$$;
"""

APPEND_ONLY_FUNCTION = """
CREATE FUNCTION lockbox_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'restrict_violation',
        MESSAGE = format(
            'the ledger is append-only: %s on %s was refused%s',
            TG_OP, TG_TABLE_NAME,
            CASE WHEN TG_LEVEL = 'ROW' THEN format(' (row %s)', OLD.id) ELSE '' END),
        HINT = 'correct a posting with a reversing entry (lockbox.ledger.reverse_entry)';
END
$$;
"""

TABLES = ("ledger_entries", "ledger_lines")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(BALANCE_FUNCTION)
    op.execute(APPEND_ONLY_FUNCTION)
    for table in TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_balance AFTER INSERT ON {table}"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
            " EXECUTE FUNCTION lockbox_ledger_entry_balances()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION lockbox_ledger_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION lockbox_ledger_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        for trigger in ("balance", "append_only", "no_truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS lockbox_ledger_append_only()")
    op.execute("DROP FUNCTION IF EXISTS lockbox_ledger_entry_balances()")
