//! Access tokens are short-lived HS256 JWTs; refresh tokens are random strings of which only a
//! SHA-256 hash is stored, rotated on every use (ACC-1).

use std::collections::HashMap;
use std::sync::RwLock;

use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const ISSUER: &str = "supervision";
pub const AUDIENCE: &str = "supervision-api";
/// Clock skew tolerated between servers, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// What an access token says about its bearer: who, and in which access epoch it was issued.
/// Roles and whether the person is active are not in the token: they are read from the
/// database (through a cache of a few seconds) on every request, so that deactivation, a
/// lost role or signing out everywhere bites on the next request, not at expiry (ACC-1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Not before; this server never sets it, but a token that carries one is held to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The person's access epoch when the token was issued; a password change, a reset or
    /// signing out everywhere moves the epoch on and so ends every older token.
    #[serde(default)]
    pub ep: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid")]
    Invalid,
}

/// How many verified tokens are remembered; past this the memory is cleared and refilled.
const VERIFIED_CAPACITY: usize = 10_000;

/// Signs and checks access tokens with one secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl_seconds: i64,
    /// Tokens already verified, until they expire: a phone sends the same token with every
    /// request for 15 minutes, and a lookup is far cheaper than decoding and an HMAC.
    verified: RwLock<HashMap<String, Claims>>,
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl_seconds: i64) -> TokenKeys {
        // The algorithm is pinned: a token signed any other way (or `none`) is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl_seconds,
            verified: RwLock::new(HashMap::new()),
        }
    }

    pub fn issue(&self, person_id: &str, access_epoch: i32, now: DateTime<Utc>) -> String {
        let claims = Claims {
            sub: person_id.to_string(),
            iss: ISSUER.to_string(),
            aud: AUDIENCE.to_string(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.access_ttl_seconds,
            nbf: None,
            ep: access_epoch,
        };
        self.sign(&claims)
    }

    /// Signs any claims; `issue` is the normal way in, this one lets tests forge odd tokens.
    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing with an in-memory secret cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let now = Utc::now().timestamp();
        // A remembered token is answered only while it would still pass the expiry check.
        let still_valid = |claims: &Claims| claims.exp + LEEWAY_SECONDS as i64 > now;
        if let Some(claims) = self
            .verified
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .filter(|claims| still_valid(claims))
        {
            return Ok(claims.clone());
        }
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        // A token issued in the future was not issued by a server in step with this one.
        if claims.iat > now + LEEWAY_SECONDS as i64 {
            return Err(TokenError::Invalid);
        }
        let mut verified = self.verified.write().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= VERIFIED_CAPACITY {
            verified.retain(|_, claims| still_valid(claims));
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
        }
        verified.insert(token.to_string(), claims.clone());
        Ok(claims)
    }
}

/// A fresh opaque token (256 random bits, URL-safe: refresh tokens, calendar feed links)
/// and the hash to store.
pub fn new_opaque_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_opaque_token(&token);
    (token, hash)
}

pub fn hash_opaque_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random secret for signing tokens, as kept in the data folder.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"0123456789abcdef0123456789abcdef", 900)
    }

    #[test]
    fn acc1_issued_tokens_verify() {
        let keys = keys();
        let token = keys.issue("p1", 3, Utc::now());
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.sub, "p1");
        assert_eq!(claims.ep, 3);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn acc1_expired_tampered_foreign_and_unpinned_tokens_fail() {
        let keys = keys();
        let old = keys.issue("p1", 0, Utc::now() - chrono::Duration::hours(1));
        assert_eq!(keys.verify(&old), Err(TokenError::Expired));

        let token = keys.issue("p1", 0, Utc::now());
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(keys.verify(&tampered), Err(TokenError::Invalid));

        let other = TokenKeys::new(b"another secret of enough length!", 900);
        assert_eq!(
            keys.verify(&other.issue("p1", 0, Utc::now())),
            Err(TokenError::Invalid)
        );

        let now = Utc::now().timestamp();
        let mut claims = keys.verify(&token).unwrap();
        claims.aud = "someone-else".into();
        claims.exp = now + 600;
        assert_eq!(keys.verify(&keys.sign(&claims)), Err(TokenError::Invalid));

        // ACC-1: a token not yet valid, or issued in the future beyond the clock skew.
        let mut early = keys.verify(&token).unwrap();
        early.nbf = Some(now + 600);
        assert_eq!(keys.verify(&keys.sign(&early)), Err(TokenError::Invalid));
        let mut future = keys.verify(&token).unwrap();
        future.iat = now + 600;
        future.exp = now + 1200;
        assert_eq!(keys.verify(&keys.sign(&future)), Err(TokenError::Invalid));
        let mut skewed = keys.verify(&token).unwrap();
        skewed.iat = now + 5;
        assert!(keys.verify(&keys.sign(&skewed)).is_ok());

        // Same secret, other HMAC algorithm: refused because the algorithm is pinned.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &keys.verify(&token).unwrap(),
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap();
        assert_eq!(keys.verify(&hs512), Err(TokenError::Invalid));
    }

    #[test]
    fn acc1_remembered_tokens_answer_the_same_and_expire() {
        let keys = keys();
        let token = keys.issue("p1", 0, Utc::now());
        let first = keys.verify(&token).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), first);
        // A token remembered past its expiry (plus leeway) is checked afresh, and refused.
        let old = keys.issue("p2", 0, Utc::now() - chrono::Duration::hours(1));
        let mut claims = keys.verify(&token).unwrap();
        claims.sub = "p2".into();
        claims.exp = Utc::now().timestamp() - 3600;
        keys.verified.write().unwrap().insert(old.clone(), claims);
        assert_eq!(keys.verify(&old), Err(TokenError::Expired));
    }

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let (a, hash_a) = new_opaque_token();
        let (b, _) = new_opaque_token();
        assert_ne!(a, b);
        assert_eq!(hash_a, hash_opaque_token(&a));
        assert_eq!(hash_a.len(), 64);
        assert!(!hash_a.contains(&a));
    }
}
