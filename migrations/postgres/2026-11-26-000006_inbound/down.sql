DROP TABLE received_activities;
DROP TABLE remote_accounts;
