-- How a batch is taken in and folded into facts (deploy/migrations/007,
-- intake and apply_*_batch, over the tables of 002): per thing the latest
-- occurredAt wins and a tie goes to the larger event id, within a batch and
-- across batches; an event id is taken once, on any topic, and a repeat is
-- a duplicate that changes nothing; an event naming an unregistered post is
-- parked, and its facts count once the post is registered.
BEGIN;
SELECT plan(36);

INSERT INTO organisation (ods_code, name, kind, region)
VALUES ('RJ1', 'A trust', 'ACUTE_TRUST', 'LONDON');
INSERT INTO post (post_id, ods_code, role, designated)
VALUES ('RJ1-CEO', 'RJ1', 'CHIEF_EXECUTIVE', true), ('RJ1-FD', 'RJ1', 'FINANCE_DIRECTOR', false);

-- Applies events written as in shared/scenarios (header and one member) as
-- one batch of the topic, with the column arrays a worker sends, and
-- returns the batch's outcome counts as text: "applied duplicate parked".
CREATE SEQUENCE test_offset;
CREATE FUNCTION test_apply(p_topic text, p_events jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    b record;
    r record;
BEGIN
    SELECT array_agg(0 ORDER BY t.ord) AS part, array_agg(t.off ORDER BY t.ord) AS off,
           array_agg(t.member ORDER BY t.ord) AS member,
           array_agg(t.e->'header'->>'eventId' ORDER BY t.ord) AS event_id,
           array_agg((t.e->'header'->>'occurredAt')::timestamptz ORDER BY t.ord) AS occurred_at,
           array_agg(t.body->>'postId' ORDER BY t.ord) AS post_id,
           array_agg(t.body->>'personId' ORDER BY t.ord) AS person_id,
           array_agg(t.body->>'reason' ORDER BY t.ord) AS reason,
           array_agg((t.body->>'leavingDate')::date ORDER BY t.ord) AS leaving_date,
           array_agg(t.body->>'vacancyId' ORDER BY t.ord) AS vacancy_id,
           array_agg((t.body->>'vacantFrom')::date ORDER BY t.ord) AS vacant_from,
           array_agg(t.body->>'outcome' ORDER BY t.ord) AS outcome,
           array_agg(t.body->>'appointmentId' ORDER BY t.ord) AS appointment_id,
           array_agg(t.body->>'kind' ORDER BY t.ord) AS kind,
           array_agg((t.body->>'startDate')::date ORDER BY t.ord) AS start_date,
           array_agg((t.body->>'endDate')::date ORDER BY t.ord) AS end_date,
           array_agg((t.body->>'reviewDate')::date ORDER BY t.ord) AS review_date,
           array_agg(t.body->>'performance' ORDER BY t.ord) AS performance,
           array_agg(t.body->>'potential' ORDER BY t.ord) AS potential,
           array_agg(t.body->>'riskOfLoss' ORDER BY t.ord) AS risk_of_loss,
           array_agg(t.body->>'impactOfLoss' ORDER BY t.ord) AS impact_of_loss,
           array_agg(t.body->>'fitAndProper' ORDER BY t.ord) AS fit_and_proper,
           array_agg(t.body->>'readiness' ORDER BY t.ord) AS readiness,
           array_agg((t.body->>'emergencyCover')::boolean ORDER BY t.ord) AS emergency_cover,
           array_agg((t.body->>'assessedOn')::date ORDER BY t.ord) AS assessed_on
    INTO b
    FROM (SELECT x.e, x.ord, nextval('test_offset') AS off, m.key AS member, m.value AS body
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(e, ord),
               LATERAL (SELECT key, value FROM jsonb_each(x.e) WHERE key <> 'header') m) t;
    IF p_topic = 'vacancy' THEN
        SELECT * INTO r FROM apply_vacancy_batch(p_topic, b.part, b.off, b.member, b.event_id,
            b.occurred_at, b.post_id, b.person_id, b.reason, b.leaving_date, b.vacancy_id,
            b.vacant_from, b.outcome);
    ELSIF p_topic = 'appointment' THEN
        SELECT * INTO r FROM apply_appointment_batch(p_topic, b.part, b.off, b.member, b.event_id,
            b.occurred_at, b.appointment_id, b.post_id, b.person_id, b.kind, b.start_date,
            b.end_date, b.reason);
    ELSE
        SELECT * INTO r FROM apply_appraisal_batch(p_topic, b.part, b.off, b.member, b.event_id,
            b.occurred_at, b.person_id, b.post_id, b.review_date, b.performance, b.potential,
            b.risk_of_loss, b.impact_of_loss, b.fit_and_proper, b.readiness, b.emergency_cover,
            b.assessed_on);
    END IF;
    RETURN r.applied || ' ' || r.duplicate || ' ' || r.parked;
END
$$;

-- A nomination event of person for RJ1-CEO, as JSON.
CREATE FUNCTION nominated(p_id text, p_at text, p_person text, p_readiness text) RETURNS jsonb
LANGUAGE sql AS $$
    SELECT jsonb_build_object('header', jsonb_build_object('eventId', p_id, 'occurredAt', p_at),
                              'successorNominated', jsonb_build_object(
                                  'postId', 'RJ1-CEO', 'personId', p_person,
                                  'readiness', p_readiness, 'assessedOn', '2026-01-01'))
$$;

-- The readiness and winning event of person's nomination for RJ1-CEO.
CREATE FUNCTION nomination_of(p_person text) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN active THEN readiness ELSE 'withdrawn' END || ' ' || event_id
    FROM nomination WHERE post_id = 'RJ1-CEO' AND person_id = p_person
$$;

---- the latest occurredAt wins, across batches ----

SELECT is(test_apply('appraisal', jsonb_build_array(
              nominated('n-2', '2026-02-01T00:00:00Z', 'P1', 'READINESS_READY_NOW'))),
          '1 0 0', 'a nomination is applied');
SELECT is(test_apply('appraisal', jsonb_build_array(
              nominated('n-1', '2026-01-01T00:00:00Z', 'P1', 'READINESS_READY_1_2_YEARS'))),
          '1 0 0', 'an older event arriving late is applied too');
SELECT is(nomination_of('P1'), 'READINESS_READY_NOW n-2', '... but changes nothing');
SELECT is(test_apply('appraisal', '[{"header": {"eventId": "w-3", "occurredAt": "2026-03-01T00:00:00Z"},
                                     "successorWithdrawn": {"postId": "RJ1-CEO", "personId": "P1"}}]'),
          '1 0 0', 'a later withdrawal is applied');
