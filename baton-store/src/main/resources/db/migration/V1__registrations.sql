-- Services registered at run time through the admin API, kept as the JSON body that
-- was accepted so that a restart reads them back through the same validation.
CREATE TABLE registrations (
    id            VARCHAR(64)              NOT NULL PRIMARY KEY,
    body          TEXT                     NOT NULL,
    registered_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
