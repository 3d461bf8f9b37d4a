//! Filling a template and exporting the PDF.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Datetime, Dict, Str, Value};
use typst::syntax::{DiagSpan, FileId};
use typst_as_lib::TypstEngine;
use typst_as_lib::file_resolver::FileSystemResolver;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::{DocError, Kind, fonts};

/// The shared layout every built-in template imports.
pub const COMMON_TEMPLATE: &str = "common.typ";

const COMMON_SOURCE: &str = include_str!("../templates/common.typ");

/// How many compilations typst's memoisation cache keeps entries for:
/// enough to make the next document of the same kind fast, few enough to
/// bound memory in a long-running server.
const CACHE_MAX_AGE: usize = 10;

/// The template files compiled into the binary, as (file name, source):
/// `common.typ` and `<code>.typ` for every kind.
pub fn builtin_templates() -> impl Iterator<Item = (String, &'static str)> {
    std::iter::once((COMMON_TEMPLATE.to_owned(), COMMON_SOURCE)).chain(
        Kind::ALL
            .into_iter()
            .map(|kind| (kind.template_file(), kind.builtin_template())),
    )
}

/// Writes the built-in templates into `dir` (creating it), leaving files
/// that already exist alone; returns the files written. A starting point for
/// an override folder.
pub fn write_builtin_templates(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, source) in builtin_templates() {
        let path = dir.join(name);
        if !path.exists() {
            std::fs::write(&path, source)?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Where a kind's template comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateOrigin {
    /// Compiled into the binary.
    Builtin,
    /// This file in the override folder.
    Override(PathBuf),
}

/// Renders documents. Loads the fonts once; share one (`Arc`) between
/// requests.
pub struct Renderer {
    engine: TypstEngine,
    override_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("override_dir", &self.override_dir)
            .finish_non_exhaustive()
    }
}

impl Renderer {
    /// A renderer whose templates in `override_dir`, if given, replace the
    /// built-in ones (see the crate documentation), with the fonts from
    /// [`fonts::font_dirs_from_env`].
    pub fn new(override_dir: Option<PathBuf>) -> Result<Self, DocError> {
        Self::with_font_dirs(override_dir, &fonts::font_dirs_from_env())
    }

    /// As [`Renderer::new`], with the fonts from these folders.
    pub fn with_font_dirs(
        override_dir: Option<PathBuf>,
        font_dirs: &[PathBuf],
    ) -> Result<Self, DocError> {
        let fonts = fonts::load(font_dirs)?;
        let mut builder = TypstEngine::builder().fonts(fonts);
        if let Some(dir) = &override_dir {
            // Not `with_file_system_resolver`, which caches file contents:
            // an edited template must show in the next document.
            builder = builder.add_file_resolver(FileSystemResolver::new(dir.clone()));
        }
        let builtin: Vec<(String, &str)> = builtin_templates().collect();
        let engine = builder
            .with_static_source_file_resolver(
                builtin
                    .iter()
                    .map(|(name, source)| (name.as_str(), *source)),
            )
            .build();
        Ok(Renderer {
            engine,
            override_dir,
        })
    }

    /// The override folder, if any.
    pub fn override_dir(&self) -> Option<&Path> {
        self.override_dir.as_deref()
    }

    /// Where the template of `kind` comes from now.
    pub fn template_origin(&self, kind: Kind) -> TemplateOrigin {
        self.origin_of(&kind.template_file())
    }

    fn origin_of(&self, file: &str) -> TemplateOrigin {
        match &self.override_dir {
            Some(dir) if dir.join(file).is_file() => TemplateOrigin::Override(dir.join(file)),
            _ => TemplateOrigin::Builtin,
        }
    }

    /// The PDF of a `kind` document with these fields.
    pub fn render(&self, kind: Kind, data: &serde_json::Value) -> Result<Vec<u8>, DocError> {
        let serde_json::Value::Object(fields) = data else {
            return Err(DocError::NotAnObject {
                kind,
                found: json_type(data),
            });
        };
        let file = kind.template_file();
        let label = match self.origin_of(&file) {
            TemplateOrigin::Builtin => format!("{file} (built-in)"),
            TemplateOrigin::Override(path) => format!("{file} ({})", path.display()),
        };
        // The file system resolver falls back to the built-in file when an
        // override cannot be read; say so instead.
        for name in [file.as_str(), COMMON_TEMPLATE] {
            if let TemplateOrigin::Override(path) = self.origin_of(name) {
                std::fs::read_to_string(&path)
                    .map_err(|source| DocError::TemplateFile { path, source })?;
            }
        }
        let inputs: Dict = fields
            .iter()
            .map(|(key, value)| (Str::from(key.as_str()), to_typst(value)))
            .collect();
        let result = self.compile(&file, &label, inputs, timestamp(data));
        comemo::evict(CACHE_MAX_AGE);
        result
    }

    fn compile(
        &self,
        file: &str,
        label: &str,
        inputs: Dict,
        timestamp: Timestamp,
    ) -> Result<Vec<u8>, DocError> {
        let world = self
            .engine
            .world_builder(file)
            .with_inputs(inputs)
            .build()
            .map_err(|err| DocError::Template {
                template: label.to_owned(),
                diagnostics: err.to_string(),
            })?;
        let warned = typst::compile::<PagedDocument>(&world);
        let document = match warned.output {
            Ok(document) => document,
            Err(diagnostics) => return Err(compile_error(&world, label, &diagnostics)),
        };
        for warning in &warned.warnings {
            if let Some(family) = warning.message.strip_prefix("unknown font family: ") {
                return Err(DocError::TemplateFont {
                    template: label.to_owned(),
                    family: family.to_owned(),
                });
            }
        }
        typst_pdf::pdf(&document, &pdf_options(timestamp)).map_err(|diagnostics| DocError::Pdf {
            template: label.to_owned(),
            message: format_diagnostics(&world, &diagnostics),
        })
    }
}

