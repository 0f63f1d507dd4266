-- 143_search_pairs: PostgreSQL search at 100,000 questions and 1,000,000 answers.
-- 1. GIN keeps no word positions, so a phrase ("blood pressure", which the vocabulary adds to a
--    search for "bp") made PostgreSQL fetch and recheck every row holding both words: seconds.
--    The search vectors now also hold each pair of neighbouring words as one lexeme
--    ('blood_pressur'), and search.c asks for those (search_pg_pairs), so the index alone finds a
--    phrase. A pair lexeme has an underscore, which the parser never leaves in a word, so it
--    cannot meet one a person typed.
-- 2. Search checks the newest rows first; each check read the row's vector out of TOAST (several
--    pages for a wide answer row). The vectors move to narrow tables of their own, kept inline
--    (STORAGE MAIN), filled by triggers in the writing transaction; answer_search holds published
--    answers only. The wide rows lose their generated columns, so an update that does not touch
--    the text (a rating count, a status) no longer recomputes a vector.
-- SQLite (FTS5) keeps positions in its index and needs none of this.
CREATE FUNCTION carecircle_search_doc(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT v || coalesce((
    SELECT array_to_tsvector(array_agg(DISTINCT a.lexeme || '_' || b.lexeme))
    FROM (SELECT u.lexeme, p FROM unnest(v) u, unnest(u.positions) p) a
    JOIN (SELECT u.lexeme, p FROM unnest(v) u, unnest(u.positions) p) b ON b.p = a.p + 1), ''::tsvector)
$$;

CREATE TABLE question_search (
  id BIGINT PRIMARY KEY REFERENCES questions(id) ON DELETE CASCADE,
  search tsvector NOT NULL
);
ALTER TABLE question_search ALTER COLUMN search SET STORAGE MAIN;
CREATE TABLE answer_search (
  id BIGINT PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,
  question_id BIGINT NOT NULL,
  search tsvector NOT NULL
);
ALTER TABLE answer_search ALTER COLUMN search SET STORAGE MAIN;

CREATE FUNCTION carecircle_question_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO question_search (id, search) VALUES (NEW.id, carecircle_search_doc(
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.body_md, '')), 'B')))
  ON CONFLICT (id) DO UPDATE SET search = excluded.search;
  RETURN NULL;
END $$;
CREATE TRIGGER questions_search_sync AFTER INSERT OR UPDATE OF title, body_md ON questions
  FOR EACH ROW EXECUTE FUNCTION carecircle_question_search();

CREATE FUNCTION carecircle_answer_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'published' THEN
    INSERT INTO answer_search (id, question_id, search)
    VALUES (NEW.id, NEW.question_id, carecircle_search_doc(to_tsvector('english', coalesce(NEW.body_md, ''))))
    ON CONFLICT (id) DO UPDATE SET question_id = excluded.question_id, search = excluded.search;
  ELSE
    DELETE FROM answer_search WHERE id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER answers_search_sync AFTER INSERT OR UPDATE OF body_md, status, question_id ON answers
  FOR EACH ROW EXECUTE FUNCTION carecircle_answer_search();

INSERT INTO question_search (id, search)
SELECT id, carecircle_search_doc(setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
                                 setweight(to_tsvector('english', coalesce(body_md, '')), 'B'))
FROM questions;
INSERT INTO answer_search (id, question_id, search)
SELECT id, question_id, carecircle_search_doc(to_tsvector('english', coalesce(body_md, '')))
FROM answers WHERE status = 'published';
CREATE INDEX question_search_gin ON question_search USING GIN (search);
CREATE INDEX answer_search_gin ON answer_search USING GIN (search);

DROP INDEX questions_search;
ALTER TABLE questions DROP COLUMN search;
DROP INDEX answers_search;
ALTER TABLE answers DROP COLUMN search;
