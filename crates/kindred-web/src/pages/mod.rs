//! The page sets, one module each. Handlers are thin: they read the form, call the
//! same services the API calls, and render.

pub mod actor;
pub mod auth;
pub mod group;
pub mod groups;
pub mod landing;
pub mod profile;
