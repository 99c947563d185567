DROP TABLE meeting_posts;
