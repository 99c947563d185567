DROP TABLE poll_votes;
DROP TABLE poll_voters;
DROP TABLE poll_options;
DROP TABLE polls;
