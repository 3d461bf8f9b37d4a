//! `yiwang archive verify FILE [--key-file audit.key]`: checks a case
//! archive (卷宗, `GET /api/v1/cases/{id}/archive`) without the database —
//! every file the manifest lists is present with its size and SHA-256,
//! nothing unlisted was added, and with the audit key the manifest's HMAC
//! holds. One line per problem; the exit status is non-zero if there is any.

use std::path::Path;

use anyhow::{Context, Result, bail};
use server::routes::case_documents::archive;

/// The audit key from a key file: hexadecimal, as `audit.key` in the data
/// folder holds it.
pub fn read_key(path: &Path) -> Result<Vec<u8>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    let key = hex::decode(text.trim())
        .map_err(|_| anyhow::anyhow!("{} is not a hexadecimal key", path.display()))?;
    if key.is_empty() {
        bail!("{} holds no key", path.display());
    }
    Ok(key)
}

pub fn verify(file: &Path, key_file: Option<&Path>) -> Result<()> {
    let key = key_file.map(read_key).transpose()?;
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let v = archive::verify(std::io::BufReader::new(f), key.as_deref());
    for p in &v.problems {
        println!("{p}");
    }
    if !v.is_ok() {
        bail!(
            "{}: {} problem(s); {} of {} listed files intact",
            file.display(),
            v.problems.len(),
            v.intact,
            v.listed
        );
    }
    println!(
        "{}: archive intact — case {}, {} files verified (size and SHA-256), manifest HMAC {}",
        file.display(),
        v.case_id.as_deref().unwrap_or("?"),
        v.intact,
        if v.hmac_checked {
            "valid"
        } else {
            "not checked (no --key-file)"
        }
    );
    Ok(())
}
