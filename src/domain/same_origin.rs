//! Cross-site request forgery (ACC-1, issue 19): the companion app keeps its refresh token in
//! an `HttpOnly`, `SameSite=Strict` cookie, which a browser sends by itself. A request that
//! reads or sets that cookie must come from this site's own pages: this is the one place
//! that decides, from what the browser says about where the request came from.
//!
//! The cookie is also only read from requests with a JSON body, which a plain HTML form
//! cannot send (the HTTP layer's body reader refuses any other content type), so a
//! cross-site form post never reaches this check with the cookie's authority.

use url::Url;

/// What a request says about where it came from, as the headers carry it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestSite<'a> {
    /// The `Origin` header, if sent (browsers send it with every POST).
    pub origin: Option<&'a str>,
    /// The `Sec-Fetch-Site` header, if sent (browsers since 2020-23).
    pub fetch_site: Option<&'a str>,
    /// The host (and port) the request was addressed to: the `Host` header, or the proxy's
    /// forwarded host when the proxy is trusted.
    pub host: Option<&'a str>,
}

/// Why a request may not use the refresh cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossSite {
    /// `Sec-Fetch-Site` says the request did not come from this origin.
    FetchSite,
    /// `Origin` names another origin (or `null`, or is not an origin at all).
    Origin,
}

impl CrossSite {
    pub fn detail(self) -> &'static str {
        match self {
            CrossSite::FetchSite => {
                "the refresh cookie is only accepted from this site's own pages (Sec-Fetch-Site)"
            }
            CrossSite::Origin => {
                "the refresh cookie is only accepted from this site's own pages (Origin)"
            }
        }
    }
}

/// Whether a request may read or set the refresh cookie: refused when `Sec-Fetch-Site` is
/// present and not `same-origin`, or `Origin` is present and not the origin the request was
/// addressed to. A request with neither header is not from a current browser's page (or is a
/// same-origin GET, which never reaches this check) and passes: `SameSite=Strict` and the
/// JSON body already keep other sites' pages out.
///
/// The origin's scheme is not compared with the connection's: behind a proxy that ends TLS,
/// the server sees plain HTTP for an `https://` page. Browsers take the scheme into account
/// in `Sec-Fetch-Site` and `SameSite` themselves.
pub fn check(site: RequestSite) -> Result<(), CrossSite> {
    if site.fetch_site.is_some_and(|value| value != "same-origin") {
        return Err(CrossSite::FetchSite);
    }
    match site.origin {
        None => Ok(()),
        Some(origin) => {
            let from = origin_authority(origin).ok_or(CrossSite::Origin)?;
            let to = site.host.and_then(|host| host_authority(host, &from.0));
            if to == Some(from) {
                Ok(())
            } else {
                Err(CrossSite::Origin)
            }
        }
    }
}

/// Whether the cookie may be marked `Secure`: the connection is HTTPS as far as the server
/// can tell, or the page that sent the request (its checked `Origin`) is served over HTTPS,
/// as it is behind a proxy that ends TLS. Over plain HTTP a browser drops a `Secure` cookie,
/// so it is not marked then (a phone on the office network reaching `http://host:8080/`).
pub fn secure_cookie(https_connection: bool, origin: Option<&str>) -> bool {
    https_connection || origin.is_some_and(|o| o.trim().starts_with("https://"))
}

/// (scheme, host, port) of an origin.
type Authority = (String, String, u16);

/// An origin is `scheme://host[:port]`: a URL with a path, a query or a user is not one.
fn origin_authority(origin: &str) -> Option<Authority> {
    let url = Url::parse(origin.trim()).ok()?;
    let bare = url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !bare || !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some((
        url.scheme().to_string(),
        url.host_str()?.to_string(),
        url.port_or_known_default()?,
    ))
}

