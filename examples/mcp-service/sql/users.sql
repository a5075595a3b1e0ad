-- The schema and seed rows of `user_record_query` (examples/mcp-service/src/store/users.rs).
-- Idempotent: `scripts/services start` applies it on every start.
CREATE TABLE IF NOT EXISTS users (
    id              bigint  PRIMARY KEY,
    email           text    NOT NULL UNIQUE,
    display_name    text    NOT NULL,
    plan            text    NOT NULL CHECK (plan IN ('free', 'team', 'enterprise')),
    active          boolean NOT NULL,
    created_at_unix bigint  NOT NULL
);

-- 1000 users (store::users::SEEDED_USER_COUNT), the same on every run.
INSERT INTO users (id, email, display_name, plan, active, created_at_unix)
SELECT g,
       'user' || g || '@example.com',
       'User ' || g,
       (ARRAY['free', 'team', 'enterprise'])[1 + g % 3],
       g % 10 <> 0,
       1700000000 + g * 3600
FROM generate_series(1, 1000) AS g
ON CONFLICT (id) DO NOTHING;

ANALYZE users;
