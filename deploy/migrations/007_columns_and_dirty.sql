-- Throughput that follows the work: batches arrive as typed columns (one
-- array per field, unnest()) instead of JSON; applying a batch only folds
-- its events into facts and marks what they touched as dirty (waking the
-- alert publisher); evaluation is a pass of its own, after the batch
-- commits, over the dirty posts (and the posts of dirty persons) as they
-- then are. So a batch takes no person or post locks, workers run side by
-- side, and a post is evaluated once however many batches touched it while
-- it waited.
--
-- Why evaluating after the commit is enough: whoever changes a person's
-- facts (a talent review, an appointment) and whoever links a person to a
-- post (a nomination, an appointment) each mark dirty what they touched.
-- Of two such batches, the pass that follows the later commit reads both:
-- either it expands the person to posts that include the new link, or it
-- evaluates the newly linked post with the person's new facts.

DROP FUNCTION apply_vacancy_batch(text, jsonb);
DROP FUNCTION apply_appointment_batch(text, jsonb);
DROP FUNCTION apply_appraisal_batch(text, jsonb);
DROP FUNCTION intake(text, jsonb);
DROP FUNCTION lock_affected(jsonb, jsonb);
DROP FUNCTION event_refs(jsonb, text, text[]);
DROP FUNCTION event_body(jsonb);
DROP FUNCTION event_kind(jsonb);
DROP FUNCTION post_facts(text[], date);
DROP FUNCTION post_nominations(text[], date);
DROP FUNCTION person_left_nhs(text, date);

-- What committed batches touched and no evaluation has seen since: posts
-- directly, persons through every post where they are nominated or hold an
-- appointment; caused_by is the event that touched it. Rows are only ever
-- appended by batches and taken all at once by the evaluation, so that a
-- batch never waits for an evaluation: the same post may be marked many
-- times, and the evaluation takes the last mark's cause (by id). No index:
-- nothing looks a mark up, and the tables are vacuumed eagerly, as every
-- row lives for milliseconds.
CREATE TABLE dirty_post (
    id        bigserial NOT NULL,
    post_id   text COLLATE "C" NOT NULL,
    caused_by text
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
        autovacuum_vacuum_cost_delay = 0);
CREATE TABLE dirty_person (
    id        bigserial NOT NULL,
    person_id text COLLATE "C" NOT NULL,
    caused_by text
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
        autovacuum_vacuum_cost_delay = 0);

-- Logs every message of the batch as applied, parked or duplicate (in
-- batch order, so the first of two repeats in one batch is the one taken)
-- and returns, per message, whether it was taken (not a duplicate), with
-- the count of each outcome. Arrays are parallel, one element per message.
CREATE FUNCTION intake(p_topic text, p_partition integer[], p_offset bigint[],
                       p_event_id text[], p_post_id text[], OUT taken boolean[],
                       OUT applied integer, OUT duplicate integer, OUT parked integer)
