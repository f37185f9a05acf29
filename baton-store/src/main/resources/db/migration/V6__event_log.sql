-- With events.persist, the last events.history lifecycle events as the event
-- stream sends them, so that a client resumes with Last-Event-ID across a restart.
-- Ids come from the event bus (they grow across restarts: they start from the clock).
CREATE TABLE event_log (
    id   BIGINT                   NOT NULL PRIMARY KEY,
    body TEXT                     NOT NULL,
    at   TIMESTAMP WITH TIME ZONE NOT NULL
);
