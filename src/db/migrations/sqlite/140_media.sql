-- 140_media: nearly no question has images or answer sources, yet the question page looked for both on
-- every render. has_media says a question may have some, so the page skips both lookups when it is 0.
-- Triggers set it in the transaction of every write that gives a question media; nothing clears it
-- (a stale 1 only costs the two lookups), and each sets it only while it is 0 so the row is written once.
ALTER TABLE questions ADD COLUMN has_media INTEGER NOT NULL DEFAULT 0;
UPDATE questions SET has_media = 1
WHERE id IN (SELECT post_id FROM images WHERE post_type = 'question')
   OR id IN (SELECT a.question_id FROM images i JOIN answers a ON a.id = i.post_id WHERE i.post_type = 'answer')
   OR id IN (SELECT a.question_id FROM post_sources s JOIN answers a ON a.id = s.post_id WHERE s.post_type = 'answer');

-- An image gets its post when it is stored with one or attached later (image_attach).
CREATE TRIGGER images_media_ai AFTER INSERT ON images WHEN new.post_id IS NOT NULL BEGIN
  UPDATE questions SET has_media = 1 WHERE has_media = 0 AND id = CASE new.post_type
    WHEN 'question' THEN new.post_id
    WHEN 'answer' THEN (SELECT question_id FROM answers WHERE id = new.post_id) END;
END;
CREATE TRIGGER images_media_au AFTER UPDATE OF post_type, post_id ON images WHEN new.post_id IS NOT NULL BEGIN
  UPDATE questions SET has_media = 1 WHERE has_media = 0 AND id = CASE new.post_type
    WHEN 'question' THEN new.post_id
    WHEN 'answer' THEN (SELECT question_id FROM answers WHERE id = new.post_id) END;
END;
-- Sources of an answer (articles have no question).
CREATE TRIGGER post_sources_media_ai AFTER INSERT ON post_sources WHEN new.post_type = 'answer' BEGIN
  UPDATE questions SET has_media = 1 WHERE has_media = 0
    AND id = (SELECT question_id FROM answers WHERE id = new.post_id);
END;
-- An answer moved to another question (a merge) takes its images and sources along.
CREATE TRIGGER answers_media_au AFTER UPDATE OF question_id ON answers
WHEN new.question_id IS NOT old.question_id BEGIN
  UPDATE questions SET has_media = 1 WHERE has_media = 0 AND id = new.question_id
    AND (EXISTS (SELECT 1 FROM images WHERE post_type = 'answer' AND post_id = new.id)
      OR EXISTS (SELECT 1 FROM post_sources WHERE post_type = 'answer' AND post_id = new.id));
END;
