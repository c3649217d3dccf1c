"""The audit append as one PostgreSQL function (R14.3): one round trip under the head lock.

Every audited transaction holds the single ``AuditHead`` row lock from its append to its commit,
so the time between those two points bounds the whole installation's write rate. The Python
path needs three statements (claim the head, insert the event, advance the head) plus the
commit; this function does the same work server-side in one call. The hash it computes is
byte-for-byte the one of :func:`vanban.audit.chain.event_hash` (the same U+001F-joined UTF-8
fields the database verifier reads back, ``verify._PAYLOAD``).

Installed by migration ``audit.0003``; SQLite keeps the Python path (its transactions take the
database write lock at BEGIN anyway).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.core.pgfunctions import execute_on_postgresql

FUNCTION = "vanban_audit_append"

# The hashed text: prev_hash, seq, at (ISO 8601 UTC, microseconds), actor id ('' for none),
# username, agency, action, object type, object id, before digest, after digest, data.
_HASH = ("encode(sha256(convert_to(concat_ws(chr(31), o_prev_hash, o_seq::text, p_at_iso, "
         "coalesce(p_actor_id::text, ''), p_actor_username, p_agency_code, p_action, "
         "p_object_type, p_object_id, p_before_digest, p_after_digest, p_data), 'UTF8')), 'hex')")

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(
    p_at timestamptz, p_at_iso text, p_actor_id bigint, p_actor_username text,
    p_agency_code text, p_action text, p_object_type text, p_object_id text,
    p_before_digest text, p_after_digest text, p_data text,
    OUT o_id bigint, OUT o_seq bigint, OUT o_prev_hash text, OUT o_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- Takes the head row lock (or waits for the holder's commit, then reads its values).
    UPDATE audit_audithead SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash
        INTO o_seq, o_prev_hash;
    IF NOT FOUND THEN  -- a database emptied by hand (the tests' flush): start at genesis
        INSERT INTO audit_audithead (id, seq, hash) VALUES (1, 0, repeat('0', 64))
            ON CONFLICT (id) DO NOTHING;
        UPDATE audit_audithead SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash
            INTO STRICT o_seq, o_prev_hash;
    END IF;
    o_hash := {_HASH};
    INSERT INTO audit_auditevent (seq, at, actor_id, actor_username, agency_code, action,
                                  object_type, object_id, before_digest, after_digest, data,
                                  prev_hash, hash)
        VALUES (o_seq, p_at, p_actor_id, p_actor_username, p_agency_code, p_action,
                p_object_type, p_object_id, p_before_digest, p_after_digest, p_data,
                o_prev_hash, o_hash)
        RETURNING id INTO o_id;
    UPDATE audit_audithead SET hash = o_hash WHERE id = 1;
END;
$$;
"""  # noqa: S608 - fixed names, no input
DROP = f"DROP FUNCTION IF EXISTS {FUNCTION}(timestamptz, text, bigint, text, text, text, text, " \
       "text, text, text, text);"
CALL = (f"SELECT o_id, o_seq, o_prev_hash, o_hash FROM {FUNCTION}"  # noqa: S608 - fixed name
        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the function on PostgreSQL; nothing on other databases."""
    execute_on_postgresql(connection, CREATE)


def drop(connection: BaseDatabaseWrapper) -> None:
    """Remove the function (migration reversal)."""
    execute_on_postgresql(connection, DROP)
