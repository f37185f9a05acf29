-- Sagas: one row per saga holding its whole state as JSON (its definition as
-- started, the input, every step with its attempts and its compensation, the
-- trail), rewritten at each change of state before the call that change leads to.
-- The columns beside the body are what lists filter on. revision makes a write
-- conditional on having read the latest. The SQL is the same on H2 and PostgreSQL.
CREATE TABLE sagas (
    id              VARCHAR(64)              NOT NULL PRIMARY KEY,
    name            VARCHAR(64)              NOT NULL,
    version         INTEGER                  NOT NULL,
    state           VARCHAR(16)              NOT NULL,
    idempotency_key VARCHAR(200),
    body            TEXT                     NOT NULL,
    revision        BIGINT                   NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
-- Several rows may have no key; one key names one saga of a name.
CREATE UNIQUE INDEX sagas_idempotency ON sagas (name, idempotency_key);
CREATE INDEX sagas_state ON sagas (state, created_at);
CREATE INDEX sagas_created ON sagas (created_at);

-- Saga definitions registered at run time, every version kept: a running saga
-- keeps the version it started with.
CREATE TABLE saga_definitions (
    name       VARCHAR(64)              NOT NULL,
    version    INTEGER                  NOT NULL,
    body       TEXT                     NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (name, version)
);