SELECT is(nomination_of('P1'), 'withdrawn w-3', '... and wins: a nomination and its withdrawal are one thing');

---- ... and within one batch, whatever the order ----

SELECT is(test_apply('appraisal', jsonb_build_array(
              nominated('n-5', '2026-03-01T00:00:00Z', 'P2', 'READINESS_READY_NOW'),
              nominated('n-4', '2026-01-01T00:00:00Z', 'P2', 'READINESS_READY_3_PLUS_YEARS'),
              nominated('n-6', '2026-01-01T00:00:00Z', 'P3', 'READINESS_READY_3_PLUS_YEARS'),
              nominated('n-7', '2026-03-01T00:00:00Z', 'P3', 'READINESS_READY_NOW'))),
          '4 0 0', 'a batch with two events of each of two things');
SELECT is(nomination_of('P2'), 'READINESS_READY_NOW n-5', 'in a batch the latest wins when it comes first');
SELECT is(nomination_of('P3'), 'READINESS_READY_NOW n-7', 'in a batch the latest wins when it comes last');

---- a tie of occurredAt goes to the larger event id, in byte order ----

SELECT test_apply('appraisal', jsonb_build_array(
    nominated('t-9', '2026-04-01T00:00:00Z', 'P4', 'READINESS_READY_NOW')));
