//! The HTTP layer's one error type, and the one place errors become RFC 9457 problem details
//! (API-1). Internal causes are logged with the request id, never sent to the client.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::error::{Kind, Refusal};
use crate::app::{AppError, Code};
use crate::domain::validation::{broken_rule, Invalid};
use crate::store::StoreError;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "The request has invalid fields",
    "status": 422,
    "detail": "email: must be an e-mail address",
    "errors": [{"field": "email", "message": "must be an e-mail address"}]
}))]
pub struct Problem {
    /// Stable identifier of the kind of problem; clients switch on this.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Each field that failed validation, by its JSON path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// Why a request was refused (with 403 and 409): stable; clients switch on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// With 412: the resource as it is now, so the client can merge and retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body or query is well-formed but its values are not acceptable.
    #[error("{0}")]
    Validation(Invalid),
    /// The request could not be read: malformed JSON, a wrong type, an unknown field.
    #[error("{detail}")]
    BadRequest {
        detail: String,
        field: Option<String>,
    },
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// ACC-2: a manager above, an auditor or an administrator reads a record only through an
    /// access request that states a reason.
    #[error("reading this record needs an access request with a reason (POST .../access)")]
    ReasonRequired,
    #[error("the password must be changed before anything else")]
    PasswordChangeRequired,
    #[error("not found")]
    NotFound,
    /// The path exists but not with this method; `allow` lists the methods it has.
    #[error("this path does not support the method; it allows {allow}")]
    MethodNotAllowed { allow: String },
    #[error("{0}")]
    Conflict(String),
    /// The application layer refused, with a stable code.
    #[error("{}", .0.detail)]
    Refused(Refusal),
    #[error("the resource has changed since it was read")]
    PreconditionFailed { current: Option<serde_json::Value> },
    #[error("this change needs an If-Match header with the resource's ETag")]
    PreconditionRequired,
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request body must be application/json")]
    UnsupportedMediaType,
    #[error("too many attempts; try again in {retry_after_seconds} seconds")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyInProgress,
    #[error("the service is temporarily unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad_field(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            detail: detail.into(),
            field: Some(field.into()),
        }
    }

    /// A field whose value could not be read into its type: 422 when the type refused a value
    /// that breaks a rule (`validation::rule_broken`, e.g. a year outside 1900 to 2100), 400
    /// when the value is not of the type at all.
    pub fn unreadable_field(field: impl Into<String>, detail: &str) -> ApiError {
        match broken_rule(detail) {
            Some(message) => Invalid::field(field, message).into(),
            None => ApiError::bad_field(field, detail),
        }
    }

    /// Stable problem type, HTTP status and title for each kind.
    fn describe(&self) -> (&'static str, StatusCode, &'static str) {
        use ApiError::*;
        match self {
            Validation(_) => (
                "validation-failed",
                StatusCode::UNPROCESSABLE_ENTITY,
                "The request has invalid fields",
            ),
            BadRequest { .. } => (
                "malformed-request",
                StatusCode::BAD_REQUEST,
                "The request could not be read",
            ),
            Unauthenticated(_) => (
                "unauthenticated",
                StatusCode::UNAUTHORIZED,
                "Sign-in required",
            ),
            Forbidden(_) => ("forbidden", StatusCode::FORBIDDEN, "Not allowed"),
            ReasonRequired => (
                "access-reason-required",
                StatusCode::FORBIDDEN,
                "A reason is required to read this record",
            ),
            PasswordChangeRequired => (
                "password-change-required",
                StatusCode::FORBIDDEN,
                "Password change required",
            ),
            NotFound => ("not-found", StatusCode::NOT_FOUND, "Not found"),
            MethodNotAllowed { .. } => (
                "method-not-allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
            ),
            Conflict(_) => ("conflict", StatusCode::CONFLICT, "Conflict"),
            Refused(refusal) => match refusal.code.kind() {
                Kind::Forbidden => ("forbidden", StatusCode::FORBIDDEN, "Not allowed"),
                Kind::Conflict => ("conflict", StatusCode::CONFLICT, "Conflict"),
                Kind::ReasonRequired => (
                    "access-reason-required",
                    StatusCode::FORBIDDEN,
                    "A reason is required to read this record",
                ),
                Kind::ModuleOff => (
                    "module-off",
                    StatusCode::CONFLICT,
                    "This module is turned off",
                ),
                Kind::SubscriptionTaken => (
                    "subscription-taken",
                    StatusCode::CONFLICT,
                    "Push subscription registered by someone else",
                ),
            },
            PreconditionFailed { .. } => (
                "stale-version",
                StatusCode::PRECONDITION_FAILED,
                "The resource has changed",
            ),
            PreconditionRequired => (
                "if-match-required",
                StatusCode::PRECONDITION_REQUIRED,
                "If-Match required",
            ),
            PayloadTooLarge { .. } => (
                "payload-too-large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body too large",
            ),
            UnsupportedMediaType => (
                "unsupported-media-type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
            ),
            TooManyRequests { .. } => (
                "rate-limited",
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
            ),
            IdempotencyKeyReused => (
                "idempotency-key-reused",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Idempotency-Key reused",
            ),
            IdempotencyInProgress => (
                "idempotency-in-progress",
                StatusCode::CONFLICT,
                "Request in progress",
            ),
            Unavailable => (
                "unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
            ),
            Internal(_) => (
                "internal",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, status, title) = self.describe();
        let errors = match self {
            ApiError::Validation(invalid) => invalid
                .0
                .iter()
                .map(|e| ProblemField {
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            ApiError::BadRequest {
                detail,
                field: Some(field),
            } => vec![ProblemField {
                field: field.clone(),
                message: detail.clone(),
            }],
            _ => Vec::new(),
        };
        // Internal causes stay in the log.
        let detail = match self {
            ApiError::Internal(_) => None,
            other => Some(other.to_string()),
        };
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors,
            code: match self {
                ApiError::Refused(refusal) => Some(refusal.code),
                _ => None,
            },
            current: match self {
                ApiError::PreconditionFailed { current } => current.clone(),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.describe().1
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            ApiError::Unavailable => tracing::warn!("database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            ApiError::Unauthenticated(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::TooManyRequests {
                retry_after_seconds,
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
            }
            ApiError::Unavailable => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            _ => {}
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        response.body(body)
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> ApiError {
        ApiError::Validation(invalid)
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(what) => ApiError::Conflict(what),
            StoreError::VersionMismatch { .. } => ApiError::PreconditionFailed { current: None },
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Unavailable
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> ApiError {
        match err {
            AppError::Invalid(invalid) => ApiError::Validation(invalid),
            AppError::NotFound => ApiError::NotFound,
            AppError::Refused(refusal) => ApiError::Refused(refusal),
            AppError::Stale { current } => ApiError::PreconditionFailed { current },
            AppError::Store(store) => store.into(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Settles a write that may refuse for a domain reason (the inner error) or because the row
/// changed since the client read it (412, SES-5).
pub fn settle<T>(outcome: Result<ApiResult<T>, StoreError>) -> ApiResult<T> {
    match outcome {
        Ok(result) => result,
        Err(StoreError::VersionMismatch { .. }) => {
            Err(ApiError::PreconditionFailed { current: None })
        }
        Err(other) => Err(other.into()),
    }
}
