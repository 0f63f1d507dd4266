-- 142_rating_sums: the question page summed the ratings of the question and of every answer on
-- each render (an OR over the answers, grouped). Each question and answer now carries its
-- number of ratings and their sum, kept by triggers in the transaction of every write to
-- ratings (a rating, a changed rating, an account's deletion); the page reads them with the
-- post and looks in ratings only for the visitor's own stars.
ALTER TABLE questions ADD COLUMN rating_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN rating_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE answers ADD COLUMN rating_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE answers ADD COLUMN rating_sum INTEGER NOT NULL DEFAULT 0;
UPDATE questions SET
  rating_count = (SELECT COUNT(*) FROM ratings r WHERE r.post_type = 'question' AND r.post_id = questions.id),
  rating_sum = (SELECT COALESCE(SUM(r.stars), 0) FROM ratings r WHERE r.post_type = 'question' AND r.post_id = questions.id)
WHERE id IN (SELECT post_id FROM ratings WHERE post_type = 'question');
UPDATE answers SET
  rating_count = (SELECT COUNT(*) FROM ratings r WHERE r.post_type = 'answer' AND r.post_id = answers.id),
  rating_sum = (SELECT COALESCE(SUM(r.stars), 0) FROM ratings r WHERE r.post_type = 'answer' AND r.post_id = answers.id)
WHERE id IN (SELECT post_id FROM ratings WHERE post_type = 'answer');

CREATE TRIGGER ratings_sums_ai AFTER INSERT ON ratings BEGIN
  UPDATE questions SET rating_count = rating_count + 1, rating_sum = rating_sum + new.stars
  WHERE new.post_type = 'question' AND id = new.post_id;
  UPDATE answers SET rating_count = rating_count + 1, rating_sum = rating_sum + new.stars
  WHERE new.post_type = 'answer' AND id = new.post_id;
END;
CREATE TRIGGER ratings_sums_ad AFTER DELETE ON ratings BEGIN
  UPDATE questions SET rating_count = rating_count - 1, rating_sum = rating_sum - old.stars
  WHERE old.post_type = 'question' AND id = old.post_id;
  UPDATE answers SET rating_count = rating_count - 1, rating_sum = rating_sum - old.stars
  WHERE old.post_type = 'answer' AND id = old.post_id;
END;
-- A changed rating (the upsert's DO UPDATE fires this too).
CREATE TRIGGER ratings_sums_au AFTER UPDATE OF post_type, post_id, stars ON ratings BEGIN
  UPDATE questions SET rating_count = rating_count - 1, rating_sum = rating_sum - old.stars
  WHERE old.post_type = 'question' AND id = old.post_id;
  UPDATE answers SET rating_count = rating_count - 1, rating_sum = rating_sum - old.stars
  WHERE old.post_type = 'answer' AND id = old.post_id;
  UPDATE questions SET rating_count = rating_count + 1, rating_sum = rating_sum + new.stars
  WHERE new.post_type = 'question' AND id = new.post_id;
  UPDATE answers SET rating_count = rating_count + 1, rating_sum = rating_sum + new.stars
  WHERE new.post_type = 'answer' AND id = new.post_id;
END;