SELECT test_apply('appraisal', jsonb_build_array(
    nominated('t-10', '2026-04-01T00:00:00Z', 'P4', 'READINESS_READY_1_2_YEARS')));
SELECT is(nomination_of('P4'), 'READINESS_READY_NOW t-9', 'a tie: "t-10" is smaller than "t-9" and does not win');
SELECT test_apply('appraisal', jsonb_build_array(
    nominated('t-90', '2026-04-01T00:00:00Z', 'P4', 'READINESS_READY_3_PLUS_YEARS')));
SELECT is(nomination_of('P4'), 'READINESS_READY_3_PLUS_YEARS t-90', 'a tie: "t-90" is larger than "t-9" and wins');
SELECT test_apply('appraisal', jsonb_build_array(
    nominated('u-10', '2026-04-01T00:00:00Z', 'P5', 'READINESS_READY_1_2_YEARS'),
    nominated('u-9', '2026-04-01T00:00:00Z', 'P5', 'READINESS_READY_NOW'),
    nominated('v-9', '2026-04-01T00:00:00Z', 'P6', 'READINESS_READY_NOW'),
    nominated('v-10', '2026-04-01T00:00:00Z', 'P6', 'READINESS_READY_1_2_YEARS')));
SELECT is(nomination_of('P5'), 'READINESS_READY_NOW u-9', 'a tie in a batch, the larger id last');
SELECT is(nomination_of('P6'), 'READINESS_READY_NOW v-9', 'a tie in a batch, the larger id first');

---- an event id is taken once ----

DELETE FROM dirty_post;
SELECT is(test_apply('appraisal', jsonb_build_array(
              nominated('n-2', '2026-02-01T00:00:00Z', 'P1', 'READINESS_READY_NOW'))),
          '0 1 0', 'an exact repeat is a duplicate');
SELECT is(nomination_of('P1'), 'withdrawn w-3', '... and changes nothing');
SELECT is((SELECT string_agg(outcome, ' ' ORDER BY "offset") FROM event_log WHERE event_id = 'n-2'),
          'applied duplicate', 'both are logged, the repeat as duplicate');
SELECT is((SELECT count(*)::integer FROM dirty_post), 0, 'a duplicate marks nothing dirty');
SELECT is(test_apply('appraisal', jsonb_build_array(
              nominated('w-3', '2026-12-01T00:00:00Z', 'P1', 'READINESS_READY_NOW'))),
          '0 1 0', 'a taken id with other content and a later occurredAt is a duplicate');
SELECT is(nomination_of('P1'), 'withdrawn w-3', '... and does not win');
SELECT is(test_apply('appraisal', jsonb_build_array(
              nominated('d-1', '2026-05-01T00:00:00Z', 'P7', 'READINESS_READY_NOW'),
              nominated('d-1', '2026-05-01T00:00:00Z', 'P7', 'READINESS_READY_NOW'))),
          '1 1 0', 'a repeat within one batch: the first is taken');
-- n-5 was taken above by a nomination (appraisal topic).
SELECT is(test_apply('vacancy', '[{"header": {"eventId": "n-5", "occurredAt": "2026-05-10T00:00:00Z"},
                                   "noticeGiven": {"postId": "RJ1-CEO", "personId": "P0",
                                                   "reason": "LEAVING_REASON_RESIGNATION",
                                                   "leavingDate": "2026-08-31"}}]'),
          '0 1 0', 'an id taken on another topic is a duplicate');
SELECT is((SELECT count(*)::integer FROM notice), 0, '... and leaves no fact');
SELECT is((SELECT caused_by FROM dirty_post WHERE post_id = 'RJ1-CEO'), 'd-1',
          'a taken event marks its post dirty, caused by it');

---- notices, vacancies, appointments and reviews fold the same way ----

