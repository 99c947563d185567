pub mod accounts;
pub mod activitypub;
pub mod apps;
pub mod health;
pub mod instance;
pub mod oauth;
pub mod pages;
pub mod well_known;
