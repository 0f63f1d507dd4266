-- 040_mail: ratings, helpful answers, the mail outbox, email subscriptions, the newsletter
-- and single-use account tokens (address verification, password reset).

-- One row per rater and post. voter is 'u:<user id>' for members, 'g:<browser id>' for
-- guests (a signed cookie); guests also leave a keyed hash of their address and the day.
CREATE TABLE ratings (
  id INTEGER PRIMARY KEY,
  post_type TEXT NOT NULL CHECK (post_type IN ('question', 'answer')),
  post_id INTEGER NOT NULL,
  voter TEXT NOT NULL,
  addr_hash TEXT,
  day INTEGER NOT NULL,
  stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (post_type, post_id, voter)
);
CREATE INDEX ratings_addr ON ratings(post_type, post_id, addr_hash, day);

-- Answers the asker or a guide marked helpful (several may be).
CREATE TABLE helpful_answers (
  answer_id INTEGER PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,
  question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
  marked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX helpful_question ON helpful_answers(question_id);

-- Every email is a row here, written in the transaction of the event that causes it.
-- status: queued -> sending (claimed, lease_until) -> sent | failed; see docs/mail.md.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  to_addr TEXT NOT NULL,
  to_name TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL,
  unsub_url TEXT,
  message_id TEXT NOT NULL UNIQUE,
  newsletter_id INTEGER,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  recovered INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_at, id);
CREATE INDEX outbox_newsletter ON outbox(newsletter_id, status);
CREATE INDEX outbox_unsub ON outbox(unsub_url, status);
CREATE INDEX outbox_to ON outbox(to_addr, created_at);

-- Email updates: kind topic (target = topic id; mode immediate or daily), question
-- (target = question id) or newsletter (target 0). Members are confirmed at once; guests
-- confirm by a link, and unconfirmed rows are deleted after a week.
CREATE TABLE subscriptions (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('topic', 'question', 'newsletter')),
  target_id INTEGER NOT NULL DEFAULT 0,
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  mode TEXT NOT NULL DEFAULT 'immediate' CHECK (mode IN ('immediate', 'daily')),
  confirmed_at INTEGER,
  created_at INTEGER NOT NULL,
  last_digest_at INTEGER NOT NULL DEFAULT 0,
  digest_qid INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, target_id, email)
);
CREATE INDEX subscriptions_target ON subscriptions(kind, target_id);
CREATE INDEX subscriptions_email ON subscriptions(email);

CREATE TABLE newsletters (
  id INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  recipients INTEGER NOT NULL DEFAULT 0,
  sub_max INTEGER NOT NULL DEFAULT 0,
  queued_upto INTEGER NOT NULL DEFAULT 0
);

-- Single-use, expiring account tokens; only a hash of the token is kept.
CREATE TABLE account_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
  email TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX account_tokens_user ON account_tokens(user_id, purpose);