SELECT test_apply('vacancy', '[
    {"header": {"eventId": "g-2", "occurredAt": "2026-05-20T00:00:00Z"},
     "noticeWithdrawn": {"postId": "RJ1-CEO", "personId": "P0"}},
    {"header": {"eventId": "g-1", "occurredAt": "2026-05-10T00:00:00Z"},
     "noticeGiven": {"postId": "RJ1-CEO", "personId": "P0", "reason": "LEAVING_REASON_RESIGNATION",
                     "leavingDate": "2026-08-31"}},
    {"header": {"eventId": "c-2", "occurredAt": "2026-03-20T00:00:00Z"},
     "vacancyClosed": {"vacancyId": "V-1", "postId": "RJ1-CEO", "outcome": "VACANCY_OUTCOME_WITHDRAWN"}},
    {"header": {"eventId": "o-1", "occurredAt": "2026-04-01T00:00:00Z"},
     "vacancyOpened": {"vacancyId": "V-1", "postId": "RJ1-CEO", "reason": "LEAVING_REASON_RETIREMENT",
                       "vacantFrom": "2026-07-01"}},
    {"header": {"eventId": "o-2", "occurredAt": "2026-04-02T00:00:00Z"},
     "vacancyOpened": {"vacancyId": "V-2", "postId": "RJ1-CEO", "reason": "LEAVING_REASON_RETIREMENT",
                       "vacantFrom": "2026-09-01"}}]');
SELECT is((SELECT given::text || ' ' || event_id FROM notice WHERE person_id = 'P0'), 'false g-2',
          'a notice withdrawn after it was given is withdrawn');
SELECT is((SELECT string_agg(vacant_from::text, ' ') FROM evaluation_vacancies(ARRAY['RJ1-CEO'])),
          '2026-09-01', 'a vacancy with any closure applied is closed, whatever the order');

SELECT test_apply('appointment', '[
    {"header": {"eventId": "a-1", "occurredAt": "2019-03-01T00:00:00Z"},
     "appointed": {"appointmentId": "A-1", "postId": "RJ1-CEO", "personId": "P0",
                   "kind": "APPOINTMENT_KIND_SUBSTANTIVE", "startDate": "2019-04-01"}},
    {"header": {"eventId": "e-2", "occurredAt": "2026-04-10T00:00:00Z"},
     "appointmentEnded": {"appointmentId": "A-1", "postId": "RJ1-CEO", "personId": "P0",
                          "endDate": "2026-08-31", "reason": "END_REASON_LEFT_POST"}}]');
SELECT test_apply('appointment', '[
    {"header": {"eventId": "e-1", "occurredAt": "2026-04-01T00:00:00Z"},
     "appointmentEnded": {"appointmentId": "A-1", "postId": "RJ1-CEO", "personId": "P0",
                          "endDate": "2026-05-20", "reason": "END_REASON_LEFT_POST"}}]');
SELECT is((SELECT start_date || ' ' || (planned_end IS NULL) || ' ' || actual_end
           FROM evaluation_appointments(ARRAY['RJ1-CEO'], '2026-06-01')),
          '2019-04-01 true 2026-08-31',
          'an appointment and its end are two things, each won by its latest event');

SELECT test_apply('appraisal', '[
    {"header": {"eventId": "r-2", "occurredAt": "2026-02-01T00:00:00Z"},
     "talentReview": {"personId": "P0", "reviewDate": "2026-02-01", "performance": "RATING_HIGH",
                      "potential": "RATING_HIGH", "riskOfLoss": "RATING_HIGH",
                      "impactOfLoss": "RATING_HIGH", "fitAndProper": "FIT_AND_PROPER_CONFIRMED"}},
    {"header": {"eventId": "r-1", "occurredAt": "2026-01-01T00:00:00Z"},
     "talentReview": {"personId": "P0", "reviewDate": "2026-01-01", "performance": "RATING_LOW",
                      "potential": "RATING_LOW", "riskOfLoss": "RATING_LOW",
                      "impactOfLoss": "RATING_LOW", "fitAndProper": "FIT_AND_PROPER_FAILED"}}]');
