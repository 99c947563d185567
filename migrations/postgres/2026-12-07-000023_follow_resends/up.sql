-- Our pending Follows of remote groups are sent again until answered: a Lemmy 0.19
-- may never send the Accept of the first follow from a server it has not yet
-- delivered to (issue 20). `resend_at`: when the Follow is next sent again (NULL:
-- never — not a remote group, or sent again often enough); `resends`: how many
-- times it has been sent again since the member last asked.
ALTER TABLE follow_requests ADD COLUMN resend_at TIMESTAMP;
ALTER TABLE follow_requests ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
CREATE INDEX follow_requests_resend_idx ON follow_requests (resend_at);
