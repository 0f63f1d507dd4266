-- 052_guide_notices: when a question's "new question" emails (topic subscribers and guides who
-- follow the topic) were queued. NULL while it waits for a moderator: approving it queues them
-- then, once. Questions already published count as told.
ALTER TABLE questions ADD COLUMN notified_at BIGINT;
UPDATE questions SET notified_at = created_at WHERE status <> 'held';
