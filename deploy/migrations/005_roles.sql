-- Database roles with only the grants each kind of service needs. They are
-- group roles (NOLOGIN): a deployment creates login roles in them, e.g.
--   CREATE ROLE vacancy_worker LOGIN PASSWORD '...' IN ROLE succession_worker;
-- Roles belong to the whole PostgreSQL cluster, so they are created only
-- when missing; the grants are per database.
-- Several databases of one cluster may be migrated at once: a role created
-- meanwhile by another is fine.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['succession_worker', 'succession_publisher', 'succession_operator'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END LOOP;
END
$$;

-- Workers: read reference data and settings; record facts, the ledger,
-- offsets, evaluations and the outbox.
GRANT SELECT ON organisation, post, setting TO succession_worker;
GRANT SELECT, INSERT, UPDATE ON notice, vacancy, vacancy_closure, appointment, appointment_end,
    talent_review, nomination, event_log, consumer_offset, post_state TO succession_worker;
GRANT SELECT ON event_outcome TO succession_worker;
GRANT INSERT ON outbox TO succession_worker;
GRANT USAGE ON SEQUENCE outbox_id_seq TO succession_worker;
-- Evaluation locks post rows (SELECT ... FOR UPDATE needs UPDATE on post).
GRANT UPDATE ON post TO succession_worker;

-- The alert publisher evaluates on a timer (as a worker does) and drains
-- the outbox.
DO $$
BEGIN
    GRANT succession_worker TO succession_publisher;
EXCEPTION WHEN unique_violation THEN
    NULL; -- granted meanwhile by a concurrent migration
END
$$;
GRANT SELECT, DELETE ON outbox TO succession_publisher;

-- Operators (successionctl): reference data and settings too.
DO $$
BEGIN
    GRANT succession_publisher TO succession_operator;
EXCEPTION WHEN unique_violation THEN
    NULL;
END
$$;
GRANT INSERT, UPDATE ON organisation, post, setting TO succession_operator;
GRANT SELECT ON schema_migration TO succession_operator;
