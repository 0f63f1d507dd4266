-- 050_content: guide articles, sources under answers and articles, related topics, search over answers and articles.
CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  body_md TEXT NOT NULL,
  body_html TEXT NOT NULL,
  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  reviewer_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  reviewed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'published',
  UNIQUE (topic_id, slug)
);
CREATE INDEX articles_updated ON articles(updated_at DESC, id DESC);

-- Sources a guide lists under an answer or an article, shown as "Read more" links.
CREATE TABLE post_sources (
  id INTEGER PRIMARY KEY,
  post_type TEXT NOT NULL CHECK (post_type IN ('answer', 'article')),
  post_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  title TEXT NOT NULL,
  url TEXT NOT NULL
);
CREATE INDEX post_sources_post ON post_sources(post_type, post_id, position);

CREATE TABLE topic_related (
  topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  related_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  position INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (topic_id, related_id)
);

-- Full-text indexes over answers and articles, kept in step by triggers inside the writing transaction.
CREATE VIRTUAL TABLE answers_fts USING fts5(
  body_md, content='answers', content_rowid='id',
  tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER answers_fts_ai AFTER INSERT ON answers BEGIN
  INSERT INTO answers_fts(rowid, body_md) VALUES (new.id, new.body_md);
END;
CREATE TRIGGER answers_fts_ad AFTER DELETE ON answers BEGIN
  INSERT INTO answers_fts(answers_fts, rowid, body_md) VALUES ('delete', old.id, old.body_md);
END;
CREATE TRIGGER answers_fts_au AFTER UPDATE OF body_md ON answers BEGIN
  INSERT INTO answers_fts(answers_fts, rowid, body_md) VALUES ('delete', old.id, old.body_md);
  INSERT INTO answers_fts(rowid, body_md) VALUES (new.id, new.body_md);
END;
INSERT INTO answers_fts(answers_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE articles_fts USING fts5(
  title, summary, body_md, content='articles', content_rowid='id',
  tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, summary, body_md) VALUES (new.id, new.title, new.summary, new.body_md);
END;
CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, summary, body_md)
    VALUES ('delete', old.id, old.title, old.summary, old.body_md);
END;
CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, body_md ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, summary, body_md)
    VALUES ('delete', old.id, old.title, old.summary, old.body_md);
  INSERT INTO articles_fts(rowid, title, summary, body_md) VALUES (new.id, new.title, new.summary, new.body_md);
END;

-- Topics a guide follows: their unanswered questions make up the guide's queue.
CREATE TABLE guide_topics (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  notify INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, topic_id)
);
CREATE INDEX guide_topics_topic ON guide_topics(topic_id);
CREATE INDEX questions_topic_unanswered ON questions(topic_id, answer_count, created_at);

-- A guide's professional credentials, recorded by an admin. The Guide badge links to them and
-- is dropped once they expire or are revoked. Every change is kept in credential_events.
CREATE TABLE guide_credentials (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  profession TEXT NOT NULL,
  specialty TEXT NOT NULL DEFAULT '',
  registration_number TEXT NOT NULL DEFAULT '',
  issuing_body TEXT NOT NULL DEFAULT '',
  verified_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  verified_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  revoked_reason TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
CREATE TABLE credential_events (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  action TEXT NOT NULL CHECK (action IN ('recorded', 'updated', 'revoked')),
  detail TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX credential_events_user ON credential_events(user_id, id);
