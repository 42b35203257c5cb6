-- Accounts an admin deactivated with `erase` (Synapse's erasure): their profile is gone and
-- the admin API reports them as erased. The account row stays, as for every deactivation.
CREATE TABLE erased_users (
    user_id   TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
    erased_ts BIGINT NOT NULL
);

-- Rooms an admin shut down or blocked: local users may not join them again. No foreign key
-- on rooms: a room can be blocked before this server ever hears of it.
CREATE TABLE blocked_rooms (
    room_id    TEXT   COLLATE "C" NOT NULL PRIMARY KEY,
    blocked_by TEXT   NOT NULL,
    blocked_ts BIGINT NOT NULL
);
