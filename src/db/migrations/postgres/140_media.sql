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
CREATE FUNCTION images_media() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.post_type = 'question' THEN
    UPDATE questions SET has_media = 1 WHERE id = NEW.post_id AND has_media = 0;
  ELSIF NEW.post_type = 'answer' THEN
    UPDATE questions SET has_media = 1
    WHERE id = (SELECT question_id FROM answers WHERE id = NEW.post_id) AND has_media = 0;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER images_media AFTER INSERT OR UPDATE OF post_type, post_id ON images
  FOR EACH ROW WHEN (NEW.post_id IS NOT NULL) EXECUTE FUNCTION images_media();

-- Sources of an answer (articles have no question).
CREATE FUNCTION post_sources_media() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE questions SET has_media = 1
  WHERE id = (SELECT question_id FROM answers WHERE id = NEW.post_id) AND has_media = 0;
  RETURN NULL;
END $$;
CREATE TRIGGER post_sources_media AFTER INSERT ON post_sources
  FOR EACH ROW WHEN (NEW.post_type = 'answer') EXECUTE FUNCTION post_sources_media();

-- An answer moved to another question (a merge) takes its images and sources along.
CREATE FUNCTION answers_media() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE questions SET has_media = 1 WHERE id = NEW.question_id AND has_media = 0
    AND (EXISTS (SELECT 1 FROM images WHERE post_type = 'answer' AND post_id = NEW.id)
      OR EXISTS (SELECT 1 FROM post_sources WHERE post_type = 'answer' AND post_id = NEW.id));
  RETURN NULL;
END $$;
CREATE TRIGGER answers_media AFTER UPDATE OF question_id ON answers
  FOR EACH ROW WHEN (NEW.question_id IS DISTINCT FROM OLD.question_id) EXECUTE FUNCTION answers_media();
