-- Account moderation (client-server API, "Account locking" and "Account suspension"). Both are
-- reversible, unlike deactivation, so they are flags beside it and leave tokens and devices
-- alone: a locked user keeps the sessions for when the lock is lifted, a suspended one keeps
-- reading.
ALTER TABLE accounts ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT FALSE;

-- The user agent of the device's last recorded request (GET /admin/whois). NULL until an
-- authenticated request is recorded (a login records only the time and address); '' when that
-- request named no user agent.
ALTER TABLE devices ADD COLUMN last_seen_user_agent TEXT;
