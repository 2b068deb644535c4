//! Web Push delivery (REM-1): the server's VAPID keys, and sending one encrypted message to
//! one device with actix's HTTP client (no libcurl). What to send and when is decided
//! elsewhere; what an answer means is `domain::push::classify`.
//!
//! Only push services are reached: an endpoint is checked against the policy before each
//! push, and the client's resolver refuses a host with any address the policy forbids, so
//! a connection goes only to addresses checked when it was made (a name re-pointed at a
//! private address after registration is caught). Redirects are never followed.

use std::cell::RefCell;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use web_push::{
    request_builder::build_request, ContentEncoding, SubscriptionInfo, Urgency, VapidSignature,
    VapidSignatureBuilder, WebPushMessageBuilder,
};

/// How long one VAPID signature is reused for a push service.
const SIGNATURE_REUSE: Duration = Duration::from_secs(60 * 60);

use crate::domain::push::{check_endpoint, classify, origin, Delivery, PushPolicy, Subscription};

/// A P-256 key pair for VAPID (RFC 8292), both halves base64url without padding: the
/// private key as its 32-byte scalar, the public key as its 65-byte uncompressed point (what
/// the app passes to `pushManager.subscribe` as `applicationServerKey`).
#[derive(Clone)]
pub struct VapidKeys {
    private: String,
    public: String,
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKeys")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl VapidKeys {
    pub fn generate() -> VapidKeys {
        let pair = jwt_simple::algorithms::ES256KeyPair::generate();
        VapidKeys::from_private(&URL_SAFE_NO_PAD.encode(pair.to_bytes()))
            .expect("a freshly generated key is valid")
    }

    pub fn from_private(private: &str) -> Result<VapidKeys, String> {
        let private = private.trim();
        // The key parser asserts on a scalar of the wrong length instead of failing.
        if URL_SAFE_NO_PAD.decode(private).map(|b| b.len()) != Ok(32) {
            return Err("not a base64url P-256 private key (32 bytes)".to_string());
        }
        let builder = VapidSignatureBuilder::from_base64_no_sub(private)
            .map_err(|_| "not a base64url P-256 private key".to_string())?;
        Ok(VapidKeys {
            private: private.to_string(),
            public: URL_SAFE_NO_PAD.encode(builder.get_public_key()),
        })
    }

    pub fn public_key(&self) -> &str {
        &self.public
    }

    pub fn private_key(&self) -> &str {
        &self.private
    }
}

/// How a push is to be delivered (RFC 8030 headers).
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// The plain payload; encrypted here with aes128gcm.
    pub payload: &'a [u8],
    /// Seconds the push service keeps it for an offline device.
    pub ttl: u32,
    pub urgency: Urgency,
    /// Replaces a queued push with the same topic.
    pub topic: Option<String>,
}

/// Sends pushes signed with the server's keys.
pub struct Sender {
    keys: VapidKeys,
    /// The parsed signing key: parsing it derives the public point, too slow to repeat for
    /// every push.
    signer: web_push::PartialVapidSignatureBuilder,
    /// Signatures by push-service origin. A VAPID token may be reused until it expires
    /// (RFC 8292 §2); signing once an hour per service instead of once per push roughly
    /// doubles how many pushes a core can send.
    signatures:
        std::sync::Mutex<std::collections::HashMap<String, (VapidSignature, std::time::Instant)>>,
    /// The VAPID `sub` claim: a `mailto:` or `https:` contact for push services.
    subject: String,
    timeout: Duration,
    policy: PushPolicy,
}

/// Why a push service's host is not connected to.
#[derive(Debug, thiserror::Error)]
enum Unreachable {
    #[error("cannot resolve the host: {0}")]
    Lookup(#[from] std::io::Error),
    #[error("the host resolves to {0}, which the server does not reach")]
    Forbidden(IpAddr),
}

/// Resolves a host, refused whole when any of its addresses is one the policy forbids: of a
/// name with a public and a private address, the connection could take either.
async fn resolve(
    host: &str,
    port: u16,
    policy: &PushPolicy,
) -> Result<Vec<SocketAddr>, Unreachable> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
    match addresses.iter().find(|a| !policy.reaches(a.ip())) {
        Some(forbidden) => Err(Unreachable::Forbidden(forbidden.ip())),
        None => Ok(addresses),
    }
}

