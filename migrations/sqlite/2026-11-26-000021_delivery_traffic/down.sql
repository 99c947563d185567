ALTER TABLE deliveries DROP COLUMN traffic;
