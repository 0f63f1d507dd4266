-- 001_core: settings, users, sessions, topics, questions, answers, revisions, drafts, search.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL UNIQUE,
  pass_hash TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'guide', 'moderator', 'admin')),
  display_name TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  bio TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
  email_verified INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE topics (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  overview_md TEXT NOT NULL DEFAULT '',
  overview_html TEXT NOT NULL DEFAULT '',
  question_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE questions (
  id INTEGER PRIMARY KEY,
  topic_id INTEGER NOT NULL REFERENCES topics(id),
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  guest_name TEXT,
  anonymous INTEGER NOT NULL DEFAULT 0,
  title TEXT NOT NULL,
  slug TEXT NOT NULL,
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  excerpt TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  edited_at INTEGER,
  view_count INTEGER NOT NULL DEFAULT 0,
  answer_count INTEGER NOT NULL DEFAULT 0,
  accepted_answer_id INTEGER,
  terms_accepted_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'published'
);
CREATE INDEX questions_topic ON questions(topic_id, created_at DESC, id DESC);
CREATE INDEX questions_created ON questions(created_at DESC, id DESC);
CREATE INDEX questions_user ON questions(user_id);

CREATE TABLE answers (
  id INTEGER PRIMARY KEY,
  question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  guest_name TEXT,
  anonymous INTEGER NOT NULL DEFAULT 0,
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  edited_at INTEGER,
  terms_accepted_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'published'
);
CREATE INDEX answers_question ON answers(question_id, created_at, id);
CREATE INDEX answers_user ON answers(user_id);

-- Earlier versions of edited posts: the row holds the text as it was before the edit.
CREATE TABLE revisions (
  id INTEGER PRIMARY KEY,
  post_type TEXT NOT NULL CHECK (post_type IN ('question', 'answer')),
  post_id INTEGER NOT NULL,
  editor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  title TEXT,
  body_md TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX revisions_post ON revisions(post_type, post_id, id);

CREATE TABLE drafts (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  title TEXT NOT NULL DEFAULT '',
  body_md TEXT NOT NULL DEFAULT '',
  anonymous INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, topic_id)
);

-- Full-text index over questions, kept in step by triggers inside the writing transaction.
CREATE VIRTUAL TABLE questions_fts USING fts5(
  title, body_md, content='questions', content_rowid='id',
  tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER questions_fts_ai AFTER INSERT ON questions BEGIN
  INSERT INTO questions_fts(rowid, title, body_md) VALUES (new.id, new.title, new.body_md);
END;
CREATE TRIGGER questions_fts_ad AFTER DELETE ON questions BEGIN
  INSERT INTO questions_fts(questions_fts, rowid, title, body_md)
    VALUES ('delete', old.id, old.title, old.body_md);
END;
CREATE TRIGGER questions_fts_au AFTER UPDATE OF title, body_md ON questions BEGIN
  INSERT INTO questions_fts(questions_fts, rowid, title, body_md)
    VALUES ('delete', old.id, old.title, old.body_md);
  INSERT INTO questions_fts(rowid, title, body_md) VALUES (new.id, new.title, new.body_md);
END;
