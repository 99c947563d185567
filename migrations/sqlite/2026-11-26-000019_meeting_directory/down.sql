DROP TABLE directory_subscribers;
DROP TABLE directory_subscriptions;
