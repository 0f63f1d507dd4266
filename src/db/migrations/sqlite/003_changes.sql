-- 003_changes: a log of content changes that other nodes poll to drop their page caches
-- (PostgreSQL; SQLite nodes use PRAGMA data_version instead and never write here).
CREATE TABLE changes (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL
);
