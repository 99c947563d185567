DROP TABLE instance_actor;
DROP TABLE oauth_authorization_codes;
DROP TABLE oauth_tokens;
DROP TABLE oauth_applications;
DROP TABLE invites;
DROP TABLE users;
DROP TABLE accounts;
