DROP TABLE group_posts;
DROP TABLE group_memberships;
DROP TABLE groups;
