//! Photos sent with a report: size-limited, typed by their first bytes
//! (whatever the name says), stored once by SHA-256 under the data folder.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use domain::{Error, ErrorKind};
use sha2::{Digest, Sha256};

use super::intake::NewReportRequest;
use crate::error::ApiError;
use crate::state::AppState;

/// An uploaded photo, checked by content.
pub struct Photo {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub sha256: String,
}

/// The image type by the file's first bytes, whatever its name says.
pub fn sniff_image(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if b.len() > 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

pub fn photo(state: &AppState, name: &str, bytes: Vec<u8>) -> Result<Photo, ApiError> {
    if bytes.len() > state.settings.max_photo_bytes {
        return Err(Error::new(
            ErrorKind::TooLarge,
            "report.photo_too_large",
            format!(
                "照片 {name} 超过 {} MB",
                state.settings.max_photo_bytes / (1024 * 1024)
            ),
            format!(
                "photo {name} is larger than {} MB",
                state.settings.max_photo_bytes / (1024 * 1024)
            ),
        )
        .with_field("photo")
        .into());
    }
    let Some(mime) = sniff_image(&bytes) else {
        return Err(Error::invalid(
            "report.photo_type",
            "photo",
            format!("文件 {name} 不是 JPEG、PNG 或 WebP 图片（按内容检查）"),
            format!("file {name} is not a JPEG, PNG or WebP image (checked by content)"),
        )
        .into());
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Photo {
        bytes,
        mime,
        sha256,
    })
}

/// JSON, or multipart with a `report` part (JSON) and `photo` parts.
pub async fn read_body(
    state: &AppState,
    req: Request,
) -> Result<(NewReportRequest, Vec<Photo>), ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(req, state).await.map_err(|e| {
            ApiError(Error::invalid(
                "body.multipart",
                "body",
                format!("无法读取上传内容：{e}"),
                format!("the upload could not be read: {e}"),
            ))
        })?;
        let mut report = None;
        let mut photos = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(|e| {
            let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
            ApiError(if too_large {
                Error::new(
                    ErrorKind::TooLarge,
                    "body.too_large",
                    "上传内容过大",
                    "The upload is too large",
                )
            } else {
                Error::invalid(
                    "body.multipart",
                    "body",
                    format!("无法读取上传内容：{e}"),
                    format!("the upload could not be read: {e}"),
                )
            })
        })? {
            let name = field.name().unwrap_or("").to_string();
            let file = field.file_name().unwrap_or(&name).to_string();
            let bytes = field.bytes().await.map_err(|e| {
                ApiError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Error::new(
                        ErrorKind::TooLarge,
                        "body.too_large",
                        "上传内容过大",
                        "The upload is too large",
                    )
                } else {
                    Error::invalid(
                        "body.multipart",
                        "body",
                        "无法读取上传内容",
                        "the upload could not be read",
                    )
                })
            })?;
            match name.as_str() {
                "report" => {
                    report = Some(
                        crate::extract::parse_json::<NewReportRequest>(&bytes).map_err(ApiError)?,
                    )
                }
                "photo" | "photos" => photos.push(photo(state, &file, bytes.to_vec())?),
                other => {
                    return Err(Error::invalid(
                        "body.multipart",
                        other,
                        format!("未知的上传字段 {other}"),
                        format!("unknown upload field {other}"),
                    )
                    .into());
                }
            }
        }
        let report = report.ok_or_else(|| {
            ApiError(Error::invalid(
                "body.required",
                "report",
                "缺少 report 字段（JSON）",
                "the report part (JSON) is missing",
            ))
        })?;
        Ok((report, photos))
    } else {
        let crate::extract::ApiJson(r) =
            crate::extract::ApiJson::<NewReportRequest>::from_request(req, state).await?;
        Ok((r, vec![]))
    }
}

/// Store photos by SHA-256 under the data folder: written to a temporary
/// name, then renamed, so a file is either whole or absent.
pub fn store_photos(state: &AppState, photos: &[Photo]) -> Result<(), ApiError> {
    for p in photos {
        let dir = state.settings.data.join("attachments").join(&p.sha256[..2]);
        let path = dir.join(&p.sha256);
        if path.exists() {
            continue;
        }
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            let tmp = dir.join(format!(".{}.{}", p.sha256, uuid::Uuid::now_v7().simple()));
            std::fs::write(&tmp, &p.bytes)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| {
            tracing::error!(error = %e, "cannot store an attachment");
            ApiError(Error::internal())
        })?;
    }
    Ok(())
}
