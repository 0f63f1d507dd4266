-- 142_rating_sums: the question page summed the ratings of the question and of every answer on
-- each render (an OR over the answers, grouped). Each question and answer now carries its
-- number of ratings and their sum, kept by a trigger in the transaction of every write to
-- ratings (a rating, a changed rating, an account's deletion); the page reads them with the
-- post and looks in ratings only for the visitor's own stars.
ALTER TABLE questions ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE answers ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE answers ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
UPDATE questions q SET rating_count = s.n, rating_sum = s.total
FROM (SELECT post_id, COUNT(*) AS n, SUM(stars) AS total FROM ratings WHERE post_type = 'question' GROUP BY post_id) s
WHERE q.id = s.post_id;
UPDATE answers a SET rating_count = s.n, rating_sum = s.total
FROM (SELECT post_id, COUNT(*) AS n, SUM(stars) AS total FROM ratings WHERE post_type = 'answer' GROUP BY post_id) s
WHERE a.id = s.post_id;

CREATE FUNCTION ratings_sums() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF OLD.post_type = 'question' THEN
      UPDATE questions SET rating_count = rating_count - 1, rating_sum = rating_sum - OLD.stars WHERE id = OLD.post_id;
    ELSE
      UPDATE answers SET rating_count = rating_count - 1, rating_sum = rating_sum - OLD.stars WHERE id = OLD.post_id;
    END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    IF NEW.post_type = 'question' THEN
      UPDATE questions SET rating_count = rating_count + 1, rating_sum = rating_sum + NEW.stars WHERE id = NEW.post_id;
    ELSE
      UPDATE answers SET rating_count = rating_count + 1, rating_sum = rating_sum + NEW.stars WHERE id = NEW.post_id;
    END IF;
  END IF;
  RETURN NULL;
END $$;
-- A changed rating (the upsert's DO UPDATE) fires it as an UPDATE.
CREATE TRIGGER ratings_sums AFTER INSERT OR DELETE OR UPDATE OF post_type, post_id, stars ON ratings
  FOR EACH ROW EXECUTE FUNCTION ratings_sums();
