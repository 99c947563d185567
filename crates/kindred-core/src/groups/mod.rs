//! Groups as every entrance sees them: where a post is placed, and which mentions
//! it carries.

pub mod mentions;
pub mod placement;
