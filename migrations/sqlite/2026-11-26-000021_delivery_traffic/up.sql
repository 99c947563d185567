-- The kind of traffic a queued delivery is (follows, announcements, meetings,
-- rsvps, reports, direct), classified once when it is queued, so the federation
-- policy is checked before each attempt without reading the body again. NULL for
-- rows queued before this column existed: the worker classifies their body.
ALTER TABLE deliveries ADD COLUMN traffic TEXT;
