-- 143_search_pairs: GIN keeps no word positions, so a phrase ("blood pressure", which the
-- vocabulary adds to a search for "bp") made PostgreSQL fetch and recheck every row that holds both
-- words: seconds on a million answers. The search columns of questions and answers now also hold
-- each pair of neighbouring words as one lexeme ('blood_pressur'), and search.c asks for those
-- (search_pg_pairs), so the index alone finds a phrase. A pair lexeme has an underscore, which the
-- parser never leaves in a word, so it cannot meet one a person typed. SQLite (FTS5) keeps
-- positions in its index and needs none of this.
CREATE FUNCTION carecircle_search_doc(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT v || coalesce((
    SELECT array_to_tsvector(array_agg(DISTINCT a.lexeme || '_' || b.lexeme))
    FROM (SELECT u.lexeme, p FROM unnest(v) u, unnest(u.positions) p) a
    JOIN (SELECT u.lexeme, p FROM unnest(v) u, unnest(u.positions) p) b ON b.p = a.p + 1), ''::tsvector)
$$;

DROP INDEX questions_search;
ALTER TABLE questions DROP COLUMN search;
ALTER TABLE questions ADD COLUMN search tsvector GENERATED ALWAYS AS (carecircle_search_doc(
  setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
  setweight(to_tsvector('english', coalesce(body_md, '')), 'B'))) STORED;
CREATE INDEX questions_search ON questions USING GIN (search);

DROP INDEX answers_search;
ALTER TABLE answers DROP COLUMN search;
ALTER TABLE answers ADD COLUMN search tsvector
  GENERATED ALWAYS AS (carecircle_search_doc(to_tsvector('english', coalesce(body_md, '')))) STORED;
CREATE INDEX answers_search ON answers USING GIN (search);
