-- 053_search_state: the narrow index SQLite search uses for candidates' status and topic; on
-- PostgreSQL it allows index-only checks of the same columns.
CREATE INDEX questions_state ON questions(id) INCLUDE (status, topic_id);
