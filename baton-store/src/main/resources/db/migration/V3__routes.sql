-- Routes added at run time through the admin API, kept as the JSON body that was
-- accepted, like registrations. Both tables now say created_at for when an id was
-- first stored, which a route is not "registered" at.
ALTER TABLE registrations RENAME COLUMN registered_at TO created_at;

CREATE TABLE routes (
    id         VARCHAR(64)              NOT NULL PRIMARY KEY,
    body       TEXT                     NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
