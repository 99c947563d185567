-- The web portal (issue 25). A member's acceptance of the rules at sign-up: the
-- rules' version (a hash of their text as shown) and when; and the portal's
-- language chosen in settings (else the browser's Accept-Language).
ALTER TABLE users ADD COLUMN rules_version TEXT;
ALTER TABLE users ADD COLUMN rules_accepted_at TIMESTAMP;
ALTER TABLE users ADD COLUMN ui_language TEXT;
