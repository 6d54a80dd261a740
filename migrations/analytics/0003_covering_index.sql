-- The reports read a period's orders by placement time and aggregate a handful of columns. With
-- those columns in the index, Postgres answers from the index alone (index-only scans, once
-- autovacuum has marked the pages all-visible) instead of visiting every row of the table.
DROP INDEX order_facts_placed;
CREATE INDEX order_facts_placed ON order_facts (placed_at)
    INCLUDE (currency, customer_id, total_minor, stock_reserved_at, confirmed_at, shipped_at,
             cancelled_at, cancel_reason, captured_minor, refunded_minor);
