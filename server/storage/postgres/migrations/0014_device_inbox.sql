-- To-device messages waiting for their recipient device; gone with the device.
CREATE TABLE device_inbox (
    stream_id BIGSERIAL PRIMARY KEY,
    user_id   TEXT COLLATE "C" NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    sender    TEXT NOT NULL,
    type      TEXT NOT NULL,
    content   TEXT NOT NULL,
    FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX device_inbox_by_device ON device_inbox (user_id, device_id, stream_id);
