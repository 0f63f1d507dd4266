-- 120_privacy: the rotating keys of client address hashes, and members-only questions.

-- One random key per UTC day (days since 1970). Client addresses are only ever stored as a
-- keyed hash under the key of the day they were seen; the maintenance thread deletes keys
-- after two days, so older hashes can no longer be linked to an address or to each other.
CREATE TABLE ip_keys (
  day INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- A question its author marked for members only: guests see a teaser.
ALTER TABLE questions ADD COLUMN members_only INTEGER NOT NULL DEFAULT 0;
