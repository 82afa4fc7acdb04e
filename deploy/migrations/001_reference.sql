-- Reference data, settings, the intake ledger and consumer offsets.

CREATE TABLE organisation (
    ods_code text PRIMARY KEY CHECK (ods_code ~ '^[A-Z0-9]{2,5}$'),
    name     text NOT NULL CHECK (name <> ''),
    kind     text NOT NULL CHECK (kind IN ('ACUTE_TRUST', 'MENTAL_HEALTH_TRUST', 'COMMUNITY_TRUST',
                                           'AMBULANCE_TRUST', 'SPECIALIST_TRUST', 'CCG', 'ICB')),
    region   text NOT NULL CHECK (region IN ('LONDON', 'SOUTH_EAST', 'SOUTH_WEST', 'MIDLANDS',
                                             'EAST_OF_ENGLAND', 'NORTH_EAST_AND_YORKSHIRE',
                                             'NORTH_WEST'))
);

-- A registered post. Events naming a post that is not here are parked.
CREATE TABLE post (
    post_id    text COLLATE "C" PRIMARY KEY CHECK (post_id <> ''),
    ods_code   text NOT NULL REFERENCES organisation,
    role       text NOT NULL CHECK (role IN ('CHIEF_EXECUTIVE', 'FINANCE_DIRECTOR', 'MEDICAL_DIRECTOR',
                                             'NURSING_DIRECTOR', 'CHIEF_OPERATING_OFFICER', 'CHAIR',
                                             'OTHER_DIRECTOR')),
    designated boolean NOT NULL DEFAULT false
);
CREATE INDEX post_designated ON post (post_id) WHERE designated;

-- Thresholds and horizons every service reads; changed with
-- `successionctl settings NAME=VALUE`.
CREATE TABLE setting (
    name        text PRIMARY KEY,
    value       integer NOT NULL CHECK (value >= 0),
    description text NOT NULL
);
INSERT INTO setting (name, value, description) VALUES
    ('min_ready_now', 1, 'at risk when fewer eligible ready-now successors than this'),
    ('min_pipeline', 2, 'at risk when fewer ready-now plus ready-in-1-2-years successors than this'),
    ('assessment_max_age', 548, 'days after which a nomination''s assessment is stale'),
    ('critical_horizon', 183, 'days: an incumbent leaving within this, with nobody ready now, is critical'),
    ('notice_horizon', 365, 'days: an incumbent leaving within this is a reason and makes the post high'),
    ('designation_cap', 200, 'at most this many posts may be designated top-200'),
    ('reevaluate_interval', 300, 'seconds between timed re-evaluations of every designated post');

-- One row per consumed input message: what became of it. Every message ends
-- applied, duplicate, parked or dead; the counts add up by construction.
CREATE TABLE event_log (
    topic     text NOT NULL,
    partition integer NOT NULL,
    "offset"  bigint NOT NULL,
    event_id  text COLLATE "C",
    post_id   text COLLATE "C",
    outcome   text NOT NULL CHECK (outcome IN ('applied', 'duplicate', 'parked', 'dead')),
    reason    text,
    logged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition, "offset")
);
-- The idempotency key: an event id is taken once by an event that was not
-- dead-lettered, on any topic.
CREATE UNIQUE INDEX event_log_event_id ON event_log (event_id) WHERE outcome IN ('applied', 'parked');
CREATE INDEX event_log_parked ON event_log (post_id) WHERE outcome = 'parked';

-- What an event amounts to now: a parked event whose post has since been
-- registered has taken effect.
CREATE VIEW event_outcome AS
SELECT l.topic, l.partition, l."offset", l.event_id, l.post_id, l.reason, l.logged_at,
       CASE WHEN l.outcome = 'parked' AND EXISTS (SELECT 1 FROM post p WHERE p.post_id = l.post_id)
            THEN 'applied' ELSE l.outcome END AS outcome
FROM event_log l;

-- The next offset to consume, per consumer group and partition, written in
-- the transaction that applied the messages before it.
CREATE TABLE consumer_offset (
    consumer_group text NOT NULL,
    topic          text NOT NULL,
    partition      integer NOT NULL,
    next_offset    bigint NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);
