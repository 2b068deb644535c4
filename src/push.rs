//! Web Push delivery (REM-1): the server's VAPID keys, and sending one encrypted message to
//! one device with actix's HTTP client (no libcurl). What to send and when is decided
//! elsewhere; what an answer means is `domain::push::classify`.

use std::cell::RefCell;
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

use crate::domain::push::{classify, origin, Delivery, Subscription};

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
}

thread_local! {
    /// One client (and so one connection pool) per worker thread: awc's client is not Send.
    static CLIENT: RefCell<Option<awc::Client>> = const { RefCell::new(None) };
}

fn client(timeout: Duration) -> awc::Client {
    CLIENT.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
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
                awc::Client::builder()
                    .connector(
                        awc::Connector::new()
                            .openssl(ssl.build())
                            .timeout(timeout)
                            .conn_keep_alive(Duration::from_secs(60)),
                    )
                    .timeout(timeout)
                    .disable_redirects()
                    .finish()
            })
            .clone()
    })
}

impl Sender {
    pub fn new(keys: VapidKeys, subject: String, timeout: Duration) -> Sender {
        Sender {
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

    /// Encrypts, signs and sends one push; `attempt` (from 0) sets the backoff of a retry.
    pub async fn send(&self, to: &Subscription, message: Message<'_>, attempt: u32) -> Delivery {
        let info =
            SubscriptionInfo::new(to.endpoint.as_str(), to.p256dh.as_str(), to.auth.as_str());
        let request = match self.build(&info, message) {
            Ok(request) => request,
            Err(error) => {
                // Keys the encryption cannot use make the subscription useless: treat it as gone.
                tracing::warn!(%error, "push subscription cannot be used");
                return Delivery::Gone;
            }
        };
        let (parts, body) = request.into_parts();
        let mut outgoing = client(self.timeout).post(parts.uri.to_string());
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
                classify(
                    Some(response.status().as_u16()),
                    retry_after.as_deref(),
                    attempt,
                    Utc::now(),
                )
            }
            Err(error) => {
                tracing::info!(%error, "push service did not answer");
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
