//! Reading a JSON request body into a type, with an error that names the
//! field that failed (`body.syntax` for malformed JSON, with line and
//! column; `body.invalid_field` with the field's path otherwise).

use serde::de::DeserializeOwned;

use crate::Error;

/// Parse JSON, naming the field that failed.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            Error::invalid(
                "body.syntax",
                "body",
                format!(
                    "JSON 格式错误（第 {} 行第 {} 列）",
                    inner.line(),
                    inner.column()
                ),
                format!(
                    "malformed JSON at line {} column {}",
                    inner.line(),
                    inner.column()
                ),
            )
        } else {
            let field = if path == "." {
                "body".to_string()
            } else {
                path
            };
            let msg = inner.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            Error::invalid(
                "body.invalid_field",
                field.clone(),
                format!("字段 {field} 无效：{msg}"),
                format!("field {field} is invalid: {msg}"),
            )
        }
    })
}

/// A text field that must not be blank (`body.required`).
pub fn required(field: &'static str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(
            "body.required",
            field,
            format!("{field} 不能为空"),
            format!("{field} is required"),
        ));
    }
    Ok(())
}

/// A text field of at most `max` characters (`body.too_long`).
pub fn at_most(field: &'static str, max: usize, value: &str) -> Result<(), Error> {
    if value.chars().count() > max {
        return Err(Error::invalid(
            "body.too_long",
            field,
            format!("{field} 不能超过 {max} 字"),
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(())
}
