//! Groups as every entrance sees them: who may join and how a request goes, where a
//! post is placed, and which mentions it carries.

pub mod membership;
pub mod mentions;
pub mod placement;
pub mod succession;
