-- 144_answer_notices: when an answer's "new answer" emails (the question's subscribers) and its
-- answer.created webhook deliveries were queued. NULL while it waits for a moderator: its first
-- publication (approve, or restore after a hide) queues them then, once, so hiding and restoring
-- it never tells anyone twice. Answers not held count as told (as 052 does for questions): those
-- published were announced when posted, and a hidden or deleted one most likely was too.
ALTER TABLE answers ADD COLUMN notified_at BIGINT;
UPDATE answers SET notified_at = created_at WHERE status <> 'held';
