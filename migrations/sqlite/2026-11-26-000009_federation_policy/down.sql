DROP TABLE federation_policy_audit;
DROP TABLE federation_settings;
DROP TABLE domain_allows;
DROP TABLE domain_blocks;
