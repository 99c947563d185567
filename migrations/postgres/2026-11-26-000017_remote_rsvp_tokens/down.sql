DROP TABLE remote_rsvp_tokens;
