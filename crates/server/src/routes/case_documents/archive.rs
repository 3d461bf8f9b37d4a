//! The case archive (卷宗, APL Art. 47): one ZIP file with every document
//! and evidence file of a case and a `manifest.json` naming each file's
//! path, SHA-256 and size (as recorded when the file was made or uploaded),
//! the case, when the archive was made, and an HMAC-SHA256 of the manifest
//! keyed with the audit key.
//!
//! [`verify`] checks an archive without the database: every listed file is
//! present with its size and digest, nothing unlisted was added, and — with
//! the key — the manifest itself is unaltered. `yiwang archive verify`
//! prints its problems.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{Read, Seek, Write};
use std::path::PathBuf;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The manifest's name in the archive.
pub const MANIFEST: &str = "manifest.json";
/// The manifest's `format`.
pub const FORMAT: &str = "yiwang-case-archive/1";

/// A file to put in the archive.
pub struct Entry {
    /// Its path in the archive (`documents/…`, `evidence/…`).
    pub path: String,
    /// Where the bytes are.
    pub source: PathBuf,
    /// The digest and size recorded when it was made or uploaded.
    pub sha256: String,
    pub size: u64,
    /// What the manifest says about it besides path, digest and size.
    pub about: serde_json::Map<String, Value>,
    /// Deflate it (PDFs); media files are stored as they are.
    pub compress: bool,
}

/// The manifest as JSON text with its keys sorted at every level: what the
/// HMAC is computed over (without the `hmac` key), whatever order a reader
/// keeps keys in.
pub fn canonical(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                out.push('{');
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    write(&map[k], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
}

/// HMAC-SHA256 (hex) of the manifest without its `hmac` key.
pub fn manifest_hmac(manifest: &Value, key: &[u8]) -> String {
    let mut unsigned = manifest.clone();
    if let Value::Object(map) = &mut unsigned {
        map.remove("hmac");
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(canonical(&unsigned).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Writes the archive: the manifest (`format`, `case`, `generated_at`,
/// `generated_by`, `files`, `hmac`) first, then every file. Returns the
/// manifest.
pub fn write<W: Write + Seek>(
    out: W,
    case: Value,
    generated_at: &str,
    generated_by: &str,
    entries: &[Entry],
    key: &[u8],
) -> std::io::Result<Value> {
    use zip::CompressionMethod;
    use zip::write::SimpleFileOptions;
    let files: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut m = e.about.clone();
            m.insert("path".into(), Value::from(e.path.clone()));
            m.insert("sha256".into(), Value::from(e.sha256.clone()));
            m.insert("size".into(), Value::from(e.size));
            Value::Object(m)
        })
        .collect();
    let mut manifest = serde_json::json!({
        "format": FORMAT,
        "case": case,
        "generated_at": generated_at,
        "generated_by": generated_by,
        "files": files,
    });
    let hmac = manifest_hmac(&manifest, key);
    manifest["hmac"] = Value::from(hmac);
    let zip_err = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
    let mut zip = zip::ZipWriter::new(out);
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.start_file(MANIFEST, deflated).map_err(zip_err)?;
    let text = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    zip.write_all(&text)?;
    for e in entries {
        let options = SimpleFileOptions::default()
            .compression_method(if e.compress {
                CompressionMethod::Deflated
            } else {
                CompressionMethod::Stored
            })
            .large_file(e.size >= u64::from(u32::MAX));
        zip.start_file(e.path.as_str(), options).map_err(zip_err)?;
        let mut file = std::fs::File::open(&e.source)?;
        std::io::copy(&mut file, &mut zip)?;
    }
    zip.finish().map_err(zip_err)?;
    Ok(manifest)
}

/// One thing wrong with an archive, naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file in the archive (or `manifest.json`, or `(archive)`).
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    /// The case id the manifest names.
    pub case_id: Option<String>,
    /// Files listed in the manifest.
    pub listed: usize,
    /// Listed files found whole (size and SHA-256 as listed).
    pub intact: usize,
    /// Whether the manifest's HMAC was checked (a key was given) and held.
    pub hmac_checked: bool,
    pub problems: Vec<Problem>,
}

impl Verification {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            message: message.into(),
        });
    }
}

