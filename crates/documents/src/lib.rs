//! Enforcement documents as PDF: the twelve documents of a penalty case
//! (立案审批表 … 行政处罚决定书 … 涉嫌犯罪案件移送书), set in Chinese with the
//! CJK fonts embedded.
//!
//! A document is a [`Kind`] and a JSON object of fields; [`Renderer::render`]
//! fills the kind's typst template with them and returns the PDF bytes. This
//! crate knows nothing of cases or the database: the caller gathers the
//! fields (and decides, for instance, whether an ID number is masked).
//!
//! # Templates
//!
//! Each kind has a template `templates/<code>.typ` (the code is
//! [`Kind::code`]); all of them import `templates/common.typ`, which holds the
//! page layout (A4, official-document margins), the fonts, the header (agency,
//! title, document number) and the signature/seal block. The templates are
//! compiled into the binary, and **a folder given to [`Renderer::new`]
//! overrides them**: if `<folder>/<code>.typ` (or `<folder>/common.typ`)
//! exists, it is used instead of the built-in file, read afresh at every
//! render, so staff can edit a document's wording and layout without a new
//! release or a restart. [`write_builtin_templates`] copies the built-in files
//! into such a folder as a starting point. The fields each template reads
//! are listed at its top and in this crate's README.
//!
//! The fields reach a template as `sys.inputs` (a typst dictionary built
//! from the JSON object): `#let d = sys.inputs` then `d.party.name`. A field
//! the template reads but the data lacks is a [`DocError::MissingField`]
//! naming the template, the field and the line.
//!
//! # Fonts
//!
//! See [`fonts`]: the CJK fonts are read from font folders at start-up
//! (`YIWANG_FONT_DIR`, else Debian's `fonts-noto-cjk` folder), and typst
//! embeds the subset each PDF uses. A [`Renderer`] holds them (some 90 MB
//! with all four Noto CJK files): make one and share it (it is `Send + Sync`).
//!
//! # Why typst through typst-as-lib
//!
//! typst typesets CJK properly (line breaking, punctuation compression) and
//! its templates are plain text that non-programmers can edit; typst-as-lib
//! is the small `World` around it. Its `packages`, `ureq` and `reqwest`
//! features stay off: a template can read only the template files, never
//! the network. The cold build is long (~10 minutes on 2 cores), which is why
//! this is a crate of its own that the others do not need to rebuild.

pub mod fonts;
mod kind;
mod render;

use std::path::PathBuf;

pub use kind::{Kind, UnknownKind};
pub use render::{
    COMMON_TEMPLATE, Renderer, TemplateOrigin, builtin_templates, write_builtin_templates,
};

/// What went wrong making a document.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// The fields must be a JSON object.
    #[error("the fields of {kind} must be a JSON object, not {found}")]
    NotAnObject {
        /// The document asked for.
        kind: Kind,
        /// What was given instead (`array`, `string`, …).
        found: &'static str,
    },
    /// The template reads a field the data does not have.
    #[error("template {template}: the data has no field {field:?} (read at {location})")]
    MissingField {
        /// The template, with where it came from.
        template: String,
        /// The missing key.
        field: String,
        /// `file:line:column` of the read.
        location: String,
    },
    /// The template does not compile; `diagnostics` is typst's, with file,
    /// line, column and the source line.
    #[error("template {template} failed:\n{diagnostics}")]
    Template {
        /// The template, with where it came from.
        template: String,
        /// Every error, one after the other.
        diagnostics: String,
    },
    /// An override template exists but cannot be read as UTF-8 text.
    #[error("cannot read template {}: {source}", path.display())]
    TemplateFile {
        /// The override file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A font family the documents need is in none of the font folders.
    #[error(
        "font {family:?} not found in {searched:?}: install Debian's fonts-noto-cjk, or put the font in a folder named by {}",
        fonts::FONT_DIR_ENV
    )]
    MissingFont {
        /// The family.
        family: String,
        /// The folders searched.
        searched: Vec<PathBuf>,
    },
    /// A template asks for a font family that was not loaded.
    #[error(
        "template {template} uses font {family:?}, which is not in the font folders (see {})",
        fonts::FONT_DIR_ENV
    )]
    TemplateFont {
        /// The template, with where it came from.
        template: String,
        /// The family it named.
        family: String,
    },
    /// A font file or folder cannot be read.
    #[error("cannot read font file {}: {source}", path.display())]
    FontFile {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// typst compiled the template but the PDF export failed.
    #[error("template {template}: PDF export failed: {message}")]
    Pdf {
        /// The template, with where it came from.
        template: String,
        /// typst's message.
        message: String,
    },
}
