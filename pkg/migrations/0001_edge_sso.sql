-- edge-sso's D1Store table (D1Store.open creates the same when it is missing).
-- k: the key; v: the value; e: its expiry in ms since the epoch, NULL for none.
-- Apply with `wrangler d1 migrations apply <database>`, migrations_dir pointing here.
CREATE TABLE IF NOT EXISTS edge_sso (k TEXT PRIMARY KEY, v TEXT NOT NULL, e INTEGER);
