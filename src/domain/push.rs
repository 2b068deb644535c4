//! Web Push rules (REM-1, REM-6) as plain functions: what a subscription must look like,
//! what a payload may carry, and what a push service's answer means for the next attempt.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use url::{Host, Url};
use utoipa::ToSchema;

use super::validation::{bounded_text, Invalid};

/// A push payload is encrypted into one aes128gcm record of at most 4,096 bytes; what is left
/// for the plain text after the header, padding delimiter and tag is a little under 4,000,
/// and some push services allow less. 3,800 is safe everywhere.
pub const MAX_PAYLOAD_BYTES: usize = 3_800;

/// How long a subscription lives without the app registering it again (REM-1): some push
/// services answer 201 for subscriptions that died long ago, so an old one is dropped.
pub const SUBSCRIPTION_LIFETIME_DAYS: i64 = 60;
/// When the device is told, with one push, that it will stop getting reminders.
pub const EXPIRY_WARNING_DAYS: i64 = 55;

/// The push services of the major browsers: Google (Chrome, Edge on Android), Mozilla,
/// Apple (Safari) and Microsoft (Edge on Windows).
pub const DEFAULT_PUSH_SERVICES: &str = "fcm.googleapis.com,android.googleapis.com,\
updates.push.services.mozilla.com,*.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com";

/// The hosts endpoints may point at (REM-1): exact names, or `*.domain` for any name under
/// a domain (not the domain itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushServices {
    patterns: Vec<String>,
}

impl PushServices {
    /// A comma-separated list of host names, each optionally `*.`-prefixed.
    pub fn parse(list: &str) -> Result<PushServices, String> {
        let mut patterns = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let entry = entry.to_ascii_lowercase();
            let name = entry.strip_prefix("*.").unwrap_or(&entry);
            let label_ok = |label: &str| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            };
            // Names only: an address would bypass the check of what a name resolves to.
            if !name.split('.').all(label_ok) || name.parse::<IpAddr>().is_ok() {
                return Err(format!("`{entry}` is not a host name or `*.` and a domain"));
            }
            patterns.push(entry);
        }
        if patterns.is_empty() {
            return Err("no push service is allowed".to_string());
        }
        Ok(PushServices { patterns })
    }

    /// Whether a (lower-case) host name is on the list.
    pub fn allows(&self, host: &str) -> bool {
        self.patterns
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                Some(domain) => host
                    .strip_suffix(domain)
                    .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
                None => host == pattern,
            })
    }
}

impl Default for PushServices {
    fn default() -> PushServices {
        PushServices::parse(DEFAULT_PUSH_SERVICES).expect("the default list parses")
    }
}

/// Where the server may send pushes (REM-1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushPolicy {
    pub services: PushServices,
    /// A test aid: a push receiver on this machine (`localhost` or a loopback address, plain
    /// HTTP allowed), whatever the list says.
    pub allow_loopback: bool,
}

impl PushPolicy {
    /// Whether the server may connect to this address: never a private, loopback,
    /// link-local or otherwise non-public one, but loopback under the test setting.
    pub fn reaches(&self, ip: IpAddr) -> bool {
        is_public(ip) || (self.allow_loopback && ip.to_canonical().is_loopback())
    }
}

/// An address on the public internet: not this machine, a private network (RFC 1918, unique
/// local, carrier-grade NAT), a link, multicast, or a reserved or documentation range. IPv6
/// forms that carry an IPv4 address are judged by that address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || a == 127
        || a >= 224
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 =
        |hi: u16, lo: u16| is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    match s {
        // Unspecified, loopback and the deprecated IPv4-compatible form.
        [0, 0, 0, 0, 0, 0, _, _] => false,
        // IPv4-mapped.
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => embedded_v4(hi, lo),
        // NAT64.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => embedded_v4(hi, lo),
        // 6to4.
        [0x2002, hi, lo, ..] => embedded_v4(hi, lo),
        // Teredo and documentation.
        [0x2001, 0, ..] | [0x2001, 0xdb8, ..] => false,
        // Discard-only.
        [0x100, 0, 0, 0, ..] => false,
        [first, ..] => {
            // Multicast, unique local, link-local, the old site-local.
            !(first >= 0xff00 || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80)
                && (first & 0xffc0) != 0xfec0
        }
    }
}

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

