-- Hardening: rows Kafka refuses for good are set aside, workers no longer
-- hold UPDATE on reference data or the ledger, and each batch reports its
-- outcomes and the time it waited for locks.

-- Outbox rows Kafka refused for good (too large, say), moved here by the
-- alert publisher so that the rows after them flow; kept for an operator to
-- look at (`successionctl` reads them, metrics count them).
CREATE TABLE outbox_failed (
    id         bigint PRIMARY KEY,
    kind       text NOT NULL,
    post_id    text COLLATE "C" NOT NULL,
    payload    bytea NOT NULL,
    created_at timestamptz NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);

-- Evaluation takes a row lock on each post it may change, in post id
-- order. Locking a row needs UPDATE on the table, which would let a worker
-- change a designation; so the lock is taken by this function, which runs
-- with its owner's rights and does nothing else. Returns the milliseconds
-- it waited.
CREATE FUNCTION lock_posts(p_posts text[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    started timestamptz := clock_timestamp();
BEGIN
    PERFORM 1 FROM post WHERE post_id = ANY (p_posts) ORDER BY post_id FOR NO KEY UPDATE;
    RETURN (extract(epoch FROM clock_timestamp() - started) * 1000)::integer;
END
$$;
REVOKE ALL ON FUNCTION lock_posts(text[]) FROM PUBLIC;

-- Logs every message of the batch as applied, parked or duplicate (in
-- offset order, so the first of two repeats in one batch is the one taken)
-- and returns the events that are not duplicates, as a JSON array of
-- {"ord": position in the batch, "e": event}, with the count of each outcome.
DROP FUNCTION intake(text, jsonb);
CREATE FUNCTION intake(p_topic text, p_batch jsonb, OUT events jsonb, OUT applied integer,
                       OUT duplicate integer, OUT parked integer)
LANGUAGE plpgsql AS $$
BEGIN
    WITH b AS (
        SELECT t.ord, (t.x->>'partition')::int AS partition, (t.x->>'offset')::bigint AS "offset",
               t.x->'event' AS e, t.x->'event'->'header'->>'eventId' AS event_id,
               event_body(t.x->'event')->>'postId' AS post_id
        FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS t(x, ord)
    ), taken AS (
        INSERT INTO event_log (topic, partition, "offset", event_id, post_id, outcome)
        SELECT p_topic, b.partition, b."offset", b.event_id, b.post_id,
               CASE WHEN b.post_id IS NULL
                         OR EXISTS (SELECT 1 FROM post p WHERE p.post_id = b.post_id)
                    THEN 'applied' ELSE 'parked' END
        FROM b ORDER BY b.ord
        ON CONFLICT DO NOTHING
        RETURNING partition, "offset", outcome
    ), repeated AS (
        INSERT INTO event_log (topic, partition, "offset", event_id, post_id, outcome)
        SELECT p_topic, b.partition, b."offset", b.event_id, b.post_id, 'duplicate'
        FROM b LEFT JOIN taken USING (partition, "offset")
        WHERE taken.partition IS NULL
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('ord', b.ord, 'e', b.e) ORDER BY b.ord)
                        FILTER (WHERE taken.partition IS NOT NULL), '[]'),
           count(*) FILTER (WHERE taken.outcome = 'applied'),
           (SELECT count(*) FROM repeated),
           count(*) FILTER (WHERE taken.outcome = 'parked')
    INTO events, applied, duplicate, parked
    FROM b LEFT JOIN taken USING (partition, "offset");
END
$$;

-- Takes the person locks, then the post row locks (lock_posts), in a fixed
-- order, and returns the posts to evaluate among those touched directly
-- (p_direct) or through a person whose facts changed (p_persons: every post
-- where they are nominated or hold an appointment), each with the event
-- that touched it last, and the milliseconds spent waiting for the locks on
-- every row. Every registered post touched is locked, but only those
-- designated or with a state to resolve are returned, judged after the
-- locks so that a designation committed meanwhile is seen. When there is
-- none, one row with a NULL post carries the wait.
DROP FUNCTION lock_affected(jsonb, jsonb);
CREATE FUNCTION lock_affected(p_direct jsonb, p_persons jsonb)
RETURNS TABLE (post_id text, caused_by text, lock_wait_ms integer)
LANGUAGE plpgsql AS $$
DECLARE
    k integer;
    started timestamptz := clock_timestamp();
    posts text[];
    causes text[];
    waited integer;
BEGIN
    FOR k IN SELECT DISTINCT hashtext(x->>'id') FROM jsonb_array_elements(p_persons) x ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(1, k);
    END LOOP;
    WITH touched AS (
        SELECT x->>'id' AS post_id, (x->>'ord')::bigint AS ord, x->>'event' AS event_id
        FROM jsonb_array_elements(p_direct) x
        UNION ALL
        SELECT r.post_id, (x->>'ord')::bigint, x->>'event'
        FROM jsonb_array_elements(p_persons) x
        JOIN LATERAL (SELECT n.post_id FROM nomination n WHERE n.person_id = x->>'id'
                      UNION SELECT a.post_id FROM appointment a WHERE a.person_id = x->>'id') r ON true
    ), last AS (
        SELECT DISTINCT ON (t.post_id) t.post_id, t.event_id
        FROM touched t ORDER BY t.post_id, t.ord DESC
    )
    SELECT array_agg(last.post_id), array_agg(last.event_id) INTO posts, causes FROM last;
    PERFORM lock_posts(posts);
    waited := (extract(epoch FROM clock_timestamp() - started) * 1000)::integer;
    RETURN QUERY
    SELECT u.post_id::text, u.caused_by, waited
    FROM unnest(posts, causes) AS u(post_id, caused_by)
    JOIN post p ON p.post_id = u.post_id
    LEFT JOIN post_state s ON s.post_id = u.post_id
    WHERE p.designated OR s.post_id IS NOT NULL
    ORDER BY 1;
    IF NOT FOUND THEN
        RETURN QUERY SELECT NULL::text, NULL::text, waited;
    END IF;
END
$$;

-- The apply functions (003) now also return each batch's outcome counts and
-- lock wait, on every row: post_id (NULL on a row that only carries them),
-- caused_by, applied, duplicate, parked, lock_wait_ms.
DROP FUNCTION apply_vacancy_batch(text, jsonb);
CREATE FUNCTION apply_vacancy_batch(p_topic text, p_batch jsonb)
RETURNS TABLE (post_id text, caused_by text, applied integer, duplicate integer, parked integer,
               lock_wait_ms integer)
LANGUAGE plpgsql AS $$
DECLARE
    i record;
BEGIN
    SELECT * INTO i FROM intake(p_topic, p_batch);

    INSERT INTO notice AS t (post_id, person_id, given, reason, leaving_date, occurred_at, event_id)
    SELECT DISTINCT ON (b->>'postId', b->>'personId')
           b->>'postId', b->>'personId', k = 'noticeGiven', b->>'reason',
           (b->>'leavingDate')::date, (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(i.events) x,
         LATERAL (SELECT event_kind(x->'e') AS k, event_body(x->'e') AS b, x->'e'->'header' AS h) f
    WHERE k IN ('noticeGiven', 'noticeWithdrawn')
    ORDER BY b->>'postId', b->>'personId', (h->>'occurredAt')::timestamptz DESC,
             (h->>'eventId') COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT notice_pkey DO UPDATE
        SET given = excluded.given, reason = excluded.reason, leaving_date = excluded.leaving_date,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    INSERT INTO vacancy AS t (vacancy_id, post_id, reason, vacant_from, occurred_at, event_id)
    SELECT DISTINCT ON (b->>'vacancyId')
           b->>'vacancyId', b->>'postId', b->>'reason', (b->>'vacantFrom')::date,
           (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(i.events) x,
         LATERAL (SELECT event_kind(x->'e') AS k, event_body(x->'e') AS b, x->'e'->'header' AS h) f
    WHERE k = 'vacancyOpened'
    ORDER BY b->>'vacancyId', (h->>'occurredAt')::timestamptz DESC, (h->>'eventId') COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT vacancy_pkey DO UPDATE
        SET post_id = excluded.post_id, reason = excluded.reason, vacant_from = excluded.vacant_from,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    INSERT INTO vacancy_closure (vacancy_id, post_id, outcome, event_id)
    SELECT DISTINCT ON (b->>'vacancyId', b->>'postId')
           b->>'vacancyId', b->>'postId', b->>'outcome', x->'e'->'header'->>'eventId'
    FROM jsonb_array_elements(i.events) x, LATERAL (SELECT event_body(x->'e') AS b) f
    WHERE event_kind(x->'e') = 'vacancyClosed'
    ON CONFLICT DO NOTHING;

    RETURN QUERY SELECT l.post_id, l.caused_by, i.applied, i.duplicate, i.parked, l.lock_wait_ms
                 FROM lock_affected(event_refs(i.events, 'postId', NULL), '[]') l;
END
$$;

DROP FUNCTION apply_appointment_batch(text, jsonb);
CREATE FUNCTION apply_appointment_batch(p_topic text, p_batch jsonb)
RETURNS TABLE (post_id text, caused_by text, applied integer, duplicate integer, parked integer,
               lock_wait_ms integer)
LANGUAGE plpgsql AS $$
DECLARE
    i record;
BEGIN
    SELECT * INTO i FROM intake(p_topic, p_batch);

    INSERT INTO appointment AS t (appointment_id, post_id, person_id, kind, start_date, end_date,
                                  occurred_at, event_id)
    SELECT DISTINCT ON (b->>'appointmentId')
           b->>'appointmentId', b->>'postId', b->>'personId', b->>'kind', (b->>'startDate')::date,
           nullif(b->>'endDate', '')::date, (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(i.events) x,
         LATERAL (SELECT event_kind(x->'e') AS k, event_body(x->'e') AS b, x->'e'->'header' AS h) f
    WHERE k = 'appointed'
    ORDER BY b->>'appointmentId', (h->>'occurredAt')::timestamptz DESC,
             (h->>'eventId') COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT appointment_pkey DO UPDATE
        SET post_id = excluded.post_id, person_id = excluded.person_id, kind = excluded.kind,
            start_date = excluded.start_date, end_date = excluded.end_date,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    INSERT INTO appointment_end AS t (appointment_id, post_id, person_id, end_date, reason,
                                      occurred_at, event_id)
    SELECT DISTINCT ON (b->>'appointmentId')
           b->>'appointmentId', b->>'postId', b->>'personId', (b->>'endDate')::date, b->>'reason',
           (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(i.events) x,
         LATERAL (SELECT event_kind(x->'e') AS k, event_body(x->'e') AS b, x->'e'->'header' AS h) f
    WHERE k = 'appointmentEnded'
    ORDER BY b->>'appointmentId', (h->>'occurredAt')::timestamptz DESC,
             (h->>'eventId') COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT appointment_end_pkey DO UPDATE
        SET post_id = excluded.post_id, person_id = excluded.person_id,
            end_date = excluded.end_date, reason = excluded.reason,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    RETURN QUERY SELECT l.post_id, l.caused_by, i.applied, i.duplicate, i.parked, l.lock_wait_ms
                 FROM lock_affected(event_refs(i.events, 'postId', NULL),
                                    event_refs(i.events, 'personId', NULL)) l;
END
$$;

DROP FUNCTION apply_appraisal_batch(text, jsonb);
CREATE FUNCTION apply_appraisal_batch(p_topic text, p_batch jsonb)
RETURNS TABLE (post_id text, caused_by text, applied integer, duplicate integer, parked integer,
               lock_wait_ms integer)
LANGUAGE plpgsql AS $$
DECLARE
    i record;
BEGIN
    SELECT * INTO i FROM intake(p_topic, p_batch);

    INSERT INTO talent_review AS t (person_id, review_date, performance, potential, risk_of_loss,
                                    impact_of_loss, fit_and_proper, occurred_at, event_id)
    SELECT DISTINCT ON (b->>'personId')
           b->>'personId', (b->>'reviewDate')::date, b->>'performance', b->>'potential',
           b->>'riskOfLoss', b->>'impactOfLoss', b->>'fitAndProper',
           (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(i.events) x,
         LATERAL (SELECT event_kind(x->'e') AS k, event_body(x->'e') AS b, x->'e'->'header' AS h) f
    WHERE k = 'talentReview'
    ORDER BY b->>'personId', (h->>'occurredAt')::timestamptz DESC, (h->>'eventId') COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT talent_review_pkey DO UPDATE
        SET review_date = excluded.review_date, performance = excluded.performance,
            potential = excluded.potential, risk_of_loss = excluded.risk_of_loss,
            impact_of_loss = excluded.impact_of_loss, fit_and_proper = excluded.fit_and_proper,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    INSERT INTO nomination AS t (post_id, person_id, active, readiness, emergency_cover,
                                 assessed_on, occurred_at, event_id)
    SELECT DISTINCT ON (b->>'postId', b->>'personId')
           b->>'postId', b->>'personId', k = 'successorNominated', b->>'readiness',
           coalesce((b->>'emergencyCover')::boolean, false), (b->>'assessedOn')::date,
           (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(i.events) x,
         LATERAL (SELECT event_kind(x->'e') AS k, event_body(x->'e') AS b, x->'e'->'header' AS h) f
    WHERE k IN ('successorNominated', 'successorWithdrawn')
    ORDER BY b->>'postId', b->>'personId', (h->>'occurredAt')::timestamptz DESC,
             (h->>'eventId') COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT nomination_pkey DO UPDATE
        SET active = excluded.active, readiness = excluded.readiness,
            emergency_cover = excluded.emergency_cover, assessed_on = excluded.assessed_on,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    RETURN QUERY SELECT l.post_id, l.caused_by, i.applied, i.duplicate, i.parked, l.lock_wait_ms
                 FROM lock_affected(
                     event_refs(i.events, 'postId', '{successorNominated,successorWithdrawn}'),
                     event_refs(i.events, 'personId', '{talentReview}')) l;
END
$$;

-- Least privilege: a worker reads reference data and may lock post rows
-- only through lock_posts; it appends to the ledger but never rewrites it.
REVOKE UPDATE ON post FROM succession_worker;
REVOKE UPDATE ON event_log FROM succession_worker;
GRANT EXECUTE ON FUNCTION lock_posts(text[]) TO succession_worker;
GRANT SELECT, INSERT ON outbox_failed TO succession_publisher;