/// The `Host` header read as an authority of `scheme`, so `example.org` and `example.org:443`
/// are the same host for `https`.
fn host_authority(host: &str, scheme: &str) -> Option<Authority> {
    let host = host.trim();
    if host.is_empty() || host.contains(['/', '@', '?', '#', '\\']) {
        return None;
    }
    let url = Url::parse(&format!("{scheme}://{host}")).ok()?;
    Some((
        scheme.to_string(),
        url.host_str()?.to_string(),
        url.port_or_known_default()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn site<'a>(
        origin: Option<&'a str>,
        fetch_site: Option<&'a str>,
        host: &'a str,
    ) -> RequestSite<'a> {
        RequestSite {
            origin,
            fetch_site,
            host: Some(host),
        }
    }

    /// ACC-1: the app's own requests pass, however the host is written.
    #[test]
    fn acc1_own_pages_pass() {
        let own = [
            (Some("http://localhost:8080"), "localhost:8080"),
            (
                Some("https://supervision.council.example"),
                "supervision.council.example",
            ),
            (
                Some("https://Supervision.council.example"),
                "supervision.council.example:443",
            ),
            (Some("http://[::1]:8080"), "[::1]:8080"),
            (Some("http://192.168.1.20:8080"), "192.168.1.20:8080"),
            (None, "anything"),
        ];
        for (origin, host) in own {
            assert_eq!(
                check(site(origin, Some("same-origin"), host)),
                Ok(()),
                "{origin:?} {host}"
            );
            assert_eq!(check(site(origin, None, host)), Ok(()), "{origin:?} {host}");
        }
        assert_eq!(check(RequestSite::default()), Ok(()));
    }

    /// ACC-1: other sites, other ports, `null` and things that are not origins are refused.
    #[test]
    fn acc1_other_origins_are_refused() {
        let host = "supervision.council.example";
        for origin in [
            "https://evil.example",
            "https://supervision.council.example.evil.example",
            "https://supervision.council.example:8443",
            "http://supervision.council.example:8080",
            "null",
            "",
            "https://supervision.council.example/path",
            "https://user@supervision.council.example",
            "ftp://supervision.council.example",
            "supervision.council.example",
        ] {
            assert_eq!(
                check(site(Some(origin), Some("same-origin"), host)),
                Err(CrossSite::Origin),
                "{origin}"
            );
        }
        // The host must be known to match an origin.
        let unknown = RequestSite {
            origin: Some("https://supervision.council.example"),
            fetch_site: None,
            host: None,
        };
        assert_eq!(check(unknown), Err(CrossSite::Origin));
        let tricky = site(
            Some("https://evil.example"),
            None,
            "evil.example@supervision.council.example",
        );
        assert_eq!(check(tricky), Err(CrossSite::Origin));
    }

    #[test]
    fn secure_when_the_connection_or_the_page_is_https() {
        assert!(secure_cookie(true, None));
        assert!(secure_cookie(false, Some("https://a.example")));
        assert!(!secure_cookie(false, Some("http://a.example:8080")));
        assert!(!secure_cookie(false, None));
    }

    fn fetch_site() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some("same-origin".to_string())),
            Just(Some("same-site".to_string())),
            Just(Some("cross-site".to_string())),
            Just(Some("none".to_string())),
            "[ -~]{0,20}".prop_map(Some),
        ]
    }

    fn host() -> impl Strategy<Value = String> {
        (
            "[a-z][a-z0-9-]{0,12}(\\.[a-z][a-z0-9-]{0,8}){0,3}",
            proptest::option::of(1u16..),
        )
            .prop_map(|(name, port)| match port {
                Some(port) => format!("{name}:{port}"),
                None => name,
            })
    }

    proptest! {
        /// ACC-1: whatever else the request says, a `Sec-Fetch-Site` other than
        /// `same-origin` is refused.
        #[test]
        fn acc1_any_other_fetch_site_is_refused(
            fetch in fetch_site(),
            host in host(),
            origin in proptest::option::of("[ -~]{0,40}"),
            https in any::<bool>(),
        ) {
            let own = format!("{}://{host}", if https { "https" } else { "http" });
            for origin in [origin.as_deref(), Some(own.as_str()), None] {
                let verdict = check(site(origin, fetch.as_deref(), &host));
                if fetch.as_deref().is_some_and(|f| f != "same-origin") {
                    prop_assert_eq!(verdict, Err(CrossSite::FetchSite));
                }
            }
        }

        /// ACC-1: with a same-origin (or no) `Sec-Fetch-Site`, the request passes exactly
        /// when it has no `Origin` or the origin is the host it was sent to.
        #[test]
        fn acc1_the_origin_must_be_the_host(
            fetch in prop_oneof![Just(None), Just(Some("same-origin"))],
            host in host(),
            other in host(),
            https in any::<bool>(),
        ) {
            let scheme = if https { "https" } else { "http" };
            let own = format!("{scheme}://{host}");
            prop_assert_eq!(check(site(Some(&own), fetch, &host)), Ok(()));
            prop_assert_eq!(check(site(None, fetch, &host)), Ok(()));
            let foreign = format!("{scheme}://{other}");
            let same_authority = host_authority(&host, scheme) == host_authority(&other, scheme);
            prop_assert_eq!(
                check(site(Some(&foreign), fetch, &host)).is_ok(),
                same_authority
            );
        }
    }
}
