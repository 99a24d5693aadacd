-- +goose Up
-- MySQL commits DDL statements on their own: keep one schema change per
-- migration, so that a failed migration leaves nothing half-applied.
CREATE TABLE notes (
    id         CHAR(36)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY, -- UUIDv7: sorts by creation time
    title      VARCHAR(200) NOT NULL,
    body       TEXT         NOT NULL,
    version    BIGINT       NOT NULL DEFAULT 1, -- counts the writes, for optimistic concurrency
    created_at DATETIME(6)  NOT NULL,           -- UTC, to the microsecond
    updated_at DATETIME(6)  NOT NULL
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- +goose Down
DROP TABLE notes;