LANGUAGE plpgsql AS $$
BEGIN
    WITH b AS (
        SELECT u.*
        FROM unnest(p_partition, p_offset, p_event_id, p_post_id) WITH ORDINALITY
             AS u(partition, "offset", event_id, post_id, ord)
    ), took AS (
        INSERT INTO event_log (topic, partition, "offset", event_id, post_id, outcome)
        SELECT p_topic, b.partition, b."offset", b.event_id, b.post_id,
               CASE WHEN b.post_id IS NULL OR p.post_id IS NOT NULL THEN 'applied' ELSE 'parked' END
        FROM b LEFT JOIN post p ON p.post_id = b.post_id
        ORDER BY b.ord
        ON CONFLICT DO NOTHING
        RETURNING partition, "offset", outcome
    ), repeated AS (
        INSERT INTO event_log (topic, partition, "offset", event_id, post_id, outcome)
        SELECT p_topic, b.partition, b."offset", b.event_id, b.post_id, 'duplicate'
        FROM b LEFT JOIN took USING (partition, "offset")
        WHERE took.partition IS NULL
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT array_agg(took.partition IS NOT NULL ORDER BY b.ord),
           count(*) FILTER (WHERE took.outcome = 'applied'),
           (SELECT count(*) FROM repeated),
           count(*) FILTER (WHERE took.outcome = 'parked')
    INTO taken, applied, duplicate, parked
    FROM b LEFT JOIN took USING (partition, "offset");
END
$$;

-- Marks posts and persons dirty, once each, the last event of each (by
-- batch order) as its cause, and wakes the evaluator at commit. NULL ids
-- are skipped.
CREATE FUNCTION mark_dirty(p_post_id text[], p_person_id text[], p_event_id text[])
RETURNS void
LANGUAGE sql AS $$
    SELECT pg_notify('succession_dirty', '');
    INSERT INTO dirty_post (post_id, caused_by)
    SELECT DISTINCT ON (u.post_id) u.post_id, u.event_id
    FROM unnest(p_post_id, p_event_id) WITH ORDINALITY AS u(post_id, event_id, ord)
    WHERE u.post_id IS NOT NULL
    ORDER BY u.post_id, u.ord DESC;
    INSERT INTO dirty_person (person_id, caused_by)
    SELECT DISTINCT ON (u.person_id) u.person_id, u.event_id
    FROM unnest(p_person_id, p_event_id) WITH ORDINALITY AS u(person_id, event_id, ord)
    WHERE u.person_id IS NOT NULL
    ORDER BY u.person_id, u.ord DESC;
$$;

-- Applying a batch of valid events, one call per batch and topic, inside
-- the worker's transaction. Every array has one element per event, in
-- consumption order: p_event is the event member's JSON name, the rest the
-- header and body fields named by the parameters (NULL where an event kind
-- has no such field). Returns one row: the outcome counts.

-- vacancy topic: notices and vacancies, about posts.
CREATE FUNCTION apply_vacancy_batch(
    p_topic text, p_partition integer[], p_offset bigint[], p_event text[], p_event_id text[],
    p_occurred_at timestamptz[], p_post_id text[], p_person_id text[], p_reason text[],
    p_leaving_date date[], p_vacancy_id text[], p_vacant_from date[], p_outcome text[])
RETURNS TABLE (applied integer, duplicate integer, parked integer)
LANGUAGE plpgsql AS $$
DECLARE
    i record;
BEGIN
    SELECT * INTO i FROM intake(p_topic, p_partition, p_offset, p_event_id, p_post_id);

    INSERT INTO notice AS t (post_id, person_id, given, reason, leaving_date, occurred_at, event_id)
    SELECT DISTINCT ON (u.post_id, u.person_id)
           u.post_id, u.person_id, u.event = 'noticeGiven', u.reason, u.leaving_date,
           u.occurred_at, u.event_id
    FROM unnest(i.taken, p_event, p_event_id, p_occurred_at, p_post_id, p_person_id, p_reason,
                p_leaving_date) AS u(taken, event, event_id, occurred_at, post_id, person_id,
                                     reason, leaving_date)
    WHERE u.taken AND u.event IN ('noticeGiven', 'noticeWithdrawn')
    ORDER BY u.post_id, u.person_id, u.occurred_at DESC, u.event_id COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT notice_pkey DO UPDATE
        SET given = excluded.given, reason = excluded.reason, leaving_date = excluded.leaving_date,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    INSERT INTO vacancy AS t (vacancy_id, post_id, reason, vacant_from, occurred_at, event_id)
    SELECT DISTINCT ON (u.vacancy_id)
           u.vacancy_id, u.post_id, u.reason, u.vacant_from, u.occurred_at, u.event_id
    FROM unnest(i.taken, p_event, p_event_id, p_occurred_at, p_post_id, p_reason, p_vacancy_id,
                p_vacant_from) AS u(taken, event, event_id, occurred_at, post_id, reason,
                                    vacancy_id, vacant_from)
    WHERE u.taken AND u.event = 'vacancyOpened'
    ORDER BY u.vacancy_id, u.occurred_at DESC, u.event_id COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT vacancy_pkey DO UPDATE
        SET post_id = excluded.post_id, reason = excluded.reason, vacant_from = excluded.vacant_from,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    INSERT INTO vacancy_closure (vacancy_id, post_id, outcome, event_id)
    SELECT DISTINCT ON (u.vacancy_id, u.post_id) u.vacancy_id, u.post_id, u.outcome, u.event_id
    FROM unnest(i.taken, p_event, p_event_id, p_post_id, p_vacancy_id, p_outcome)
         AS u(taken, event, event_id, post_id, vacancy_id, outcome)
    WHERE u.taken AND u.event = 'vacancyClosed'
    ON CONFLICT DO NOTHING;

    PERFORM mark_dirty(
        (SELECT array_agg(CASE WHEN u.taken THEN u.post_id END ORDER BY u.ord)
         FROM unnest(i.taken, p_post_id) WITH ORDINALITY AS u(taken, post_id, ord)),
        NULL, p_event_id);
    RETURN QUERY SELECT i.applied, i.duplicate, i.parked;
END
$$;

-- appointment topic: appointments and their ends. They are about a post and
-- about a person too: whether the person has left the NHS, and where they
-- hold posts, is seen by every post that nominates them.
CREATE FUNCTION apply_appointment_batch(
    p_topic text, p_partition integer[], p_offset bigint[], p_event text[], p_event_id text[],
    p_occurred_at timestamptz[], p_appointment_id text[], p_post_id text[], p_person_id text[],
    p_kind text[], p_start_date date[], p_end_date date[], p_reason text[])
RETURNS TABLE (applied integer, duplicate integer, parked integer)
LANGUAGE plpgsql AS $$
DECLARE
    i record;
BEGIN
    SELECT * INTO i FROM intake(p_topic, p_partition, p_offset, p_event_id, p_post_id);

    INSERT INTO appointment AS t (appointment_id, post_id, person_id, kind, start_date, end_date,
                                  occurred_at, event_id)
    SELECT DISTINCT ON (u.appointment_id)
           u.appointment_id, u.post_id, u.person_id, u.kind, u.start_date, u.end_date,
           u.occurred_at, u.event_id
    FROM unnest(i.taken, p_event, p_event_id, p_occurred_at, p_appointment_id, p_post_id,
                p_person_id, p_kind, p_start_date, p_end_date)
         AS u(taken, event, event_id, occurred_at, appointment_id, post_id, person_id, kind,
              start_date, end_date)
    WHERE u.taken AND u.event = 'appointed'
    ORDER BY u.appointment_id, u.occurred_at DESC, u.event_id COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT appointment_pkey DO UPDATE
        SET post_id = excluded.post_id, person_id = excluded.person_id, kind = excluded.kind,
            start_date = excluded.start_date, end_date = excluded.end_date,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    INSERT INTO appointment_end AS t (appointment_id, post_id, person_id, end_date, reason,
                                      occurred_at, event_id)
    SELECT DISTINCT ON (u.appointment_id)
           u.appointment_id, u.post_id, u.person_id, u.end_date, u.reason, u.occurred_at,
           u.event_id
    FROM unnest(i.taken, p_event, p_event_id, p_occurred_at, p_appointment_id, p_post_id,
                p_person_id, p_end_date, p_reason)
         AS u(taken, event, event_id, occurred_at, appointment_id, post_id, person_id, end_date,
              reason)
    WHERE u.taken AND u.event = 'appointmentEnded'
    ORDER BY u.appointment_id, u.occurred_at DESC, u.event_id COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT appointment_end_pkey DO UPDATE
        SET post_id = excluded.post_id, person_id = excluded.person_id,
            end_date = excluded.end_date, reason = excluded.reason,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    PERFORM mark_dirty(
        (SELECT array_agg(CASE WHEN u.taken THEN u.post_id END ORDER BY u.ord)
         FROM unnest(i.taken, p_post_id) WITH ORDINALITY AS u(taken, post_id, ord)),
        (SELECT array_agg(CASE WHEN u.taken THEN u.person_id END ORDER BY u.ord)
         FROM unnest(i.taken, p_person_id) WITH ORDINALITY AS u(taken, person_id, ord)),
        p_event_id);
    RETURN QUERY SELECT i.applied, i.duplicate, i.parked;
END
$$;

-- appraisal topic: talent reviews (about a person: every post nominating
-- them or held by them) and nominations (about one post).
CREATE FUNCTION apply_appraisal_batch(
    p_topic text, p_partition integer[], p_offset bigint[], p_event text[], p_event_id text[],
    p_occurred_at timestamptz[], p_person_id text[], p_post_id text[], p_review_date date[],
    p_performance text[], p_potential text[], p_risk_of_loss text[], p_impact_of_loss text[],
    p_fit_and_proper text[], p_readiness text[], p_emergency_cover boolean[],
    p_assessed_on date[])
RETURNS TABLE (applied integer, duplicate integer, parked integer)
LANGUAGE plpgsql AS $$
DECLARE
    i record;
BEGIN
    SELECT * INTO i FROM intake(p_topic, p_partition, p_offset, p_event_id, p_post_id);

    INSERT INTO talent_review AS t (person_id, review_date, performance, potential, risk_of_loss,
                                    impact_of_loss, fit_and_proper, occurred_at, event_id)
    SELECT DISTINCT ON (u.person_id)
           u.person_id, u.review_date, u.performance, u.potential, u.risk_of_loss,
           u.impact_of_loss, u.fit_and_proper, u.occurred_at, u.event_id
    FROM unnest(i.taken, p_event, p_event_id, p_occurred_at, p_person_id, p_review_date,
                p_performance, p_potential, p_risk_of_loss, p_impact_of_loss, p_fit_and_proper)
         AS u(taken, event, event_id, occurred_at, person_id, review_date, performance, potential,
              risk_of_loss, impact_of_loss, fit_and_proper)
    WHERE u.taken AND u.event = 'talentReview'
    ORDER BY u.person_id, u.occurred_at DESC, u.event_id COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT talent_review_pkey DO UPDATE
        SET review_date = excluded.review_date, performance = excluded.performance,
            potential = excluded.potential, risk_of_loss = excluded.risk_of_loss,
            impact_of_loss = excluded.impact_of_loss, fit_and_proper = excluded.fit_and_proper,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    INSERT INTO nomination AS t (post_id, person_id, active, readiness, emergency_cover,
                                 assessed_on, occurred_at, event_id)
    SELECT DISTINCT ON (u.post_id, u.person_id)
           u.post_id, u.person_id, u.event = 'successorNominated', u.readiness,
           coalesce(u.emergency_cover, false), u.assessed_on, u.occurred_at, u.event_id
    FROM unnest(i.taken, p_event, p_event_id, p_occurred_at, p_post_id, p_person_id, p_readiness,
                p_emergency_cover, p_assessed_on)
         AS u(taken, event, event_id, occurred_at, post_id, person_id, readiness,
              emergency_cover, assessed_on)
    WHERE u.taken AND u.event IN ('successorNominated', 'successorWithdrawn')
    ORDER BY u.post_id, u.person_id, u.occurred_at DESC, u.event_id COLLATE "C" DESC
    ON CONFLICT ON CONSTRAINT nomination_pkey DO UPDATE
        SET active = excluded.active, readiness = excluded.readiness,
            emergency_cover = excluded.emergency_cover, assessed_on = excluded.assessed_on,
            occurred_at = excluded.occurred_at, event_id = excluded.event_id
        WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id);

    PERFORM mark_dirty(
        (SELECT array_agg(CASE WHEN u.taken AND u.event <> 'talentReview' THEN u.post_id END
                          ORDER BY u.ord)
         FROM unnest(i.taken, p_event, p_post_id) WITH ORDINALITY AS u(taken, event, post_id, ord)),
        (SELECT array_agg(CASE WHEN u.taken AND u.event = 'talentReview' THEN u.person_id END
                          ORDER BY u.ord)
         FROM unnest(i.taken, p_event, p_person_id) WITH ORDINALITY
              AS u(taken, event, person_id, ord)),
        p_event_id);
    RETURN QUERY SELECT i.applied, i.duplicate, i.parked;
