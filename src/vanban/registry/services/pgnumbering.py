"""Registration as one PostgreSQL function call: the locked section is one round trip.

A registration must hold two row locks until it commits: the audit head (every audited
transaction of the installation queues on it) and the register's counter (gapless numbers: a
rollback gives the number back). The function takes them in that order (head, then counter, the
order every audited transaction follows: whatever audited earlier in the transaction already
holds the head), stores the number on the document and appends the audit event through
``vanban_audit_append``, so the locks are held for one statement plus the commit instead of
five client round trips plus the commit. Called outside any transaction (autocommit), the call
is its own transaction and the server commits it before answering: no client round trip at all
while the locks are held.

The function also finds the register (the caller creates it on the year's first registration)
and builds the event's data text from the canonical JSON the caller computed with marks where
the number and the register id go, so the hash is the one Python would compute.
Installed by migration ``registry.0002``; the function must follow any change to the columns
it writes (registry_document, registry_registercounter).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core.pgfunctions import execute_on_postgresql

FUNCTION = "vanban_register_document"
_ARGS = ("bigint, timestamptz, text, bigint, integer, text, text, text, date, timestamptz, "
         "text, text, timestamptz, text, bigint, text, text, text, text, text, text, text")
# Stand for the number's digits and the register id in the event data until they are known.
NUMBER_MARK = "\ue000"
REGISTER_MARK = "\ue001"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(
    p_document_id bigint, p_updated_at timestamptz, p_draft text, p_agency_id bigint,
    p_year integer, p_series text, p_kind text, p_notation text, p_issued_date date,
    p_registered_at timestamptz, p_state text, p_data text,
    p_at timestamptz, p_at_iso text, p_actor_id bigint, p_actor_username text,
    p_agency_code text, p_action text, p_object_type text, p_object_id text,
    p_before_digest text, p_after_digest text,
    OUT r_register bigint, OUT r_number integer, OUT r_data text, OUT r_event_id bigint,
    OUT r_seq bigint, OUT r_prev_hash text, OUT r_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- The document as the caller read it: still a draft, unchanged since (else nothing is
    -- claimed and r_number stays NULL: the caller takes the locked path).
    PERFORM 1 FROM registry_document WHERE id = p_document_id AND state = p_draft
        AND updated_at = p_updated_at FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT id INTO r_register FROM registry_register WHERE agency_id = p_agency_id
        AND year = p_year AND series = p_series AND kind = p_kind ORDER BY id LIMIT 1;
    IF r_register IS NULL THEN  -- first registration of the year: the caller creates it
        RETURN;
    END IF;
    -- Lock order: the audit head first, the counter last.
    PERFORM 1 FROM audit_audithead WHERE id = 1 FOR UPDATE;
    UPDATE registry_registercounter SET last_number = last_number + 1
        WHERE register_id = r_register RETURNING last_number INTO r_number;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'register % has no counter row', r_register;
    END IF;
    UPDATE registry_document SET register_id = r_register, code_notation = p_notation,
        issued_date = p_issued_date, state = p_state, registered_at = p_registered_at,
        updated_at = p_registered_at, code_number = r_number
        WHERE id = p_document_id;
    -- The number as format_number writes it (at least two digits), the register id as JSON.
    r_data := replace(replace(p_data, chr({ord(NUMBER_MARK)}),
                              CASE WHEN r_number < 10 THEN '0' ELSE '' END || r_number::text),
                      '"' || chr({ord(REGISTER_MARK)}) || '"', r_register::text);
    SELECT a.o_id, a.o_seq, a.o_prev_hash, a.o_hash INTO r_event_id, r_seq, r_prev_hash, r_hash
        FROM vanban_audit_append(p_at, p_at_iso, p_actor_id, p_actor_username, p_agency_code,
                                 p_action, p_object_type, p_object_id, p_before_digest,
                                 p_after_digest, r_data) AS a;
END;
$$;
"""  # noqa: S608 - fixed names, no input
DROP = f"DROP FUNCTION IF EXISTS {FUNCTION}({_ARGS});"
CALL = (f"SELECT r_register, r_number, r_data, r_event_id, r_seq, r_prev_hash, r_hash "  # noqa: S608
        f"FROM {FUNCTION}(" + ", ".join(["%s"] * 22) + ")")


def data_with(template: str, *, number: int, register_id: int) -> str:
    """The event data with the number and register id in place (what the function builds)."""
    return template.replace(NUMBER_MARK, f"{number:02d}").replace(
        f'"{REGISTER_MARK}"', str(register_id))


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the function on PostgreSQL; nothing on other databases."""
    execute_on_postgresql(connection, CREATE)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the function (migration reversal)."""
    execute_on_postgresql(connection, DROP)
