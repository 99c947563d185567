DROP TABLE silenced_accounts;
