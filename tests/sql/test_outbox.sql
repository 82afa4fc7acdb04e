-- The outbox as evaluations fill it (record_evaluations, 004) and as the
-- alert publisher reads it (services/alert-publisher/outbox.c reads rows in
-- id order and holds a post's later rows while an earlier one is not
-- delivered): a post's rows get ids in the order they were decided, the
-- alert of an evaluation before its status, and every later evaluation
-- after every earlier one, so that id order is each post's own order.
BEGIN;
SELECT plan(7);

INSERT INTO organisation (ods_code, name, kind, region)
VALUES ('RJ1', 'A trust', 'ACUTE_TRUST', 'LONDON');
INSERT INTO post (post_id, ods_code, role, designated)
VALUES ('RJ1-CEO', 'RJ1', 'CHIEF_EXECUTIVE', true), ('RJ1-FD', 'RJ1', 'FINANCE_DIRECTOR', true);

-- The rows the relay reads, in its order: kind, post and payload.
CREATE FUNCTION relay_order(p_limit integer) RETURNS text
LANGUAGE sql AS $$
    SELECT string_agg(kind || ' ' || post_id || ' ' || encode(payload, 'hex'), ', ' ORDER BY id)
    FROM (SELECT * FROM outbox ORDER BY id LIMIT p_limit) o
$$;

SELECT is(record_evaluations(ARRAY['RJ1-CEO', 'RJ1-FD'], ARRAY[true, true], ARRAY[3, 2],
                             ARRAY[1, 1], ARRAY['c0', 'f0'], ARRAY['c1', 'f1'],
                             ARRAY['ca', 'fa'], '2026-06-01T00:00:00Z'),
          4, 'two evaluations queue two alerts and two statuses');
SELECT is(relay_order(10), 'alert RJ1-CEO ca, status RJ1-CEO c1, alert RJ1-FD fa, status RJ1-FD f1',
          'post by post in the order given, each alert before its status');
SELECT is((SELECT string_agg(post_id || ' ' || at_risk || ' ' || severity || ' ' || alert_sequence
                             || ' ' || encode(picture, 'hex'), ', ' ORDER BY post_id)
           FROM post_state),
          'RJ1-CEO true 3 1 c0, RJ1-FD true 2 1 f0', 'each post''s state is stored');

-- A later pass over the same posts, listed the other way round: one
-- resolves (an alert), the other only changes its picture (no alert).
SELECT is(record_evaluations(ARRAY['RJ1-FD', 'RJ1-CEO'], ARRAY[false, true], ARRAY[0, 3],
                             ARRAY[2, 1], ARRAY['f2', 'c2'], ARRAY['f3', 'c3'],
                             ARRAY['fb', NULL], '2026-06-01T00:01:00Z'),
          3, 'a later pass queues its rows too, no alert where there is none');
SELECT is((SELECT string_agg(kind || ' ' || encode(payload, 'hex'), ', ' ORDER BY id)
           FROM outbox WHERE post_id = 'RJ1-CEO'),
          'alert ca, status c1, status c3',
          'a post''s rows in id order are its rows in the order they were decided');
SELECT is(relay_order(5), 'alert RJ1-CEO ca, status RJ1-CEO c1, alert RJ1-FD fa, status RJ1-FD f1, alert RJ1-FD fb',
          'a round that reads only part of the outbox reads the oldest rows');
SELECT is((SELECT string_agg(post_id || ' ' || at_risk || ' ' || alert_sequence || ' '
                             || encode(status, 'hex'), ', ' ORDER BY post_id)
           FROM post_state),
          'RJ1-CEO true 1 c3, RJ1-FD false 2 f3', 'the state is the latest evaluation');

SELECT * FROM finish(true);
ROLLBACK;