/// Checks an endpoint against the policy (REM-1) and returns it parsed. What its host
/// resolves to is checked where names are resolved, when registering and when connecting.
pub fn check_endpoint(endpoint: &str, policy: &PushPolicy) -> Result<Url, &'static str> {
    let endpoint = endpoint.trim();
    if endpoint.len() > 1_000 {
        return Err("must be at most 1,000 characters");
    }
    if !well_formed_url(endpoint) {
        return Err("must be the push service's https URL");
    }
    let url = Url::parse(endpoint).map_err(|_| "must be the push service's https URL")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password");
    }
    let loopback = match url.host() {
        Some(Host::Domain(name)) => name == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if policy.allow_loopback && loopback && matches!(url.scheme(), "http" | "https") {
        return Ok(url);
    }
    if url.scheme() != "https" {
        return Err("must be the push service's https URL");
    }
    match url.host() {
        Some(Host::Domain(name)) if policy.services.allows(name) => {}
        Some(Host::Domain(_)) => return Err("must be at an allowed push service"),
        _ => return Err("must name a push service, not an address"),
    }
    if url.port().is_some() {
        return Err("must use the push service's standard port");
    }
    Ok(url)
}

/// Checks what a browser's `PushSubscription.toJSON()` gives. The endpoint is kept as parsed,
/// so what was checked is exactly what is later sent to.
pub fn check_subscription(
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    policy: &PushPolicy,
) -> Result<Subscription, Invalid> {
    let mut invalid = Invalid::default();
    let endpoint = match check_endpoint(endpoint, policy) {
        Ok(url) => Some(url),
        Err(message) => {
            invalid.push("endpoint", message);
            None
        }
    };
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
        endpoint: endpoint.map(String::from).unwrap_or_default(),
        p256dh: p256dh.to_string(),
        auth: auth.to_string(),
    })
}

/// `scheme://host[:port]` of an endpoint: the VAPID audience, and what a device list shows
/// of where its pushes go (the rest of the URL is the device's secret).
pub fn origin(endpoint: &str) -> String {
    Url::parse(endpoint)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_default()
}

