//! Field-level validation failures, collected so a client sees every problem at once.

use std::fmt;

/// One field that failed validation, named by its JSON path (`email`, `items[2].date`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// One or more field errors: the domain's error type for bad input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records the error of `result`, if any, and passes its value on.
    pub fn check<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(Invalid(errors)) => {
                self.0.extend(errors);
                None
            }
        }
    }

    /// `Ok(value)` when nothing was recorded.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Invalid> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

/// Starts the message of a deserialisation error that is a value breaking a rule (a date
/// outside the years accepted) rather than a document that cannot be read. serde carries
/// only text through its errors, and none of serde's own messages starts like this.
const RULE_BROKEN: &str = "breaks a rule: ";

/// A deserialisation error for a value read fine but not acceptable: the HTTP layer answers
/// it with 422 naming the field, like any other [`Invalid`].
pub fn rule_broken<E: serde::de::Error>(message: impl fmt::Display) -> E {
    E::custom(format_args!("{RULE_BROKEN}{message}"))
}

/// The message of a deserialisation error made by [`rule_broken`], if it is one.
pub fn broken_rule(error: &str) -> Option<&str> {
    error.strip_prefix(RULE_BROKEN)
}

/// Trims `value` and checks its length in characters (API-5: inputs are bounded).
pub fn bounded_text(field: &str, value: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(Invalid::field(
            field,
            if min == 1 {
                "must not be empty".to_string()
            } else {
                format!("must be at least {min} characters")
            },
        ));
    }
    if len > max {
        return Err(Invalid::field(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Invalid::field(field, "must not contain control characters"));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_trims_and_limits() {
        assert_eq!(bounded_text("name", "  Ann  ", 1, 5).unwrap(), "Ann");
        assert_eq!(
            bounded_text("name", "   ", 1, 5).unwrap_err().0[0].field,
            "name"
        );
        assert!(bounded_text("name", "abcdef", 1, 5).is_err());
        assert!(bounded_text("name", "a\u{7}b", 1, 5).is_err());
        // Length is counted in characters, not bytes.
        assert!(bounded_text("name", "ééééé", 1, 5).is_ok());
    }

    #[test]
    fn invalid_collects_every_field() {
        let mut invalid = Invalid::default();
        assert_eq!(invalid.check(Ok::<_, Invalid>(1)), Some(1));
        assert_eq!(invalid.check(bounded_text("a", "", 1, 3)), None);
        assert_eq!(invalid.check(bounded_text("b", "long", 1, 3)), None);
        let err = invalid.into_result(|| ()).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b"]);
    }
}
