-- 141_answers_by_status: the question page lists a question's published answers oldest first.
-- answers_question held (question_id, created_at, id), so every held or hidden answer of the
-- question was read from the table only to be dropped by its status (stored after the bodies);
-- with status in the index the list reads only the rows it shows, in order. Queries that name
-- only question_id still use the index's first column.
DROP INDEX answers_question;
CREATE INDEX answers_question ON answers(question_id, status, created_at, id);
