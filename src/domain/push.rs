//! Web Push rules (REM-1, REM-6) as plain functions: what a subscription must look like,
//! what a payload may carry, and what a push service's answer means for the next attempt.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::{bounded_text, Invalid};

/// A push payload is encrypted into one aes128gcm record of at most 4,096 bytes; what is left
/// for the plain text after the header, padding delimiter and tag is a little under 4,000,
/// and some push services allow less. 3,800 is safe everywhere.
pub const MAX_PAYLOAD_BYTES: usize = 3_800;

/// A checked Web Push subscription (REM-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub endpoint: String,
    /// The browser's P-256 public key, base64url (65 bytes uncompressed).
    pub p256dh: String,
    /// The 16-byte authentication secret, base64url.
    pub auth: String,
}

fn decoded_len(value: &str) -> Option<usize> {
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .ok()
        .map(|bytes| bytes.len())
}

/// Checks what a browser's `PushSubscription.toJSON()` gives. Push services are HTTPS; plain
/// HTTP is accepted only for this machine's loopback (a local test receiver).
pub fn check_subscription(
    endpoint: &str,
    p256dh: &str,
    auth: &str,
) -> Result<Subscription, Invalid> {
    let mut invalid = Invalid::default();
    let endpoint = endpoint.trim();
    let loopback = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://[::1]:",
    ]
    .iter()
    .any(|prefix| endpoint.starts_with(prefix));
    if endpoint.len() > 1_000 {
        invalid.push("endpoint", "must be at most 1,000 characters");
    } else if !(endpoint.starts_with("https://") || loopback) || !well_formed_url(endpoint) {
        invalid.push("endpoint", "must be the push service's https URL");
    }
    let p256dh = p256dh.trim().trim_end_matches('=');
    let key_ok = URL_SAFE_NO_PAD
        .decode(p256dh)
        .is_ok_and(|key| key.len() == 65 && key[0] == 4);
    if !key_ok {
        invalid.push(
            "keys.p256dh",
            "must be an uncompressed P-256 public key, base64url",
        );
    }
    let auth = auth.trim().trim_end_matches('=');
    if decoded_len(auth) != Some(16) {
        invalid.push("keys.auth", "must be a 16-byte secret, base64url");
    }
    invalid.into_result(|| Subscription {
        endpoint: endpoint.to_string(),
        p256dh: p256dh.to_string(),
        auth: auth.to_string(),
    })
}

/// `scheme://host[:port]` of an endpoint: the VAPID audience, and what a device list shows
/// of where its pushes go (the rest of the URL is the device's secret).
pub fn origin(endpoint: &str) -> String {
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("https", endpoint));
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

/// A host after the scheme, and nothing a URL may not hold unescaped.
fn well_formed_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or("", |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && url.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        })
}

/// What a push shows (REM-6): a title, a short body, a link into the app and a tag. Never
/// case references or record content: the app fetches those after it authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"title": "Supervision tomorrow", "body": "10:00 with your supervisor, Room 2.", "link": "/sessions/019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90", "tag": "session-019ab7c1"}))]
pub struct Payload {
    pub title: String,
    pub body: String,
    /// A path in the app.
    pub link: String,
    /// Notifications with the same tag replace each other on the device.
    pub tag: String,
}

impl Payload {
    /// The JSON the service worker receives, refused if it would not fit in one push.
    pub fn encode(&self) -> Result<Vec<u8>, Invalid> {
        let mut invalid = Invalid::default();
        invalid.check(bounded_text("title", &self.title, 1, 120));
        invalid.check(bounded_text("body", &self.body, 0, 1_000));
        invalid.check(bounded_text("link", &self.link, 1, 500));
        invalid.check(bounded_text("tag", &self.tag, 1, 64));
        invalid.into_result(|| ())?;
        let bytes = serde_json::to_vec(self).expect("a payload serialises");
        if bytes.len() > MAX_PAYLOAD_BYTES {
            return Err(Invalid::field(
                "payload",
                format!("must be at most {MAX_PAYLOAD_BYTES} bytes"),
            ));
        }
        Ok(bytes)
    }
}

/// A Topic header (RFC 8030): at most 32 base64url characters, so a repeated push for the
/// same thing replaces the one still queued (REM-5's at-most-once-more is collapsed by it).
pub fn topic(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..24])
}

/// What a push service's answer means (REM-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "outcome")]
#[schema(example = json!({"outcome": "retry", "at": "2026-11-25T10:02:00Z"}))]
pub enum Delivery {
    /// Accepted for delivery (201, or any 2xx).
    Delivered,
    /// 404 or 410: the subscription is gone; remove it.
    Gone,
    /// 429 or 5xx, or no answer: try again at this time.
    Retry { at: DateTime<Utc> },
    /// Any other refusal (400, 401, 403, 413): retrying the same request will not help.
    Rejected { status: u16 },
}

/// The first retry waits this long; each later one twice as long, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF_SECONDS: i64 = 30;
pub const MAX_BACKOFF_SECONDS: i64 = 3_600;

/// How long to wait before attempt `attempt + 1` (attempt counts from 0).
pub fn backoff(attempt: u32) -> Duration {
    let seconds = FIRST_BACKOFF_SECONDS.saturating_mul(1_i64 << attempt.min(20));
    Duration::seconds(seconds.min(MAX_BACKOFF_SECONDS))
}

