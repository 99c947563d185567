//! The page sets, one module each. Handlers are thin: they read the form, call the
//! same services the API calls, and render.

pub mod actor;
pub mod admin;
pub mod auth;
pub mod group;
pub mod landing;
pub mod profile;
