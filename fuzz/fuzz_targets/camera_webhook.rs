//! The camera webhook's body (`POST /api/v1/webhooks/camera`): the HMAC
//! over `{timestamp}.{body}` verified, the alert read and checked field by
//! field, its snapshot decoded. A body signed with the secret passes, one
//! signed otherwise does not, and no body makes anything panic.
#![no_main]

use domain::camera;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

const SECRET: &str = "ywc_fuzz";
const TIMESTAMP: &str = "1700000000";

/// The platform's side, computed here independently of the domain.
fn sign(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(TIMESTAMP.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fuzz_target!(|data: &[u8]| {
    let sig = sign(SECRET, data);
    assert!(camera::signature_matches(SECRET, TIMESTAMP, data, &sig));
    assert!(!camera::signature_matches(
        "ywc_other",
        TIMESTAMP,
        data,
        &sig
    ));
    assert!(!camera::signature_matches(
        SECRET,
        TIMESTAMP,
        data,
        &sig[..31]
    ));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = camera::signature_bytes(text);
    }
    if let Ok(alert) = camera::parse_alert(data) {
        assert!(!alert.camera.trim().is_empty() && !alert.event_id.trim().is_empty());
        if let Some(s) = alert.snapshot.as_deref() {
            let _ = camera::decode_snapshot(s.trim());
        }
    }
});
