//! The companion app's refresh token in a cookie (ACC-1, issue 19): `HttpOnly`, so no page
//! script (nor anything injected into one) can read it; `SameSite=Strict` and scoped to
//! `/api/v1/auth`, so the browser sends it only to the sign-in endpoints and only from this
//! site; `Secure` when the page is HTTPS. Requests that read or set it must come from this
//! site's own pages (`domain::same_origin`). API clients that ask for nothing keep the token
//! in the JSON body, as before.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::problem::ApiResult;
use super::views::auth::{RefreshTokenDelivery, TokenResponse};
use super::AppState;
use crate::app::auth::{self, Tokens};
use crate::domain::same_origin::{self, RequestSite};

pub const NAME: &str = "supervision_refresh";
/// Every sign-in endpoint, and nothing else, sees the cookie.
const PATH: &str = "/api/v1/auth";

/// A refresh token a request presents, and where it came from.
pub struct Presented {
    pub token: String,
    pub delivery: RefreshTokenDelivery,
}

fn text(req: &HttpRequest, name: impl header::AsHeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn trust_forwarded(req: &HttpRequest) -> bool {
    req.app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.trust_forwarded_for)
}

/// The cookie's value, if the request carries it.
fn cookie(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NAME)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// 403 `cross-site-request` unless the request comes from this site's own pages. The host
/// it was addressed to is the `Host` header, or the proxy's forwarded host when the proxy is
/// trusted (`trust_forwarded_for`).
fn from_this_site(req: &HttpRequest) -> ApiResult<()> {
    let host = if trust_forwarded(req) {
        Some(req.connection_info().host().to_string())
    } else {
        text(req, header::HOST)
            .map(str::to_string)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
    };
    Ok(auth::from_this_site(RequestSite {
        origin: text(req, header::ORIGIN),
        fetch_site: text(req, "sec-fetch-site"),
        host: host.as_deref(),
    })?)
}

/// Checks a request that asks for the refresh token in the cookie.
pub fn allow(req: &HttpRequest, delivery: RefreshTokenDelivery) -> ApiResult<()> {
    match delivery {
        RefreshTokenDelivery::Cookie => from_this_site(req),
        RefreshTokenDelivery::Body => Ok(()),
    }
}

/// The body's refresh token, or else the cookie's (from this site's own pages only); `None`
/// when there is neither.
pub fn presented(req: &HttpRequest, in_body: Option<String>) -> ApiResult<Option<Presented>> {
    if let Some(token) = in_body {
        return Ok(Some(Presented {
            token,
            delivery: RefreshTokenDelivery::Body,
        }));
    }
    let Some(token) = cookie(req) else {
        return Ok(None);
    };
    from_this_site(req)?;
    Ok(Some(Presented {
        token,
        delivery: RefreshTokenDelivery::Cookie,
    }))
}

/// `Secure` when the connection is HTTPS as far as the server can tell (the proxy's word
/// counts only when it is trusted), or the page is.
fn secure(req: &HttpRequest) -> bool {
    let https = if trust_forwarded(req) {
        req.connection_info().scheme() == "https"
    } else {
        req.app_config().secure()
    };
    same_origin::secure_cookie(https, text(req, header::ORIGIN))
}

fn set_cookie(req: &HttpRequest, value: &str, max_age: i64) -> (header::HeaderName, String) {
    let secure = if secure(req) { "; Secure" } else { "" };
    (
        header::SET_COOKIE,
        format!(
            "{NAME}={value}; Path={PATH}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
        ),
    )
}

/// 200 with new tokens: all in the body, or the refresh token in the cookie only.
pub fn tokens(req: &HttpRequest, tokens: Tokens, delivery: RefreshTokenDelivery) -> HttpResponse {
    let mut body = TokenResponse::from(tokens);
    let mut response = HttpResponse::Ok();
    if delivery == RefreshTokenDelivery::Cookie {
        if let Some(token) = body.refresh_token.take() {
            response.insert_header(set_cookie(req, &token, body.refresh_expires_in));
        }
    }
    response.json(body)
}

/// 204, clearing the cookie when the request carried it.
pub fn signed_out(req: &HttpRequest) -> HttpResponse {
    let mut response = HttpResponse::NoContent();
    if cookie(req).is_some() {
        response.insert_header(set_cookie(req, "", 0));
    }
    response.finish()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_cookie_is_found_among_others() {
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "a=1; supervision_refresh=tok; b=2"))
            .to_http_request();
        assert_eq!(cookie(&req).as_deref(), Some("tok"));
        let req = TestRequest::default()
            .insert_header((
                header::COOKIE,
                "supervision_refresh=; x=supervision_refresh",
            ))
            .to_http_request();
        assert_eq!(cookie(&req), None);
    }
}
