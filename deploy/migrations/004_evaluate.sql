-- Reading the facts of a post for the readiness rules (common/core/rules.c
-- judges them), and recording the outcome with its outbox rows.

-- Whether a person has left the NHS on p_today: an appointment of theirs
-- ended with END_REASON_LEFT_NHS on or before today, and no appointment of
-- theirs starts after the latest such date and on or before today.
CREATE FUNCTION person_left_nhs(p_person text, p_today date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    WITH left_on AS (
        SELECT max(e.end_date) AS d
        FROM appointment_end e JOIN post p ON p.post_id = e.post_id
        WHERE e.person_id = p_person AND e.reason = 'END_REASON_LEFT_NHS' AND e.end_date <= p_today
    )
    SELECT left_on.d IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM appointment a JOIN post p ON p.post_id = a.post_id
        WHERE a.person_id = p_person AND a.start_date > left_on.d AND a.start_date <= p_today)
    FROM left_on
$$;

-- The last evaluation of each post that has been evaluated.
CREATE TABLE post_state (
    post_id        text COLLATE "C" PRIMARY KEY REFERENCES post ON DELETE CASCADE,
    at_risk        boolean NOT NULL,
    severity       integer NOT NULL,        -- succession.v1.Severity
    alert_sequence integer NOT NULL DEFAULT 0,
    picture        bytea NOT NULL,          -- PostStatus without evaluatedAt / causedByEventId
    status         bytea NOT NULL,          -- the last PostStatus published
    evaluated_at   timestamptz NOT NULL
);

-- Alerts and status snapshots waiting for the alert publisher, in commit
-- order per post (rows of one post are written under its row lock).
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('alert', 'status')),
    post_id    text COLLATE "C" NOT NULL,
    payload    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per post: who holds it and what the rules need about them.
CREATE FUNCTION post_facts(p_posts text[], p_today date)
RETURNS TABLE (post_id text, ods_code text, organisation_name text, region text, role text,
               designated boolean, current_appointments integer, current_substantive integer,
               incumbent_person_id text, leaving_date date, incumbent_high_risk boolean,
               evaluated boolean, at_risk boolean, severity integer, alert_sequence integer,
               picture bytea)
LANGUAGE sql STABLE AS $$
    WITH cur AS (
        SELECT a.post_id, a.appointment_id, a.person_id, a.kind, a.start_date,
               a.end_date AS planned_end, e.end_date AS actual_end
        FROM appointment a LEFT JOIN appointment_end e USING (appointment_id)
        WHERE a.post_id = ANY (p_posts) AND a.start_date <= p_today
          AND (a.end_date IS NULL OR a.end_date > p_today)
          AND (e.end_date IS NULL OR e.end_date > p_today)
    ), incumbent AS (
        SELECT DISTINCT ON (cur.post_id) cur.post_id, cur.person_id, cur.planned_end, cur.actual_end
        FROM cur WHERE cur.kind = 'APPOINTMENT_KIND_SUBSTANTIVE'
        ORDER BY cur.post_id, cur.start_date DESC, cur.appointment_id DESC
    )
    SELECT p.post_id, p.ods_code, o.name, o.region, p.role, p.designated,
           (SELECT count(*) FROM cur WHERE cur.post_id = p.post_id)::integer,
           (SELECT count(*) FROM cur WHERE cur.post_id = p.post_id
                                       AND cur.kind = 'APPOINTMENT_KIND_SUBSTANTIVE')::integer,
           i.person_id,
           CASE WHEN i.person_id IS NOT NULL THEN (
               SELECT min(d) FROM (
                   SELECT i.planned_end UNION ALL SELECT i.actual_end
                   UNION ALL
                   SELECT n.leaving_date FROM notice n
                   WHERE n.post_id = p.post_id AND n.person_id = i.person_id AND n.given
                   UNION ALL
                   SELECT v.vacant_from FROM vacancy v
                   WHERE v.post_id = p.post_id AND NOT EXISTS (
                       SELECT 1 FROM vacancy_closure c JOIN post cp ON cp.post_id = c.post_id
                       WHERE c.vacancy_id = v.vacancy_id)
               ) dates(d) WHERE d >= p_today)
           END,
           coalesce((SELECT t.risk_of_loss = 'RATING_HIGH' FROM talent_review t
                     WHERE t.person_id = i.person_id), false),
           s.post_id IS NOT NULL, coalesce(s.at_risk, false), coalesce(s.severity, 0),
           coalesce(s.alert_sequence, 0), s.picture
    FROM post p
    JOIN organisation o ON o.ods_code = p.ods_code
    LEFT JOIN incumbent i ON i.post_id = p.post_id
    LEFT JOIN post_state s ON s.post_id = p.post_id
    WHERE p.post_id = ANY (p_posts)
    ORDER BY p.post_id
$$;

-- The active nominations of the posts, with what decides eligibility.
CREATE FUNCTION post_nominations(p_posts text[], p_today date)
RETURNS TABLE (post_id text, person_id text, readiness text, emergency_cover boolean,
               assessed_on date, left_nhs boolean, fit_and_proper_failed boolean)
LANGUAGE sql STABLE AS $$
    SELECT n.post_id, n.person_id, n.readiness, n.emergency_cover, n.assessed_on,
           person_left_nhs(n.person_id, p_today),
           coalesce(t.fit_and_proper = 'FIT_AND_PROPER_FAILED', false)
    FROM nomination n LEFT JOIN talent_review t ON t.person_id = n.person_id
    WHERE n.post_id = ANY (p_posts) AND n.active
    ORDER BY n.post_id, n.person_id
$$;

-- Stores the evaluations whose outcome changed and queues their alert (when
-- there is one) and status, alert first, in the order given. Wakes the alert
-- publisher at commit. Payloads are hex-encoded protobuf.
CREATE FUNCTION record_evaluations(p_post text[], p_at_risk boolean[], p_severity integer[],
                                   p_sequence integer[], p_picture text[], p_status text[],
                                   p_alert text[], p_evaluated_at timestamptz)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    queued integer;
BEGIN
    INSERT INTO post_state AS s (post_id, at_risk, severity, alert_sequence, picture, status,
                                 evaluated_at)
    SELECT u.post_id, u.at_risk, u.severity, u.seq, decode(u.picture, 'hex'),
           decode(u.status, 'hex'), p_evaluated_at
    FROM unnest(p_post, p_at_risk, p_severity, p_sequence, p_picture, p_status)
         AS u(post_id, at_risk, severity, seq, picture, status)
    ON CONFLICT (post_id) DO UPDATE
        SET at_risk = excluded.at_risk, severity = excluded.severity,
            alert_sequence = excluded.alert_sequence, picture = excluded.picture,
            status = excluded.status, evaluated_at = excluded.evaluated_at;

    INSERT INTO outbox (kind, post_id, payload)
    SELECT q.kind, q.post_id, decode(q.payload, 'hex')
    FROM (SELECT u.ord, 0 AS n, 'alert' AS kind, u.post_id, u.alert AS payload
          FROM unnest(p_post, p_alert) WITH ORDINALITY AS u(post_id, alert, ord)
          WHERE u.alert IS NOT NULL
          UNION ALL
          SELECT u.ord, 1, 'status', u.post_id, u.status
          FROM unnest(p_post, p_status) WITH ORDINALITY AS u(post_id, status, ord)) q
    ORDER BY q.ord, q.n;
    GET DIAGNOSTICS queued = ROW_COUNT;
    IF queued > 0 THEN
        PERFORM pg_notify('succession_outbox', '');
    END IF;
    RETURN queued;
END
$$;
