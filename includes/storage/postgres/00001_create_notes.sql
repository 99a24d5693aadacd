-- +goose Up
CREATE TABLE notes (
    id         uuid        PRIMARY KEY,         -- UUIDv7: sorts by creation time
    title      text        NOT NULL,
    body       text        NOT NULL DEFAULT '',
    version    bigint      NOT NULL DEFAULT 1,  -- counts the writes, for optimistic concurrency
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE notes;
