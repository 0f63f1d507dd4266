-- 102_webhook_outbox: webhook deliveries become outbox rows (kind 'webhook'), so one queue,
-- one worker and one retry logic serve mail and webhooks. A webhook row keeps the endpoint URL
-- in to_addr, the event in subject and the JSON payload in body_text; webhook_id names the
-- endpoint (its secret signs each attempt) and http_status keeps the receiver's last answer.
-- Every row of the old webhook_deliveries table moves over (pending ones are delivered next).
ALTER TABLE outbox ADD COLUMN webhook_id INTEGER REFERENCES webhooks(id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN http_status INTEGER NOT NULL DEFAULT 0;
INSERT INTO outbox (kind, to_addr, subject, body_text, body_html, message_id, status, attempts, next_at,
                    lease_until, last_error, created_at, sent_at, webhook_id, http_status)
SELECT 'webhook', w.url, d.event, d.payload, '', 'webhook-' || d.id,
       CASE d.status WHEN 'done' THEN 'sent' WHEN 'failed' THEN 'failed' ELSE 'queued' END,
       d.attempts, d.next_attempt_at, 0, d.last_error, d.created_at, d.delivered_at, d.webhook_id,
       d.last_http_status
FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id ORDER BY d.id;
DROP TABLE webhook_deliveries;
CREATE INDEX outbox_webhook ON outbox(webhook_id, id);
CREATE INDEX outbox_kind ON outbox(kind, id);
