-- 130_search_members: the narrow index of 053 also carries members_only, which guests' search
-- filters on.
DROP INDEX IF EXISTS questions_state;
CREATE INDEX questions_state ON questions(id) INCLUDE (status, topic_id, members_only);
