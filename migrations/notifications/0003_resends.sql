-- When a message last showed a sign of life (stored, an attempt, a replay), and how often the
-- sweeper queued a new job for it because none did for too long (see the sweeper module).
ALTER TABLE notifications
    ADD COLUMN touched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN resends    INTEGER     NOT NULL DEFAULT 0;
CREATE INDEX notifications_queued ON notifications (touched_at) WHERE status = 'queued';
