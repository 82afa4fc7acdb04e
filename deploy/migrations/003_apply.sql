-- Applying a batch of valid events: one call per batch and topic, inside the
-- worker's transaction. A batch is a JSON array of
--   {"partition": P, "offset": O, "event": <the event in canonical JSON>}
-- in consumption order. Each function returns the registered posts whose
-- picture the batch may have changed, with the last event that touched each,
-- after locking them in post id order (persons first, then posts), so that
-- concurrent workers evaluate a post one after another and each sees what
-- the previous one committed.

-- The member of an event that is not its header.
CREATE FUNCTION event_body(e jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT value FROM jsonb_each(e) WHERE key <> 'header' LIMIT 1
$$;

CREATE FUNCTION event_kind(e jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT key FROM jsonb_each(e) WHERE key <> 'header' LIMIT 1
$$;

-- Logs every message of the batch as applied, parked or duplicate (in
-- offset order, so the first of two repeats in one batch is the one taken)
-- and returns the events that are not duplicates as a JSON array of
-- {"ord": position in the batch, "e": event}.
CREATE FUNCTION intake(p_topic text, p_batch jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    accepted bigint[];
BEGIN
    WITH b AS (
        SELECT t.ord, (t.x->>'partition')::int AS partition, (t.x->>'offset')::bigint AS "offset",
               t.x->'event'->'header'->>'eventId' AS event_id,
               event_body(t.x->'event')->>'postId' AS post_id
        FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS t(x, ord)
    ), ins AS (
        INSERT INTO event_log (topic, partition, "offset", event_id, post_id, outcome)
        SELECT p_topic, b.partition, b."offset", b.event_id, b.post_id,
               CASE WHEN b.post_id IS NULL
                         OR EXISTS (SELECT 1 FROM post p WHERE p.post_id = b.post_id)
                    THEN 'applied' ELSE 'parked' END
        FROM b ORDER BY b.ord
        ON CONFLICT DO NOTHING
        RETURNING partition, "offset"
    )
    SELECT array_agg(b.ord) INTO accepted
    FROM b JOIN ins ON ins.partition = b.partition AND ins."offset" = b."offset";

    INSERT INTO event_log (topic, partition, "offset", event_id, post_id, outcome)
    SELECT p_topic, (t.x->>'partition')::int, (t.x->>'offset')::bigint,
           t.x->'event'->'header'->>'eventId', event_body(t.x->'event')->>'postId', 'duplicate'
    FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS t(x, ord)
    WHERE NOT t.ord = ANY (coalesce(accepted, '{}'))
    ON CONFLICT DO NOTHING;

    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('ord', t.ord, 'e', t.x->'event')
                                      ORDER BY t.ord), '[]')
            FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS t(x, ord)
            WHERE t.ord = ANY (coalesce(accepted, '{}')));
END
$$;

-- The ids named by member p_member ("postId", "personId") of the intake's
-- events of the given kinds (all when NULL), as lock_affected wants them:
-- a JSON array of {"id", "ord", "event"}.
CREATE FUNCTION event_refs(p_events jsonb, p_member text, p_kinds text[])
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', event_body(x->'e')->>p_member,
                    'ord', x->'ord', 'event', x->'e'->'header'->>'eventId')), '[]')
    FROM jsonb_array_elements(p_events) x
    WHERE p_kinds IS NULL OR event_kind(x->'e') = ANY (p_kinds)
$$;

-- Takes the person locks, then the post row locks, in a fixed order, and
-- returns the registered posts touched directly (p_direct) or through a
-- person whose facts changed (p_persons: every post where they are nominated
-- or hold an appointment), each with the event that touched it last.
CREATE FUNCTION lock_affected(p_direct jsonb, p_persons jsonb)
RETURNS TABLE (post_id text, caused_by text)
LANGUAGE plpgsql AS $$
DECLARE
    k integer;
BEGIN
    FOR k IN SELECT DISTINCT hashtext(x->>'id') FROM jsonb_array_elements(p_persons) x ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(1, k);
    END LOOP;
    RETURN QUERY
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
    ), locked AS (
        SELECT p.post_id FROM post p WHERE p.post_id IN (SELECT last.post_id FROM last)
        ORDER BY p.post_id FOR UPDATE
    )
    SELECT l.post_id::text, last.event_id FROM locked l JOIN last USING (post_id) ORDER BY 1;
END
$$;

-- vacancy topic: notices and vacancies.
CREATE FUNCTION apply_vacancy_batch(p_topic text, p_batch jsonb)
RETURNS TABLE (post_id text, caused_by text)
LANGUAGE plpgsql AS $$
DECLARE
    ev jsonb;
