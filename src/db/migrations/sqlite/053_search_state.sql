-- 053_search_state: search checks a few thousand candidate questions for status and topic; this
-- narrow covering index answers that without reading the wide rows (bodies come before status).
CREATE INDEX questions_state ON questions(id, status, topic_id);
