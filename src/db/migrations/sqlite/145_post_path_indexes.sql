-- 145_post_path_indexes: indexes shaped for what every post does.
-- The per-topic index of unanswered questions holds only those (as 002's site-wide one does).
-- Keyed by answer_count, it had to move an entry on every new answer to any question in the
-- topic: one more page written per answer, for a count nothing reads but zero.
DROP INDEX questions_topic_unanswered;
CREATE INDEX questions_topic_unanswered ON questions(topic_id, created_at)
  WHERE answer_count = 0 AND status = 'published';
-- A member's posts by status: whether a member is trusted (a few published posts) is asked on
-- every form they send, and the status in the index answers it without reading the posts.
DROP INDEX answers_user;
CREATE INDEX answers_user ON answers(user_id, status);
DROP INDEX questions_user;
CREATE INDEX questions_user ON questions(user_id, status);
