//! Passwords are hashed with argon2id (the crate's defaults follow OWASP's minimum).

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use rand::distr::{Alphanumeric, SampleString};
use std::sync::OnceLock;

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters and a fresh salt cannot fail")
        .to_string()
}

/// Checks a password against a stored hash. With no hash (unknown account, or one without a
/// password) a dummy hash is still verified, so timing does not tell which accounts exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a password anyone has"));
    let (candidate, real) = match stored {
        Some(stored) => (stored, true),
        None => (dummy.as_str(), false),
    };
    let matches = PasswordHash::new(candidate)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    matches && real
}

/// A one-time password to hand to a new person: 20 letters and digits (about 119 bits).
pub fn one_time() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc1_hash_is_argon2id_and_verifies() {
        let stored = hash("correct horse battery");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&stored)));
        assert!(!verify("wrong horse battery", Some(&stored)));
        assert!(!verify("correct horse battery", None));
        assert!(!verify("x", Some("not a hash")));
    }

    #[test]
    fn one_time_passwords_differ() {
        let a = one_time();
        assert_eq!(a.len(), 20);
        assert_ne!(a, one_time());
    }
}
