//! Static files compiled into the binary: our CSS/JS and the front-end
//! libraries installed from the npm lockfile (`make assets`).

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "assets/"]
#[allow_missing = true]
struct Assets;

/// An embedded file's bytes, for a route of its own (a service worker is
/// served from the folder it controls).
pub fn bytes(path: &str) -> Option<Vec<u8>> {
    Assets::get(path).map(|f| f.data.into_owned())
}

pub async fn serve(Path(path): Path<String>) -> Result<Response, ApiError> {
    let file = Assets::get(&path).ok_or_else(|| {
        ApiError(domain::Error::new(
            domain::ErrorKind::NotFound,
            "asset.not_found",
            format!("静态文件不存在：{path}"),
            format!("no such asset: {path}"),
        ))
    })?;
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let mut resp = file.data.into_owned().into_response();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(resp)
}
