-- 146_answers_fts_queue (SQLite only): a new answer is queued for the full-text index instead of
-- written into it by its own transaction. FTS5 writes out what it holds at every savepoint, and a
-- statement with triggers opens one, so each answer indexed in a batch of posts (group commit)
-- became a segment of its own, written and merged inside the commit every other post waits for.
-- Queued, they are indexed together by search_index_queued (model/search.c): serve's maintenance
-- thread every half second, any search first, and the commands that add answers in bulk.
-- An answer still queued is not in answers_fts: deleting or editing it leaves the index alone
-- (indexing reads its text as it is then). Anything that rebuilds answers_fts must empty the
-- queue in the same transaction.
CREATE TABLE answers_fts_queue (id INTEGER PRIMARY KEY);

DROP TRIGGER answers_fts_ai;
CREATE TRIGGER answers_fts_ai AFTER INSERT ON answers BEGIN
  INSERT INTO answers_fts_queue (id) VALUES (new.id);
END;

DROP TRIGGER answers_fts_ad;
CREATE TRIGGER answers_fts_ad AFTER DELETE ON answers BEGIN
  INSERT INTO answers_fts (answers_fts, rowid, body_md)
    SELECT 'delete', old.id, old.body_md WHERE NOT EXISTS (SELECT 1 FROM answers_fts_queue WHERE id = old.id);
  DELETE FROM answers_fts_queue WHERE id = old.id;
END;

DROP TRIGGER answers_fts_au;
CREATE TRIGGER answers_fts_au AFTER UPDATE OF body_md ON answers
WHEN NOT EXISTS (SELECT 1 FROM answers_fts_queue WHERE id = new.id) BEGIN
  INSERT INTO answers_fts (answers_fts, rowid, body_md) VALUES ('delete', old.id, old.body_md);
  INSERT INTO answers_fts (rowid, body_md) VALUES (new.id, new.body_md);
END;
