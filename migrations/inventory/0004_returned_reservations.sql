-- A customer may cancel a confirmed order until it ships: the stock its reservation committed
-- comes back on hand, and the reservation ends `returned` (so a redelivered cancellation finds
-- nothing left to return).
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
    CHECK (status IN ('reserved', 'rejected', 'committed', 'released', 'returned'));