END
$$;

-- Takes every committed mark of a dirty post or person, expands the persons
-- to their posts
-- (nominated or appointed, as they are now), and returns those to evaluate
-- (designated, or with a state to resolve), locked (lock_posts). Each comes
-- with its last cause and, on every row, the milliseconds spent waiting for
-- the locks; one row with a NULL post when dirt was taken but there is
-- nothing to evaluate, none when there was none. A designation cannot
-- change under it: an import locks the post table against every reader.
CREATE FUNCTION take_dirty()
RETURNS TABLE (post_id text, caused_by text, lock_wait_ms integer)
LANGUAGE plpgsql AS $$
DECLARE
    posts text[];
    causes text[];
    taken integer;
    waited integer;
BEGIN
    WITH persons AS (
        DELETE FROM dirty_person d RETURNING d.id, d.person_id, d.caused_by
    ), direct AS (
        DELETE FROM dirty_post d RETURNING d.id, d.post_id, d.caused_by
    ), people AS (
        SELECT DISTINCT ON (persons.person_id) persons.person_id, persons.caused_by, persons.id
        FROM persons ORDER BY persons.person_id, persons.id DESC
    ), touched AS (
        SELECT direct.post_id, direct.caused_by, direct.id, 1 AS source FROM direct
        UNION ALL
        SELECT r.post_id, people.caused_by, people.id, 0
        FROM people
        JOIN LATERAL (SELECT n.post_id FROM nomination n WHERE n.person_id = people.person_id
                      UNION
                      SELECT a.post_id FROM appointment a WHERE a.person_id = people.person_id) r
             ON true
    ), last AS (
        SELECT DISTINCT ON (t.post_id) t.post_id, t.caused_by
        FROM touched t ORDER BY t.post_id, t.source DESC, t.id DESC
    )
    SELECT array_agg(last.post_id ORDER BY last.post_id) FILTER (WHERE watched.post_id IS NOT NULL),
           array_agg(last.caused_by ORDER BY last.post_id) FILTER (WHERE watched.post_id IS NOT NULL),
           (SELECT count(*) FROM persons) + (SELECT count(*) FROM direct)
    INTO posts, causes, taken
    FROM last
    LEFT JOIN LATERAL (SELECT p.post_id FROM post p LEFT JOIN post_state s USING (post_id)
                       WHERE p.post_id = last.post_id AND (p.designated OR s.post_id IS NOT NULL))
         watched ON true;
    IF taken = 0 THEN
        RETURN;
    END IF;
    IF posts IS NULL THEN
        RETURN QUERY SELECT NULL::text, NULL::text, 0;
        RETURN;
    END IF;
    waited := lock_posts(posts);
    RETURN QUERY
    SELECT u.post_id::text, u.caused_by, waited
    FROM unnest(posts, causes) AS u(post_id, caused_by)
    ORDER BY u.post_id COLLATE "C";
