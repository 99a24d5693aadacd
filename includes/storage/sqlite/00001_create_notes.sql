-- +goose Up
-- Not a STRICT table: STRICT has no DATETIME type, which makes the driver
-- (and sqlc) read the timestamps back as times rather than text.
CREATE TABLE notes (
    id         TEXT     NOT NULL PRIMARY KEY, -- UUIDv7: sorts by creation time
    title      TEXT     NOT NULL,
    body       TEXT     NOT NULL DEFAULT '',
    version    INTEGER  NOT NULL DEFAULT 1,   -- counts the writes, for optimistic concurrency
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE notes;
