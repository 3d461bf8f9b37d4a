//! One error type for the whole domain.
//!
//! Every error carries a stable machine `code` (for example
//! `config.unknown_key`), the offending field where there is one, and a
//! Chinese and an English message. The HTTP layer maps [`ErrorKind`] to a
//! status and chooses the language; nothing below it knows about HTTP.

use std::fmt;

/// The broad class of an error, which the edge maps to a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is malformed or breaks a rule (400/422).
    Invalid,
    /// The caller is not authenticated (401).
    Unauthenticated,
    /// The caller may not do this (403).
    Forbidden,
    /// No such object, or not visible to the caller (404).
    NotFound,
    /// The request conflicts with the current state (409).
    Conflict,
    /// The request body is too large (413).
    TooLarge,
    /// Too many attempts (429).
    RateLimited,
    /// A dependency such as the database is down (503).
    Unavailable,
    /// A bug or an unexpected failure; details are logged, never shown (500).
    Internal,
}

/// A domain error with a stable code and a message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub field: Option<String>,
    pub zh: String,
    pub en: String,
}

impl Error {
    pub fn new(
        kind: ErrorKind,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            code,
            field: None,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// Invalid input in a named field.
    pub fn invalid(
        code: &'static str,
        field: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self::new(ErrorKind::Invalid, code, zh, en).with_field(field)
    }

    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        Self::new(
            ErrorKind::NotFound,
            "not_found",
            format!("{what_zh}不存在或无权查看"),
            format!("{what_en} not found or not visible to you"),
        )
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "internal",
            "服务器内部错误，已记录，请稍后重试",
            "Internal server error; it has been logged, please try again later",
        )
    }

    pub fn unavailable(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, "unavailable", zh, en)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The message in the requested language.
    pub fn message(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::Zh => &self.zh,
            crate::Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.en)?;
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn message_follows_language_and_display_names_the_field() {
        let e = Error::invalid(
            "report.lon",
            "lon",
            "经度超出范围",
            "longitude out of range",
        );
        assert_eq!(e.message(Lang::Zh), "经度超出范围");
        assert_eq!(e.message(Lang::En), "longitude out of range");
        assert_eq!(
            e.to_string(),
            "report.lon: longitude out of range (field `lon`)"
        );
    }
}
