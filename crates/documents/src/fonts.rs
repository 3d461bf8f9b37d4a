//! The fonts the documents are set in.
//!
//! The CJK fonts are read at start-up from font folders rather than compiled
//! into the binary: Noto Serif/Sans CJK are ~20 MB collections each, and a
//! subset compiled in would lose the rare characters (生僻字) that parties'
//! names and addresses contain. Debian's `fonts-noto-cjk` (SIL OFL) puts
//! them in [`DEFAULT_FONT_DIR`]; [`FONT_DIR_ENV`] names other folders.
//! Every `.ttf`/`.otf`/`.ttc`/`.otc` file in the folders (not their
//! sub-folders) is loaded, so a template may use any font put there; the
//! built-in templates need the families in [`REQUIRED_FAMILIES`]. typst
//! embeds only the glyphs used (a subset) into each PDF.

use std::path::{Path, PathBuf};

use typst::foundations::Bytes;
use typst::text::Font;

use crate::DocError;

/// The environment variable naming the font folders (separated like `PATH`).
pub const FONT_DIR_ENV: &str = "YIWANG_FONT_DIR";

/// Where Debian's `fonts-noto-cjk` installs Noto Serif/Sans CJK.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";

/// The families the built-in templates are set in: the serif (宋体/仿宋-like)
/// for the body and titles, the sans (黑体-like) for headings.
pub const REQUIRED_FAMILIES: [&str; 2] = ["Noto Serif CJK SC", "Noto Sans CJK SC"];

/// The font folders: those in [`FONT_DIR_ENV`] if it is set and not empty,
/// else [`DEFAULT_FONT_DIR`].
pub fn font_dirs_from_env() -> Vec<PathBuf> {
    match std::env::var_os(FONT_DIR_ENV) {
        Some(value) if !value.is_empty() => std::env::split_paths(&value).collect(),
        _ => vec![PathBuf::from(DEFAULT_FONT_DIR)],
    }
}

/// Loads every font file in `dirs` and checks that the required families
/// are among them.
pub(crate) fn load(dirs: &[PathBuf]) -> Result<Vec<Font>, DocError> {
    let mut fonts = Vec::new();
    for dir in dirs {
        for path in font_files(dir)? {
            let data = std::fs::read(&path).map_err(|source| DocError::FontFile {
                path: path.clone(),
                source,
            })?;
            fonts.extend(Font::iter(Bytes::new(data)));
        }
    }
    for family in REQUIRED_FAMILIES {
        let found = fonts
            .iter()
            .any(|font| font.info().family.eq_ignore_ascii_case(family));
        if !found {
            return Err(DocError::MissingFont {
                family: family.to_owned(),
                searched: dirs.to_vec(),
            });
        }
    }
    Ok(fonts)
}

/// The font files directly in `dir`, sorted by name; none if `dir` does not
/// exist (the missing family is reported afterwards, naming the folders).
fn font_files(dir: &Path) -> Result<Vec<PathBuf>, DocError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(DocError::FontFile {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| DocError::FontFile {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let is_font = path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| {
                ["ttf", "otf", "ttc", "otc"]
                    .iter()
                    .any(|known| ext.eq_ignore_ascii_case(known))
            });
        if is_font && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
