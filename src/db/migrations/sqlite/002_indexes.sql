-- 002_indexes: the home page's "waiting for an answer" list reads a small partial index
-- instead of walking every question.
CREATE INDEX questions_unanswered ON questions(created_at, id)
  WHERE answer_count = 0 AND status = 'published';