END
$$;

-- The facts an evaluation reads, a set per batch of posts, each ordered by
-- post (and person) id in byte order for the evaluator to merge. SQL only
-- folds and fetches; common/core/rules.c decides the holders, the leaving date,
-- who has left the NHS, eligibility and risk.

-- The posts with their organisation and last evaluation.
CREATE FUNCTION evaluation_posts(p_posts text[])
RETURNS TABLE (post_id text, ods_code text, organisation_name text, region text, role text,
               designated boolean, evaluated boolean, at_risk boolean, severity integer,
               alert_sequence integer, picture bytea)
LANGUAGE sql STABLE AS $$
    SELECT p.post_id, p.ods_code, o.name, o.region, p.role, p.designated, s.post_id IS NOT NULL,
           coalesce(s.at_risk, false), coalesce(s.severity, 0), coalesce(s.alert_sequence, 0),
           s.picture
    FROM post p
    JOIN organisation o ON o.ods_code = p.ods_code
    LEFT JOIN post_state s ON s.post_id = p.post_id
    WHERE p.post_id = ANY (p_posts)
    ORDER BY p.post_id
$$;

-- The posts' appointments that have not ended before today (current ones,
-- and ones still to start).
CREATE FUNCTION evaluation_appointments(p_posts text[], p_today date)
RETURNS TABLE (post_id text, appointment_id text, person_id text, substantive boolean,
               start_date date, planned_end date, actual_end date)
