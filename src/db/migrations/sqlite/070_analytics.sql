-- 070_analytics: first-party page views per day, page kind (route) and topic. No person, IP,
-- cookie or user agent is ever stored: only counts.
CREATE TABLE page_views (
	day BIGINT NOT NULL,            -- unix seconds of 00:00 UTC
	kind TEXT NOT NULL,             -- route pattern, e.g. /{topic}/questions/{id}
	topic TEXT NOT NULL DEFAULT '', -- topic slug for pages under a topic, else ''
	views BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (day, kind, topic)
);