BEGIN
    ev := intake(p_topic, p_batch);

    INSERT INTO notice AS t (post_id, person_id, given, reason, leaving_date, occurred_at, event_id)
    SELECT DISTINCT ON (b->>'postId', b->>'personId')
           b->>'postId', b->>'personId', k = 'noticeGiven', b->>'reason',
           (b->>'leavingDate')::date, (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(ev) x,
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
    FROM jsonb_array_elements(ev) x,
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
    FROM jsonb_array_elements(ev) x, LATERAL (SELECT event_body(x->'e') AS b) f
    WHERE event_kind(x->'e') = 'vacancyClosed'
    ON CONFLICT DO NOTHING;

    RETURN QUERY SELECT * FROM lock_affected(event_refs(ev, 'postId', NULL), '[]');
END
$$;

-- appointment topic: appointments and their ends. A person's appointments
-- decide whether they have left the NHS, which every post nominating them
-- sees, so their persons are locked too.
CREATE FUNCTION apply_appointment_batch(p_topic text, p_batch jsonb)
RETURNS TABLE (post_id text, caused_by text)
LANGUAGE plpgsql AS $$
DECLARE
    ev jsonb;
BEGIN
    ev := intake(p_topic, p_batch);

    INSERT INTO appointment AS t (appointment_id, post_id, person_id, kind, start_date, end_date,
                                  occurred_at, event_id)
    SELECT DISTINCT ON (b->>'appointmentId')
           b->>'appointmentId', b->>'postId', b->>'personId', b->>'kind', (b->>'startDate')::date,
           nullif(b->>'endDate', '')::date, (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(ev) x,
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
    FROM jsonb_array_elements(ev) x,
         LATERAL (SELECT event_kind(x->'e') AS k, event_body(x->'e') AS b, x->'e'->'header' AS h) f
    WHERE k = 'appointmentEnded'
    ORDER BY b->>'appointmentId', (h->>'occurredAt')::timestamptz DESC,
             (h->>'eventId') COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT appointment_end_pkey DO UPDATE
        SET post_id = excluded.post_id, person_id = excluded.person_id,
            end_date = excluded.end_date, reason = excluded.reason,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    RETURN QUERY SELECT * FROM lock_affected(event_refs(ev, 'postId', NULL),
                                             event_refs(ev, 'personId', NULL));
END
$$;

-- appraisal topic: talent reviews (about a person: every post nominating
-- them or held by them) and nominations (about one post).
CREATE FUNCTION apply_appraisal_batch(p_topic text, p_batch jsonb)
RETURNS TABLE (post_id text, caused_by text)
LANGUAGE plpgsql AS $$
DECLARE
    ev jsonb;
BEGIN
    ev := intake(p_topic, p_batch);

    INSERT INTO talent_review AS t (person_id, review_date, performance, potential, risk_of_loss,
                                    impact_of_loss, fit_and_proper, occurred_at, event_id)
    SELECT DISTINCT ON (b->>'personId')
           b->>'personId', (b->>'reviewDate')::date, b->>'performance', b->>'potential',
           b->>'riskOfLoss', b->>'impactOfLoss', b->>'fitAndProper',
           (h->>'occurredAt')::timestamptz, h->>'eventId'
    FROM jsonb_array_elements(ev) x,
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
    FROM jsonb_array_elements(ev) x,
         LATERAL (SELECT event_kind(x->'e') AS k, event_body(x->'e') AS b, x->'e'->'header' AS h) f
    WHERE k IN ('successorNominated', 'successorWithdrawn')
    ORDER BY b->>'postId', b->>'personId', (h->>'occurredAt')::timestamptz DESC,
             (h->>'eventId') COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT nomination_pkey DO UPDATE
        SET active = excluded.active, readiness = excluded.readiness,
            emergency_cover = excluded.emergency_cover, assessed_on = excluded.assessed_on,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    RETURN QUERY SELECT * FROM lock_affected(
        event_refs(ev, 'postId', '{successorNominated,successorWithdrawn}'),
        event_refs(ev, 'personId', '{talentReview}'));
END
$$;

-- Stores the next offsets of a batch's partitions, refusing (false, and
-- nothing stored) when another consumer has already moved one of them past
-- the batch's first offset: then this batch was taken over and must not be
-- applied. Existing rows are locked in partition order first.
CREATE FUNCTION store_offsets(p_group text, p_topic text, p_partition integer[],
                              p_first bigint[], p_next bigint[])
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM (
            SELECT c.next_offset, u.first
            FROM consumer_offset c
            JOIN unnest(p_partition, p_first) AS u(partition, first) ON u.partition = c.partition
            WHERE c.consumer_group = p_group AND c.topic = p_topic
            ORDER BY c.partition FOR UPDATE OF c
        ) locked WHERE locked.next_offset > locked.first) THEN
        RETURN false;
    END IF;
    INSERT INTO consumer_offset AS c (consumer_group, topic, partition, next_offset, updated_at)
    SELECT p_group, p_topic, u.partition, u.next, now()
    FROM unnest(p_partition, p_next) AS u(partition, next)
    ORDER BY u.partition
    ON CONFLICT (consumer_group, topic, partition) DO UPDATE
        SET next_offset = excluded.next_offset, updated_at = excluded.updated_at;
    RETURN true;
END
$$;