/// The resolver of the push client: what it returns is all the connector connects to.
/// (Address literals skip resolvers; `check_endpoint` refuses all but loopback ones.)
struct CheckedResolver(PushPolicy);

impl actix_tls::connect::Resolve for CheckedResolver {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> futures_util::future::LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn std::error::Error>>>
    {
        Box::pin(async move { Ok(resolve(host, port, &self.0).await?) })
    }
}

thread_local! {
    /// One client (and so one connection pool) per worker thread and setting: awc's client
    /// is not Send.
    static CLIENTS: RefCell<Vec<((Duration, bool), awc::Client)>> = const { RefCell::new(Vec::new()) };
}

fn client(timeout: Duration, policy: &PushPolicy) -> awc::Client {
    let key = (timeout, policy.allow_loopback);
    CLIENTS.with(|cell| {
        let mut clients = cell.borrow_mut();
        if let Some((_, client)) = clients.iter().find(|(k, _)| *k == key) {
            return client.clone();
        }
        let client = {
            let mut ssl = openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls())
                .expect("OpenSSL initialises");
            // The vendored OpenSSL does not know where this system keeps its CA
            // certificates; look them up as other programs do.
            let probe = openssl_probe::probe();
            if let Some(file) = probe.cert_file {
                if let Err(error) = ssl.set_ca_file(&file) {
                    tracing::warn!(%error, file = %file.display(), "cannot load CA certificates");
                }
            }
            let tcp = actix_tls::connect::Connector::new(actix_tls::connect::Resolver::custom(
                CheckedResolver(policy.clone()),
            ))
            .service();
            awc::Client::builder()
                .connector(
                    awc::Connector::new()
                        .connector(tcp)
                        .openssl(ssl.build())
                        .timeout(timeout)
                        .conn_keep_alive(Duration::from_secs(60)),
                )
                .timeout(timeout)
                // A push service answers; it never sends the push elsewhere.
                .disable_redirects()
                .finish()
        };
        clients.push((key, client.clone()));
        client
    })
}

impl Sender {
    pub fn new(keys: VapidKeys, subject: String, timeout: Duration, policy: PushPolicy) -> Sender {
        Sender {
            policy,
            signer: VapidSignatureBuilder::from_base64_no_sub(keys.private_key())
                .expect("VapidKeys holds a valid key"),
            signatures: Default::default(),
            keys,
            subject,
            timeout,
        }
    }

    pub fn keys(&self) -> &VapidKeys {
        &self.keys
    }

    pub fn policy(&self) -> &PushPolicy {
        &self.policy
    }

    /// Refuses, with the address, an endpoint whose host resolves to one the server does not
    /// reach. A name that does not resolve now is let through: it is checked again before
    /// every connection.
    pub async fn check_reachable(&self, endpoint: &str) -> Result<(), IpAddr> {
        let Ok(url) = check_endpoint(endpoint, &self.policy) else {
            return Ok(());
        };
        let host = url.host_str().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().unwrap_or(443);
        match resolve(host, port, &self.policy).await {
            Err(Unreachable::Forbidden(ip)) => Err(ip),
            _ => Ok(()),
        }
    }

