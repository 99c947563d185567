DROP TABLE deliveries;
DROP TABLE instances;
