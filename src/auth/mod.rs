//! Sign-in machinery (ACC-1): password hashing, access and refresh tokens, login rate limits.
//! No web framework or database here; the HTTP layer and the store call into it.

pub mod access;
pub mod password;
pub mod rate_limit;
pub mod tokens;
