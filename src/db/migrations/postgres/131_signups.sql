-- 131_signups: joining finishes through an emailed link, so the sign-up form answers the same
-- whether or not an address already has an account. Until the link is opened the sign-up waits
-- here (the password only as its argon2id hash); the account is made when it is.
CREATE TABLE signups (
  token_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  pass_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX signups_expires ON signups(expires_at);
