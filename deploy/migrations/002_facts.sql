-- The facts events leave behind. Each table keeps, per thing an event
-- describes, the event that happened last (occurred_at, then the larger
-- event id), so the state does not depend on delivery order or repeats.
-- Facts of a parked event are kept too: they name a post that is not
-- registered, and every reading below joins through post, so they take
-- effect only once the post is registered.

CREATE TABLE notice (
    post_id      text COLLATE "C" NOT NULL,
    person_id    text COLLATE "C" NOT NULL,
    given        boolean NOT NULL,          -- false: the winning event is noticeWithdrawn
    reason       text,
    leaving_date date,
    occurred_at  timestamptz NOT NULL,
    event_id     text COLLATE "C" NOT NULL,
    PRIMARY KEY (post_id, person_id)
);

CREATE TABLE vacancy (
    vacancy_id  text COLLATE "C" PRIMARY KEY,
    post_id     text COLLATE "C" NOT NULL,
    reason      text NOT NULL,
    vacant_from date NOT NULL,
    occurred_at timestamptz NOT NULL,
    event_id    text COLLATE "C" NOT NULL
);
CREATE INDEX vacancy_post ON vacancy (post_id);

-- A vacancy is closed once any vacancyClosed for its id has been applied.
CREATE TABLE vacancy_closure (
    vacancy_id text COLLATE "C" NOT NULL,
    post_id    text COLLATE "C" NOT NULL,
    outcome    text NOT NULL,
    event_id   text COLLATE "C" NOT NULL,
    PRIMARY KEY (vacancy_id, post_id)
);

-- The winning `appointed` event of an appointment id.
CREATE TABLE appointment (
    appointment_id text COLLATE "C" PRIMARY KEY,
    post_id        text COLLATE "C" NOT NULL,
    person_id      text COLLATE "C" NOT NULL,
    kind           text NOT NULL,
    start_date     date NOT NULL,
    end_date       date,                     -- planned
    occurred_at    timestamptz NOT NULL,
    event_id       text COLLATE "C" NOT NULL
);
CREATE INDEX appointment_post ON appointment (post_id);
CREATE INDEX appointment_person ON appointment (person_id);

-- The winning `appointmentEnded` event of an appointment id.
CREATE TABLE appointment_end (
    appointment_id text COLLATE "C" PRIMARY KEY,
    post_id        text COLLATE "C" NOT NULL,
    person_id      text COLLATE "C" NOT NULL,
    end_date       date NOT NULL,            -- actual
    reason         text NOT NULL,
    occurred_at    timestamptz NOT NULL,
    event_id       text COLLATE "C" NOT NULL
);
CREATE INDEX appointment_end_person ON appointment_end (person_id);

CREATE TABLE talent_review (
    person_id      text COLLATE "C" PRIMARY KEY,
    review_date    date NOT NULL,
    performance    text NOT NULL,
    potential      text NOT NULL,
    risk_of_loss   text NOT NULL,
    impact_of_loss text NOT NULL,
    fit_and_proper text NOT NULL,
    occurred_at    timestamptz NOT NULL,
    event_id       text COLLATE "C" NOT NULL
);

CREATE TABLE nomination (
    post_id         text COLLATE "C" NOT NULL,
    person_id       text COLLATE "C" NOT NULL,
    active          boolean NOT NULL,        -- false: the winning event is successorWithdrawn
    readiness       text,
    emergency_cover boolean NOT NULL DEFAULT false,
    assessed_on     date,
    occurred_at     timestamptz NOT NULL,
    event_id        text COLLATE "C" NOT NULL,
    PRIMARY KEY (post_id, person_id)
);
CREATE INDEX nomination_person ON nomination (person_id);
