DROP TABLE featured_tags;
