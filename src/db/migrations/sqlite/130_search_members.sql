-- 130_search_members: search also leaves members-only questions out for guests; the narrow
-- index it checks candidates on (053) carries that column too, so the check stays off the wide rows.
DROP INDEX IF EXISTS questions_state;
CREATE INDEX questions_state ON questions(id, status, topic_id, members_only);