/// Nothing a URL may not hold unescaped: what is checked is then what is sent.
fn well_formed_url(url: &str) -> bool {
    url.chars().all(|c| {
        c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
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

/// What a push service's answer means (REM-1). Kept on the server: a caller hears only
/// whether a push was delivered, never what a foreign server said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted for delivery (201, or any 2xx).
    Delivered,
    /// The subscription is dead, refused, or no longer leads to a push service: remove the
    /// device. `status` is the push service's answer, when there was one.
    Gone { status: Option<u16> },
    /// 408, 429 or 5xx, or no answer: try again at this time.
    Retry { at: DateTime<Utc> },
    /// 413: the payload is too large for this push service. Our bug, not the device's: this
    /// push is dropped and the device kept.
    TooLarge,
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
        Some(200..=299) => Delivery::Delivered,
        Some(408 | 429 | 500..) => retry(),
        Some(413) => Delivery::TooLarge,
        // Any other 4xx; and push services never redirect (redirects are not followed).
        Some(s) => Delivery::Gone { status: Some(s) },
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

    fn policy() -> PushPolicy {
        PushPolicy::default()
    }

    fn loopback_allowed() -> PushPolicy {
        PushPolicy {
            allow_loopback: true,
            ..PushPolicy::default()
        }
    }

    fn refusal(endpoint: &str, policy: &PushPolicy) -> &'static str {
        check_endpoint(endpoint, policy).unwrap_err()
    }

    /// REM-1: what a subscription must be.
    #[test]
    fn rem1_subscriptions_are_checked() {
        let ok = check_subscription(
            "https://fcm.googleapis.com/fcm/send/abc",
            P256DH,
            AUTH,
            &policy(),
        );
        assert_eq!(
            ok.unwrap().endpoint,
            "https://fcm.googleapis.com/fcm/send/abc"
        );
        let fields = |endpoint: &str, key: &str, auth: &str| -> Vec<String> {
            check_subscription(endpoint, key, auth, &policy())
                .unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields("http://push.example/x", P256DH, AUTH), ["endpoint"]);
        let fcm = "https://fcm.googleapis.com/x";
        assert_eq!(fields(fcm, "AAAA", AUTH), ["keys.p256dh"]);
        assert_eq!(fields(fcm, P256DH, "c2hvcnQ"), ["keys.auth"]);
    }

    /// REM-1: the default allow-list holds the browsers' push services, and nothing else.
    #[test]
    fn rem1_endpoints_must_be_at_an_allowed_push_service() {
        for endpoint in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://android.googleapis.com/gcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/abc",
            "https://web.push.apple.com/QGx",
            "https://wns2-db5p.notify.windows.com/w/?token=abc",
            "HTTPS://FCM.GoogleAPIs.com/fcm/send/abc",
        ] {
            assert!(check_endpoint(endpoint, &policy()).is_ok(), "{endpoint}");
        }
        let at_a_service = "must be at an allowed push service";
        for endpoint in [
            "https://push.example/x",
            "https://push.apple.com/x",
            "https://evilpush.apple.com/x",
            "https://fcm.googleapis.com.evil.example/x",
            "https://fcm.googleapis.com./x",
            "https://localhost/x",
        ] {
            assert_eq!(refusal(endpoint, &policy()), at_a_service, "{endpoint}");
        }
        assert_eq!(
            refusal("https://127.0.0.1/x", &policy()),
            "must name a push service, not an address"
        );
        assert_eq!(
            refusal("https://[::1]/x", &policy()),
            "must name a push service, not an address"
        );
        assert_eq!(
            refusal("https://fcm.googleapis.com:8443/x", &policy()),
            "must use the push service's standard port"
        );
        assert_eq!(
            refusal("http://fcm.googleapis.com/x", &policy()),
            "must be the push service's https URL"
        );
        assert_eq!(
            refusal("https://fcm.googleapis.com\\@evil.example/x", &policy()),
            "must be the push service's https URL"
        );
    }

    /// REM-1: `http://127.0.0.1:1@other-host/` once passed a prefix test for loopback.
    #[test]
    fn rem1_user_info_is_refused() {
        for endpoint in [
            "http://127.0.0.1:1@other-host/",
            "https://127.0.0.1:1@fcm.googleapis.com/",
            "https://user@fcm.googleapis.com/x",
        ] {
            assert_eq!(
                refusal(endpoint, &loopback_allowed()),
                "must not carry a user name or password",
                "{endpoint}"
            );
        }
    }

    /// REM-1: loopback receivers only under the test setting, and then plain HTTP may do.
    #[test]
    fn rem1_loopback_only_as_a_test_aid() {
        for endpoint in [
            "http://127.0.0.1:9000/push/1",
            "http://localhost:9000/push/1",
            "http://[::1]:9000/push/1",
        ] {
            assert!(check_endpoint(endpoint, &loopback_allowed()).is_ok());
            assert!(check_endpoint(endpoint, &policy()).is_err());
        }
        assert!(check_endpoint("http://10.0.0.1:9000/x", &loopback_allowed()).is_err());
        assert!(loopback_allowed().reaches("127.0.0.1".parse().unwrap()));
        assert!(loopback_allowed().reaches("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!policy().reaches("127.0.0.1".parse().unwrap()));
        assert!(!loopback_allowed().reaches("192.168.1.1".parse().unwrap()));
    }

    #[test]
    fn rem1_allow_lists_parse_names_and_wildcards() {
        let list = PushServices::parse(" push.example , *.Push.Example.org").unwrap();
        assert!(list.allows("push.example"));
        assert!(list.allows("a.push.example.org"));
        assert!(!list.allows("push.example.org"));
        assert!(!list.allows("a.push.example"));
        for bad in [
            "",
            " , ",
            "*",
            "*.",
            "10.0.0.1",
            "a/b",
            "push.example:443",
            "a..b",
        ] {
            assert!(PushServices::parse(bad).is_err(), "{bad:?}");
        }
    }

    /// REM-1: what the server never connects to.
    #[test]
    fn rem1_private_addresses_are_not_public() {
        for ip in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:c0a8:1::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "142.250.187.234",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450:4009:81f::200a",
            "::ffff:142.250.187.234",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
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

    /// REM-1: any 4xx but 408, 413 and 429 removes; 408, 429 and 5xx retry honouring
    /// Retry-After; 413 is ours to fix.
    #[test]
    fn rem1_answers_are_classified() {
        assert_eq!(classify(Some(201), None, 0, now()), Delivery::Delivered);
        for status in [400, 401, 403, 404, 410, 301, 307] {
            assert_eq!(
                classify(Some(status), None, 0, now()),
                Delivery::Gone {
                    status: Some(status)
                }
            );
        }
        assert_eq!(classify(Some(413), None, 0, now()), Delivery::TooLarge);
        assert_eq!(
            classify(Some(408), None, 0, now()),
            Delivery::Retry {
                at: now() + Duration::seconds(30)
            }
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

    /// Hosts on the default list, for the properties below.
    const SERVICES: [&str; 4] = [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        "db5.notify.windows.com",
    ];

    proptest! {
        /// REM-1: an endpoint with a user name or password is refused, whatever it names.
        #[test]
        fn rem1_any_user_info_is_refused(
            user in "[a-z0-9.%-]{1,12}",
            password in proptest::option::of("[a-z0-9]{0,8}"),
            host in proptest::sample::select(&SERVICES[..]),
            loopback in any::<bool>(),
        ) {
            let userinfo = match password {
                Some(p) => format!("{user}:{p}"),
                None => user,
            };
            let policy = PushPolicy { allow_loopback: loopback, ..PushPolicy::default() };
            let endpoint = format!("https://{userinfo}@{host}/push/1");
            prop_assert!(check_endpoint(&endpoint, &policy).is_err());
        }

        /// REM-1: only https reaches a push service.
        #[test]
        fn rem1_any_other_scheme_is_refused(
            scheme in "[a-z][a-z0-9+.-]{0,7}",
            host in proptest::sample::select(&SERVICES[..]),
        ) {
            prop_assume!(scheme != "https");
            let endpoint = format!("{scheme}://{host}/push/1");
            prop_assert!(check_endpoint(&endpoint, &policy()).is_err());
        }

        /// REM-1: a host not on the list is refused, however much of a listed one it holds.
        #[test]
        fn rem1_any_host_off_the_list_is_refused(
            label in "[a-z0-9-]{1,20}",
            domain in proptest::sample::select(&[
                "fcm.googleapis.com",
                "push.services.mozilla.com",
                "push.apple.com",
                "notify.windows.com",
            ][..]),
            shape in 0..3usize,
        ) {
            let host = match shape {
                0 => format!("{label}.example"),
                1 => format!("{domain}.{label}.example"),
                // Glued on without a dot: not a name under the domain.
                _ => format!("{label}{domain}"),
            };
            let endpoint = format!("https://{host}/push/1");
            prop_assert!(check_endpoint(&endpoint, &policy()).is_err());
        }

        /// REM-1: any name under a wildcard entry is accepted.
        #[test]
        fn rem1_names_under_a_wildcard_are_accepted(label in "[a-z0-9]{1,20}") {
            let endpoint = format!("https://{label}.push.apple.com/3/device/abc");
            prop_assert!(check_endpoint(&endpoint, &policy()).is_ok());
        }

        /// REM-1: private, loopback and link-local IPv4 ranges, and their IPv4-mapped
        /// IPv6 forms, are never reached.
        #[test]
        fn rem1_private_ranges_are_never_reached(
            range in proptest::sample::select(&[
                (10u32 << 24, 8u32),
                (127 << 24, 8),
                (169 << 24 | 254 << 16, 16),
                (172 << 24 | 16 << 16, 12),
                (192 << 24 | 168 << 16, 16),
                (100 << 24 | 64 << 16, 10),
            ][..]),
            host in any::<u32>(),
        ) {
            let (network, prefix) = range;
            let ip = Ipv4Addr::from(network | (host >> prefix));
            prop_assert!(!policy().reaches(IpAddr::V4(ip)));
            prop_assert!(!policy().reaches(IpAddr::V6(ip.to_ipv6_mapped())));
        }

        /// REM-1: backoff never shrinks and never exceeds an hour.
        #[test]
        fn rem1_backoff_grows_to_a_cap(attempt in 0u32..64) {
            prop_assert!(backoff(attempt) <= backoff(attempt + 1));
            prop_assert!(backoff(attempt) <= Duration::seconds(MAX_BACKOFF_SECONDS));
            prop_assert!(backoff(attempt) >= Duration::seconds(FIRST_BACKOFF_SECONDS));
        }
    }
}
