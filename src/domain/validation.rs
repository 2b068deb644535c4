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

/// Free text of many lines: newlines and tabs allowed, other control characters not.
pub fn long_text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        return Err(Invalid::field(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Invalid::field(field, "must not contain control characters"));
    }
    Ok(trimmed.to_string())
}

/// The characters `str::trim` removes that are not control characters (Unicode White_Space
/// less Cc), written for the ECMA-262, Python and Rust regex dialects alike.
macro_rules! spaces {
    () => {
        r" \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// What [`bounded_text`] takes as it is: no control character and nothing to trim, so no
/// blank-only text either. The OpenAPI document gives it to every one-line field (format
/// `one-line`) so that a client can tell before sending.
pub const ONE_LINE_PATTERN: &str = concat!(
    r"^(?:[^\x00-\x1F\x7F-\x9F",
    spaces!(),
    r"](?:[^\x00-\x1F\x7F-\x9F]*[^\x00-\x1F\x7F-\x9F",
    spaces!(),
    r"])?)?$"
);

/// What [`long_text`] takes as it is: newlines and tabs inside, no other control character
/// and nothing to trim. The OpenAPI document gives it to every multi-line field (format
/// `multi-line`).
pub const MULTI_LINE_PATTERN: &str = concat!(
    r"^(?:[^\x00-\x1F\x7F-\x9F",
    spaces!(),
    r"](?:[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\x00-\x1F\x7F-\x9F",
    spaces!(),
    r"])?)?$"
);

/// The schema of a map from keys to multi-line texts of at most `max` characters each, for
/// fields whose keys come from a template or a model.
pub fn text_values(max: usize, description: &str) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .property_names(Some(ObjectBuilder::new().schema_type(Type::String)))
        .additional_properties(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::Custom("multi-line".into())))
                .max_length(Some(max)),
        ))
        .build()
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

    /// Strings built from the characters the rules turn on, and any other.
    fn texts() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let edge = prop::sample::select(vec![
            'a', 'é', ' ', '\t', '\n', '\r', '\u{0}', '\u{7}', '\u{b}', '\u{1f}', '\u{7f}',
            '\u{85}', '\u{9f}', '\u{a0}', '\u{1680}', '\u{2003}', '\u{200b}', '\u{2028}',
            '\u{202f}', '\u{3000}', '\u{feff}',
        ]);
        prop::collection::vec(prop_oneof![3 => edge, 1 => any::<char>()], 0..8)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest::proptest! {
        /// API-5: the document's one-line pattern admits exactly the text `bounded_text`
        /// keeps as sent, so a client that follows the schema is never refused for it.
        #[test]
        fn one_line_pattern_is_what_bounded_text_keeps(text in texts()) {
            let pattern = regex::Regex::new(ONE_LINE_PATTERN).unwrap();
            let kept = bounded_text("f", &text, 0, usize::MAX).is_ok_and(|t| t == text);
            proptest::prop_assert_eq!(pattern.is_match(&text), kept, "{:?}", text);
        }

        /// API-5: the same for multi-line text and `long_text`.
        #[test]
        fn multi_line_pattern_is_what_long_text_keeps(text in texts()) {
            let pattern = regex::Regex::new(MULTI_LINE_PATTERN).unwrap();
            let kept = long_text("f", &text, usize::MAX).is_ok_and(|t| t == text);
            proptest::prop_assert_eq!(pattern.is_match(&text), kept, "{:?}", text);
        }
    }

    #[test]
    fn patterns_refuse_blank_and_padded_text() {
        for pattern in [ONE_LINE_PATTERN, MULTI_LINE_PATTERN] {
            let pattern = regex::Regex::new(pattern).unwrap();
            for refused in [" ", "\u{a0}", " a", "a\n", "\ta", "a\u{7}b"] {
                assert!(!pattern.is_match(refused), "{refused:?}");
            }
            assert!(pattern.is_match("Room 2, Civic Centre"));
        }
        assert!(!regex::Regex::new(ONE_LINE_PATTERN)
            .unwrap()
            .is_match("a\nb"));
        assert!(regex::Regex::new(MULTI_LINE_PATTERN)
            .unwrap()
            .is_match("a\n\tb"));
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