LANGUAGE sql STABLE AS $$
    SELECT a.post_id, a.appointment_id, a.person_id, a.kind = 'APPOINTMENT_KIND_SUBSTANTIVE',
           a.start_date, a.end_date, e.end_date
    FROM appointment a
    LEFT JOIN appointment_end e ON e.appointment_id = a.appointment_id
    WHERE a.post_id = ANY (p_posts)
      AND (a.end_date IS NULL OR a.end_date > p_today)
      AND (e.end_date IS NULL OR e.end_date > p_today)
    ORDER BY a.post_id
$$;

-- The posts' given notices (the winning event is noticeGiven).
CREATE FUNCTION evaluation_notices(p_posts text[])
RETURNS TABLE (post_id text, person_id text, leaving_date date)
LANGUAGE sql STABLE AS $$
    SELECT n.post_id, n.person_id, n.leaving_date
    FROM notice n
    WHERE n.post_id = ANY (p_posts) AND n.given
    ORDER BY n.post_id
$$;

-- The posts' open vacancies: no vacancyClosed applied for their id.
CREATE FUNCTION evaluation_vacancies(p_posts text[])
RETURNS TABLE (post_id text, vacant_from date)
LANGUAGE sql STABLE AS $$
    SELECT v.post_id, v.vacant_from
    FROM vacancy v
    WHERE v.post_id = ANY (p_posts)
      AND NOT EXISTS (SELECT 1 FROM vacancy_closure c JOIN post cp ON cp.post_id = c.post_id
                      WHERE c.vacancy_id = v.vacancy_id)
    ORDER BY v.post_id