    /// Encrypts, signs and sends one push; `attempt` (from 0) sets the backoff of a retry.
    pub async fn send(&self, to: &Subscription, message: Message<'_>, attempt: u32) -> Delivery {
        let service = origin(&to.endpoint);
        // The list may have changed since the device registered.
        if let Err(reason) = check_endpoint(&to.endpoint, &self.policy) {
            tracing::warn!(%service, reason, "push endpoint no longer allowed; removing the device");
            return Delivery::Gone { status: None };
        }
        let info =
            SubscriptionInfo::new(to.endpoint.as_str(), to.p256dh.as_str(), to.auth.as_str());
        let request = match self.build(&info, message) {
            Ok(request) => request,
            Err(error) => {
                // Keys the encryption cannot use make the subscription useless: treat it as gone.
                tracing::warn!(%error, "push subscription cannot be used");
                return Delivery::Gone { status: None };
            }
        };
        let (parts, body) = request.into_parts();
        let bytes = body.len();
        let mut outgoing = client(self.timeout, &self.policy).post(parts.uri.to_string());
        for (name, value) in &parts.headers {
            outgoing = outgoing.insert_header((name.clone(), value.clone()));
        }
        match outgoing.send_body(body).await {
            Ok(response) => {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let status = response.status().as_u16();
                let delivery = classify(Some(status), retry_after.as_deref(), attempt, Utc::now());
                match delivery {
                    Delivery::TooLarge => tracing::error!(
                        %service, bytes, "push service refused a payload as too large: it must shrink"
                    ),
                    Delivery::Delivered => {}
                    _ => tracing::info!(%service, status, "push not delivered"),
                }
                delivery
            }
            Err(awc::error::SendRequestError::Connect(awc::error::ConnectError::Resolver(
                error,
            ))) if matches!(
                error.downcast_ref::<Unreachable>(),
                Some(Unreachable::Forbidden(_))
            ) =>
            {
                tracing::warn!(%service, %error, "push endpoint leads to a forbidden address; removing the device");
                Delivery::Gone { status: None }
            }
            Err(error) => {
                tracing::info!(%service, %error, "push service did not answer");
                classify(None, None, attempt, Utc::now())
            }
        }
    }

    /// The signature for the endpoint's push service, made afresh after [`SIGNATURE_REUSE`]
    /// (the token itself is valid for twelve hours).
    fn signature_for(
        &self,
        info: &SubscriptionInfo,
    ) -> Result<VapidSignature, web_push::WebPushError> {
        let audience = origin(&info.endpoint);
        let mut cache = self.signatures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((signature, made)) = cache.get(&audience) {
            if made.elapsed() < SIGNATURE_REUSE {
                return Ok(signature.clone());
            }
        }
        let mut builder = self.signer.clone().add_sub_info(info);
        builder.add_claim("sub", self.subject.as_str());
        builder.add_claim("aud", audience.as_str());
        let signature = builder.build()?;
        cache.insert(audience, (signature.clone(), std::time::Instant::now()));
        Ok(signature)
    }

    fn build(
        &self,
        info: &SubscriptionInfo,
        message: Message<'_>,
    ) -> Result<http::Request<Vec<u8>>, web_push::WebPushError> {
        let signature = self.signature_for(info)?;
        let mut builder = WebPushMessageBuilder::new(info);
        builder.set_payload(ContentEncoding::Aes128Gcm, message.payload);
        builder.set_ttl(message.ttl);
        builder.set_urgency(message.urgency);
        if let Some(topic) = message.topic {
            builder.set_topic(topic);
        }
        builder.set_vapid_signature(signature);
        Ok(build_request::<Vec<u8>>(builder.build()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rem1_generated_keys_round_trip() {
        let keys = VapidKeys::generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(keys.public_key()).unwrap().len(), 65);
        let again = VapidKeys::from_private(keys.private_key()).unwrap();
        assert_eq!(again.public_key(), keys.public_key());
        assert!(VapidKeys::from_private("not a key").is_err());
        assert!(VapidKeys::from_private("nonsense").is_err());
        assert!(VapidKeys::from_private(&URL_SAFE_NO_PAD.encode([0u8; 32])).is_err());
        assert!(!format!("{keys:?}").contains(keys.private_key()));
    }

    #[test]
    fn rem1_the_audience_is_the_endpoint_origin() {
        assert_eq!(
            origin("https://fcm.googleapis.com/fcm/send/abc?x=1"),
            "https://fcm.googleapis.com"
        );
        assert_eq!(
            origin("http://127.0.0.1:9000/push/1"),
            "http://127.0.0.1:9000"
        );
    }
}