/// Checks an archive: the manifest is there and readable; every file it
/// lists is in the archive with the listed size and SHA-256; the archive
/// holds nothing it does not list; and, given the audit key, the manifest's
/// HMAC matches.
pub fn verify<R: Read + Seek>(reader: R, key: Option<&[u8]>) -> Verification {
    let mut v = Verification::default();
    let mut zip = match zip::ZipArchive::new(reader) {
        Ok(zip) => zip,
        Err(e) => {
            v.problem("(archive)", format!("not a readable ZIP archive: {e}"));
            return v;
        }
    };
    let manifest: Value = {
        let mut text = Vec::new();
        let read = zip
            .by_name(MANIFEST)
            .map_err(|e| e.to_string())
            .and_then(|mut f| f.read_to_end(&mut text).map_err(|e| e.to_string()));
        if let Err(e) = read {
            v.problem(MANIFEST, format!("missing or unreadable: {e}"));
            return v;
        }
        match serde_json::from_slice(&text) {
            Ok(m) => m,
            Err(e) => {
                v.problem(MANIFEST, format!("not valid JSON: {e}"));
                return v;
            }
        }
    };
    if manifest["format"] != FORMAT {
        v.problem(
            MANIFEST,
            format!("format is {}, expected {FORMAT}", manifest["format"]),
        );
    }
    v.case_id = manifest["case"]["id"].as_str().map(str::to_string);
    let Some(files) = manifest["files"].as_array() else {
        v.problem(MANIFEST, "has no list of files");
        return v;
    };
    v.listed = files.len();
    let mut listed = BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        let (Some(path), Some(sha256), Some(size)) =
            (f["path"].as_str(), f["sha256"].as_str(), f["size"].as_u64())
        else {
            v.problem(
                MANIFEST,
                format!("file {} lacks a path, sha256 or size", i + 1),
            );
            continue;
        };
        if path == MANIFEST || !listed.insert(path.to_string()) {
            v.problem(path, "listed twice in the manifest");
            continue;
        }
        let mut entry = match zip.by_name(path) {
            Ok(entry) => entry,
            Err(_) => {
                v.problem(path, "listed in the manifest but missing from the archive");
                continue;
            }
        };
        let mut hasher = Sha256::new();
        let mut seen: u64 = 0;
        let mut buf = vec![0u8; 64 * 1024];
        let read = loop {
            match entry.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    hasher.update(&buf[..n]);
                    seen += n as u64;
                }
                Err(e) => break Err(e),
            }
        };
        if let Err(e) = read {
            v.problem(path, format!("cannot be read (damaged): {e}"));
            continue;
        }
        let digest = hex::encode(hasher.finalize());
        if seen != size {
            v.problem(
                path,
                format!("size is {seen} bytes, the manifest says {size}"),
            );
        } else if !digest.eq_ignore_ascii_case(sha256) {
            v.problem(
                path,
                format!("SHA-256 is {digest}, the manifest says {sha256}: the file was altered"),
            );
        } else {
            v.intact += 1;
        }
    }
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    for name in names {
        if name != MANIFEST && !name.ends_with('/') && !listed.contains(&name) {
            v.problem(&name, "in the archive but not listed in the manifest");
        }
    }
    if let Some(key) = key {
        match manifest["hmac"].as_str() {
            None => v.problem(MANIFEST, "has no HMAC"),
            Some(hmac) if hmac.eq_ignore_ascii_case(&manifest_hmac(&manifest, key)) => {
                v.hmac_checked = true;
            }
            Some(_) => v.problem(
                MANIFEST,
                "the HMAC does not match: the manifest was altered, or the key is not this installation's audit key",
            ),
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn sample(dir: &std::path::Path, key: &[u8]) -> Vec<u8> {
        let a = dir.join("a");
        let b = dir.join("b");
        std::fs::write(&a, b"%PDF-1.7 a document").unwrap();
        std::fs::write(&b, b"\xFF\xD8\xFF a photo").unwrap();
        let entry = |path: &str, source: &std::path::Path, bytes: &[u8]| Entry {
            path: path.into(),
            source: source.to_path_buf(),
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as u64,
            about: serde_json::Map::new(),
            compress: true,
        };
        let entries = [
            entry("documents/a.pdf", &a, b"%PDF-1.7 a document"),
            entry("evidence/b.jpg", &b, b"\xFF\xD8\xFF a photo"),
        ];
        let mut out = Cursor::new(Vec::new());
        write(
            &mut out,
            serde_json::json!({"id": "case-1"}),
            "2026-03-01T00:00:00Z",
            "tester",
            &entries,
            key,
        )
        .unwrap();
        out.into_inner()
    }

    /// The archive with one entry's bytes replaced (a well-formed ZIP).
    fn replaced(zip_bytes: &[u8], path: &str, bytes: &[u8]) -> Vec<u8> {
        let mut zin = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(if name == path { bytes } else { &data })
                .unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn an_archive_verifies_and_a_changed_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = sample(dir.path(), b"key");
        let v = verify(Cursor::new(&bytes), Some(b"key"));
        assert!(v.is_ok(), "{:?}", v.problems);
        assert_eq!((v.listed, v.intact, v.hmac_checked), (2, 2, true));
        assert_eq!(v.case_id.as_deref(), Some("case-1"));
        // another key: the files hold, the HMAC does not
        let v = verify(Cursor::new(&bytes), Some(b"other"));
        assert_eq!(v.problems.len(), 1);
        assert_eq!(v.problems[0].path, MANIFEST);

        let tampered = replaced(&bytes, "evidence/b.jpg", b"\xFF\xD8\xFF a phot0");
        let v = verify(Cursor::new(&tampered), None);
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert_eq!(v.problems[0].path, "evidence/b.jpg");
        assert!(v.problems[0].message.contains("SHA-256"));
    }

    #[test]
    fn an_edited_manifest_fails_its_hmac() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = sample(dir.path(), b"key");
        let mut zin = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let mut text = String::new();
        zin.by_name(MANIFEST)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        let edited = text.replace("case-1", "case-2");
        let tampered = replaced(&bytes, MANIFEST, edited.as_bytes());
        assert!(verify(Cursor::new(&tampered), None).is_ok());
        let v = verify(Cursor::new(&tampered), Some(b"key"));
        assert_eq!(v.problems.len(), 1);
        assert!(v.problems[0].message.contains("HMAC"));
    }

    #[test]
    fn missing_and_unlisted_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = sample(dir.path(), b"key");
        // drop a listed file, add an unlisted one
        let mut zin = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            if name == "documents/a.pdf" {
                continue;
            }
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&data).unwrap();
        }
        out.start_file(
            "evidence/extra.jpg",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        out.write_all(b"extra").unwrap();
        let changed = out.finish().unwrap().into_inner();
        let v = verify(Cursor::new(&changed), None);
        let paths: Vec<&str> = v.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["documents/a.pdf", "evidence/extra.jpg"]);
        // not a ZIP at all
        assert_eq!(
            verify(Cursor::new(b"not a zip".to_vec()), None).problems[0].path,
            "(archive)"
        );
    }
}