$$;

-- The posts' active nominations.
CREATE FUNCTION evaluation_nominations(p_posts text[])
RETURNS TABLE (post_id text, person_id text, readiness text, emergency_cover boolean,
               assessed_on date)
LANGUAGE sql STABLE AS $$
    SELECT n.post_id, n.person_id, n.readiness, n.emergency_cover, n.assessed_on
    FROM nomination n
    WHERE n.post_id = ANY (p_posts) AND n.active
    ORDER BY n.post_id, n.person_id
$$;

-- What is known of every person the posts' evaluation may need: of the
-- holders of their appointments, the winning talent review (an incumbent's
-- risk of loss); of their active nominees also the latest end with
-- END_REASON_LEFT_NHS and the latest start on or before today, of
-- appointments of registered posts (NULL for holders, who need neither).
-- Each person once.
CREATE FUNCTION evaluation_persons(p_posts text[], p_today date)
RETURNS TABLE (person_id text, high_risk_of_loss boolean, fit_and_proper_failed boolean,
               left_nhs_on date, latest_start date)
LANGUAGE sql STABLE AS $$
    WITH nominees AS (
        SELECT DISTINCT n.person_id FROM nomination n WHERE n.post_id = ANY (p_posts) AND n.active
    ), people AS (
        SELECT nominees.person_id, true AS nominee FROM nominees
        UNION ALL
        SELECT DISTINCT a.person_id, false FROM appointment a
        WHERE a.post_id = ANY (p_posts)
          AND NOT EXISTS (SELECT 1 FROM nominees WHERE nominees.person_id = a.person_id)
    )
    SELECT people.person_id, coalesce(t.high_risk, false), coalesce(t.failed, false), l.left_on,
           s.latest
    FROM people
    LEFT JOIN LATERAL (
        SELECT r.risk_of_loss = 'RATING_HIGH' AS high_risk,
               r.fit_and_proper = 'FIT_AND_PROPER_FAILED' AS failed
        FROM talent_review r WHERE r.person_id = people.person_id) t ON true
    LEFT JOIN LATERAL (
        SELECT max(e.end_date) AS left_on
        FROM appointment_end e JOIN post ep ON ep.post_id = e.post_id
        WHERE people.nominee AND e.person_id = people.person_id
          AND e.reason = 'END_REASON_LEFT_NHS' AND e.end_date <= p_today) l ON true
    LEFT JOIN LATERAL (
        SELECT max(a.start_date) AS latest
        FROM appointment a JOIN post ap ON ap.post_id = a.post_id
        WHERE people.nominee AND a.person_id = people.person_id AND a.start_date <= p_today) s
        ON true
    ORDER BY people.person_id
$$;

CREATE INDEX notice_given ON notice (post_id) WHERE given;
CREATE INDEX nomination_active ON nomination (post_id) WHERE active;

GRANT SELECT, INSERT, DELETE ON dirty_post, dirty_person TO succession_worker;
GRANT USAGE ON SEQUENCE dirty_post_id_seq, dirty_person_id_seq TO succession_worker;
