-- 030_safety: used CAPTCHA nonces, rate-limit counters, flags, moderation state and log, images.
CREATE TABLE captcha_used (
  nonce TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX captcha_used_expires ON captcha_used(expires_at);

-- Fixed-window counters: one row per (bucket, keyed client or account hash, window start).
CREATE TABLE rate_counts (
  bucket TEXT NOT NULL,
  client TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  reported INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, client, window_start)
);
CREATE INDEX rate_counts_window ON rate_counts(window_start);

-- Keyed hashes of recent post bodies (normalised), to spot the same text posted again.
CREATE TABLE body_hashes (
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX body_hashes_hash ON body_hashes(hash, created_at);

-- Moderation state of a post: why it is held or hidden, and how urgent it is.
CREATE TABLE post_mod (
  post_type TEXT NOT NULL CHECK (post_type IN ('question', 'answer')),
  post_id INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  crisis INTEGER NOT NULL DEFAULT 0,
  spam_score INTEGER NOT NULL DEFAULT 0,
  first_post INTEGER NOT NULL DEFAULT 0,
  queued INTEGER NOT NULL DEFAULT 0,
  merged_into INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (post_type, post_id)
);
CREATE INDEX post_mod_queue ON post_mod(queued, crisis, updated_at);

CREATE TABLE flags (
  id INTEGER PRIMARY KEY,
  post_type TEXT NOT NULL CHECK (post_type IN ('question', 'answer')),
  post_id INTEGER NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  client TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('spam', 'misinformation', 'abuse', 'privacy', 'other')),
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  resolved_at INTEGER
);
CREATE INDEX flags_open ON flags(resolved_at, post_type, post_id);

CREATE TABLE question_locks (
  question_id INTEGER PRIMARY KEY REFERENCES questions(id) ON DELETE CASCADE,
  locked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);

CREATE TABLE mod_log (
  id INTEGER PRIMARY KEY,
  moderator_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  post_type TEXT,
  post_id INTEGER,
  target_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX mod_log_created ON mod_log(created_at DESC, id DESC);

-- Images attached to posts: re-encoded by the server (no metadata), kept here so every node
-- serves them. post_id stays NULL while the form is being filled in (pending).
CREATE TABLE images (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  post_type TEXT CHECK (post_type IN ('question', 'answer')),
  post_id INTEGER,
  mime TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  alt TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  data BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX images_post ON images(post_type, post_id);
CREATE INDEX images_pending ON images(owner_id, post_id);