/// Reads a push service's answer. `status` is `None` when there was no answer (a timeout or
/// a refused connection). A Retry-After (seconds or an HTTP date) is honoured when it asks
/// for longer than the backoff.
pub fn classify(
    status: Option<u16>,
    retry_after: Option<&str>,
    attempt: u32,
    now: DateTime<Utc>,
) -> Delivery {
    let retry = || {
        let asked = retry_after.and_then(|value| {
            let value = value.trim();
            value
                .parse::<i64>()
                .ok()
                .map(|seconds| now + Duration::seconds(seconds.clamp(0, 86_400)))
                .or_else(|| {
                    DateTime::parse_from_rfc2822(value)
                        .ok()
                        .map(|at| at.with_timezone(&Utc))
                })
        });
        let backed_off = now + backoff(attempt);
        Delivery::Retry {
            at: asked.map_or(backed_off, |asked| asked.max(backed_off)),
        }
    };
    match status {
        None => retry(),
        Some(s) if (200..300).contains(&s) => Delivery::Delivered,
        Some(404 | 410) => Delivery::Gone,
        Some(s) if s == 429 || s >= 500 => retry(),
        Some(s) => Delivery::Rejected { status: s },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P256DH: &str =
        "BLMbF9ffKBiWQLCKvTHb6LO8Nb6dcUh6TItC455vu2kElga6PQvUmaFyCdykxY2nOSSL3yKgfbmFLRTUaGv4yV8";
    const AUTH: &str = "xS03Fi5ErfTNH_l9WHE9Ig";

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// REM-1: what a subscription must be.
    #[test]
    fn rem1_subscriptions_are_checked() {
        let ok = check_subscription("https://fcm.googleapis.com/fcm/send/abc", P256DH, AUTH);
        assert!(ok.is_ok());
        assert!(check_subscription("http://127.0.0.1:9000/push/1", P256DH, AUTH).is_ok());
        let fields = |endpoint: &str, key: &str, auth: &str| -> Vec<String> {
            check_subscription(endpoint, key, auth)
                .unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields("http://push.example/x", P256DH, AUTH), ["endpoint"]);
        assert_eq!(
            fields("https://push.example/x", "AAAA", AUTH),
            ["keys.p256dh"]
        );
        assert_eq!(
            fields("https://push.example/x", P256DH, "c2hvcnQ"),
            ["keys.auth"]
        );
    }

    /// REM-6: payloads are small and bounded.
    #[test]
    fn rem6_payloads_fit_one_push() {
        let payload = Payload {
            title: "Supervision tomorrow".into(),
            body: "10:00, Room 2".into(),
            link: "/sessions/1".into(),
            tag: "session-1".into(),
        };
        let bytes = payload.encode().unwrap();
        assert!(bytes.len() < 200);
        let long = Payload {
            body: "x".repeat(1_001),
            ..payload
        };
        assert_eq!(long.encode().unwrap_err().0[0].field, "body");
    }

    #[test]
    fn rem1_topics_are_short_base64url_and_stable() {
        let t = topic("person/session_coming_up/session-1/2026-11-26T09:00:00Z");
        assert_eq!(t.len(), 32);
        assert!(t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(
            t,
            topic("person/session_coming_up/session-1/2026-11-26T09:00:00Z")
        );
        assert_ne!(
            t,
            topic("person/session_coming_up/session-2/2026-11-26T09:00:00Z")
        );
    }

    /// REM-1: 404/410 remove, 429/5xx retry honouring Retry-After, others are refused.
    #[test]
    fn rem1_answers_are_classified() {
        assert_eq!(classify(Some(201), None, 0, now()), Delivery::Delivered);
        assert_eq!(classify(Some(410), None, 0, now()), Delivery::Gone);
        assert_eq!(classify(Some(404), None, 0, now()), Delivery::Gone);
        assert_eq!(
            classify(Some(413), None, 0, now()),
            Delivery::Rejected { status: 413 }
        );
        assert_eq!(
            classify(Some(500), None, 0, now()),
            Delivery::Retry {
                at: now() + Duration::seconds(30)
            }
        );
        assert_eq!(
            classify(Some(429), Some("120"), 0, now()),
            Delivery::Retry {
                at: now() + Duration::seconds(120)
            }
        );
        assert_eq!(
            classify(Some(503), Some("Wed, 25 Nov 2026 11:00:00 GMT"), 0, now()),
            Delivery::Retry {
                at: now() + Duration::hours(1)
            }
        );
        // A Retry-After shorter than the backoff does not hurry the retry.
        assert_eq!(
            classify(None, Some("1"), 3, now()),
            Delivery::Retry {
                at: now() + Duration::seconds(240)
            }
        );
    }

    proptest! {
        /// REM-1: backoff never shrinks and never exceeds an hour.
        #[test]
        fn rem1_backoff_grows_to_a_cap(attempt in 0u32..64) {
            prop_assert!(backoff(attempt) <= backoff(attempt + 1));
            prop_assert!(backoff(attempt) <= Duration::seconds(MAX_BACKOFF_SECONDS));
            prop_assert!(backoff(attempt) >= Duration::seconds(FIRST_BACKOFF_SECONDS));
        }
    }
}
