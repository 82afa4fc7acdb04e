-- The programme's view (DOMAIN.md): the alert publisher computes it from the
-- designated posts' pictures (common/core/programme.c) and publishes a
-- summary per group to succession.programme-summary.v1 through the outbox.

-- The last summary sent per group, without its trend and evaluatedAt, and
-- the day it was sent: a group is sent again when its numbers change, and
-- once a day for its trend.
CREATE TABLE programme_summary (
    key     text COLLATE "C" PRIMARY KEY,   -- national, region:<R>, role:<R>
    summary bytea NOT NULL,
    day     date NOT NULL
);

-- The daily trend: one row per group and day, the last value of the day.
CREATE TABLE programme_trend (
    key                text COLLATE "C" NOT NULL,
    day                date NOT NULL,
    designated         integer NOT NULL,
    at_risk            integer NOT NULL,
    covered            integer NOT NULL,
    simultaneous_cover integer NOT NULL,
    shared_successors  integer NOT NULL,
    contended_posts    integer NOT NULL,
    PRIMARY KEY (key, day)
);

-- Summaries travel through the outbox like alerts and statuses; post_id
-- then holds the group's key (the message key), which keeps a group's
-- summaries in order as it does a post's statuses.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('alert', 'status', 'summary'));

GRANT SELECT, INSERT, UPDATE, DELETE ON programme_summary TO succession_publisher;
GRANT SELECT, INSERT, UPDATE ON programme_trend TO succession_publisher;
