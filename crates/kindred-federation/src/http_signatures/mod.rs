//! HTTP signatures (cavage draft, `rsa-sha256`), both ways: `sign` for what we send
//! (deliveries, signed fetches), `precheck` for the cheap checks on an incoming
//! signed request before any key is fetched, `verify` for the RSA check against the
//! sender's key, and `signed_fetch` for who is behind a signed GET of a non-public
//! object (the inbox verifies its POSTs in `inbox::receive`).

pub mod precheck;
pub mod sign;
pub mod signed_fetch;
pub mod verify;