/// PDF/A-2b: the case file is archived (APL Art. 47), and PDF/A keeps the
/// fonts embedded and the file self-contained. PDF/A needs a creation date:
/// the document's own (unless the template sets one), so the same data give
/// the same bytes.
fn pdf_options(timestamp: Timestamp) -> PdfOptions {
    let standards = PdfStandards::new(&[PdfStandard::A_2b])
        .expect("PDF/A-2b alone is a valid set of standards");
    PdfOptions {
        standards,
        timestamp: Some(timestamp),
        ..PdfOptions::default()
    }
}

/// China Standard Time, UTC+8, in minutes.
const CST_OFFSET_MINUTES: i32 = 8 * 60;

/// Midnight (China time) of the `date` field when it starts `YYYY-MM-DD`,
/// else of today.
fn timestamp(data: &serde_json::Value) -> Timestamp {
    let given = data
        .get("date")
        .and_then(serde_json::Value::as_str)
        .and_then(|date| date.get(..10))
        .and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok());
    let date = given.unwrap_or_else(|| {
        let cst = FixedOffset::east_opt(CST_OFFSET_MINUTES * 60).expect("UTC+8 is valid");
        Utc::now().with_timezone(&cst).date_naive()
    });
    let datetime = u8::try_from(date.month())
        .ok()
        .zip(u8::try_from(date.day()).ok())
        .and_then(|(month, day)| Datetime::from_ymd_hms(date.year(), month, day, 0, 0, 0));
    datetime
        .and_then(|datetime| Timestamp::new_local(datetime, CST_OFFSET_MINUTES))
        .unwrap_or_else(|| {
            Timestamp::new_utc(Datetime::from_ymd_hms(2000, 1, 1, 0, 0, 0).expect("a valid date"))
        })
}

fn compile_error(world: &dyn World, label: &str, diagnostics: &[SourceDiagnostic]) -> DocError {
    let first_error = diagnostics
        .iter()
        .find(|diagnostic| diagnostic.severity == Severity::Error);
    if let Some(error) = first_error
        && let Some(field) = missing_key(&error.message)
    {
        return DocError::MissingField {
            template: label.to_owned(),
            field,
            location: location(world, error.span).unwrap_or_else(|| "unknown place".into()),
        };
    }
    DocError::Template {
        template: label.to_owned(),
        diagnostics: format_diagnostics(world, diagnostics),
    }
}

/// The key in typst's "dictionary does not contain key "x" …" message.
fn missing_key(message: &str) -> Option<String> {
    let rest = message.strip_prefix("dictionary does not contain key \"")?;
    let end = rest.find('"')?;
    Some(rest[..end].to_owned())
}

/// Each error as `file:line:column: message`, the source line, hints and the
/// call trace.
fn format_diagnostics(world: &dyn World, diagnostics: &[SourceDiagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
    {
        let place = location(world, diagnostic.span).unwrap_or_else(|| "(no place)".into());
        let _ = writeln!(out, "{place}: error: {}", diagnostic.message);
        if let Some(line) = source_line(world, diagnostic.span) {
            let _ = writeln!(out, "    | {line}");
        }
        for hint in &diagnostic.hints {
            let _ = writeln!(out, "    hint: {}", hint.v);
        }
        for point in &diagnostic.trace {
            let place = location(world, point.span).unwrap_or_default();
            let _ = writeln!(out, "    {} at {place}", point.v);
        }
    }
    out.trim_end().to_owned()
}

/// `file:line:column` (1-based) of a span.
fn location(world: &dyn World, span: impl Into<DiagSpan>) -> Option<String> {
    let span = span.into();
    let id = span.id()?;
    let range = world.range(span)?;
    let source = world.source(id).ok()?;
    let (line, column) = source.lines().byte_to_line_column(range.start)?;
    Some(format!("{}:{}:{}", file_name(id), line + 1, column + 1))
}

fn source_line(world: &dyn World, span: DiagSpan) -> Option<String> {
    let id = span.id()?;
    let range = world.range(span)?;
    let source = world.source(id).ok()?;
    let line = source.lines().byte_to_line(range.start)?;
    let text = source.lines().line_to_range(line)?;
    Some(source.text()[text].trim_end().to_owned())
}

fn file_name(id: FileId) -> String {
    id.vpath().get_without_slash().to_owned()
}

fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// JSON to typst: null is `none`, integers that fit are `int`, other numbers
/// `float`, objects dictionaries (in their order).
fn to_typst(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s.as_str().into()),
        serde_json::Value::Array(items) => Value::Array(items.iter().map(to_typst).collect()),
        serde_json::Value::Object(fields) => Value::Dict(
            fields
                .iter()
                .map(|(key, value)| (Str::from(key.as_str()), to_typst(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_key_is_read_from_typst_message() {
        assert_eq!(
            missing_key(
                "dictionary does not contain key \"facts\" and no default value was specified"
            ),
            Some("facts".into())
        );
        assert_eq!(missing_key("unexpected end of block"), None);
    }

    #[test]
    fn renderer_is_shareable() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Renderer>();
    }
}