SELECT is((SELECT high_risk_of_loss::text || ' ' || fit_and_proper_failed
           FROM evaluation_persons(ARRAY['RJ1-CEO'], '2026-06-01') WHERE person_id = 'P0'),
          'true false', 'a talent review is one thing per person, won by the latest');

---- parked until the post is registered ----

SELECT is(test_apply('appointment', '[
              {"header": {"eventId": "p-1", "occurredAt": "2025-12-01T00:00:00Z"},
               "appointed": {"appointmentId": "A-9", "postId": "ZZZ-CEO", "personId": "P9",
                             "kind": "APPOINTMENT_KIND_SUBSTANTIVE", "startDate": "2026-01-01"}},
              {"header": {"eventId": "p-2", "occurredAt": "2026-01-31T00:00:00Z"},
               "appointmentEnded": {"appointmentId": "A-8", "postId": "YYY-MD", "personId": "P8",
                                    "endDate": "2026-01-31", "reason": "END_REASON_LEFT_NHS"}}]'),
          '0 0 2', 'events naming unregistered posts are parked');
SELECT is(test_apply('appraisal', jsonb_build_array(
              nominated('p-3', '2026-02-01T00:00:00Z', 'P8', 'READINESS_READY_NOW'),
              jsonb_set(nominated('p-4', '2026-02-01T00:00:00Z', 'P9', 'READINESS_READY_NOW'),
                        '{successorNominated,postId}', '"ZZZ-CEO"'))),
          '1 0 1', 'a nomination for an unregistered post is parked, one for a registered post applied');
SELECT is(test_apply('appointment', '[
              {"header": {"eventId": "p-1", "occurredAt": "2025-12-01T00:00:00Z"},
               "appointed": {"appointmentId": "A-9", "postId": "ZZZ-CEO", "personId": "P9",
                             "kind": "APPOINTMENT_KIND_SUBSTANTIVE", "startDate": "2026-01-01"}}]'),
          '0 1 0', 'a parked event takes its id: its repeat is a duplicate');
SELECT is((SELECT string_agg(outcome, ' ' ORDER BY event_id) FROM event_outcome
           WHERE event_id IN ('p-1', 'p-2', 'p-4') AND outcome <> 'duplicate'),
          'parked parked parked', 'parked while their posts are unknown');
SELECT is((SELECT count(*)::integer FROM evaluation_posts(ARRAY['ZZZ-CEO'])), 0,
          'an unregistered post is not evaluated');
SELECT is((SELECT left_nhs_on FROM evaluation_persons(ARRAY['RJ1-CEO'], '2026-06-01')
           WHERE person_id = 'P8'), NULL::date,
          'leaving the NHS from an unregistered post does not count yet');

INSERT INTO post (post_id, ods_code, role) VALUES ('ZZZ-CEO', 'RJ1', 'CHIEF_EXECUTIVE'),
                                                 ('YYY-MD', 'RJ1', 'MEDICAL_DIRECTOR');
SELECT is((SELECT string_agg(outcome, ' ' ORDER BY event_id) FROM event_outcome
           WHERE event_id IN ('p-1', 'p-2', 'p-4') AND outcome <> 'duplicate'),
          'applied applied applied', 'once the posts are registered the parked events count as applied');
SELECT is((SELECT person_id || ' ' || substantive FROM evaluation_appointments(ARRAY['ZZZ-CEO'], '2026-06-01')),
          'P9 true', '... the parked appointment holds the post');
SELECT is((SELECT string_agg(person_id || ' ' || readiness, ', ')
           FROM evaluation_nominations(ARRAY['ZZZ-CEO'])),
          'P9 READINESS_READY_NOW', '... the parked nomination counts');
SELECT is((SELECT left_nhs_on FROM evaluation_persons(ARRAY['RJ1-CEO'], '2026-06-01')
           WHERE person_id = 'P8'), '2026-01-31'::date,
          '... and the nominee has left the NHS');

SELECT * FROM finish(true);
ROLLBACK;
