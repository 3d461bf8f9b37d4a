//! Passwords: the policy, and argon2id hashing (PHC string format). The
//! caller supplies the random salt, so this stays free of I/O.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::Error;

/// At least 8 characters, with a letter and a digit; at most 128.
pub fn check_policy(password: &str) -> Result<(), Error> {
    let n = password.chars().count();
    let ok = (8..=128).contains(&n)
        && password.chars().any(|c| c.is_alphabetic())
        && password.chars().any(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "password.weak",
            "password",
            "密码至少 8 位，且须同时包含字母和数字",
            "a password needs at least 8 characters, with letters and digits",
        ))
    }
}

fn hasher() -> Argon2<'static> {
    // OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// Hash with argon2id and the given 16-byte random salt.
pub fn hash(password: &str, salt: &[u8; 16]) -> String {
    let salt = SaltString::encode_b64(salt).expect("16 bytes is a valid salt");
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters")
        .to_string()
}

/// Whether the password matches a stored PHC hash (constant-time compare).
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("demo12345", &[7; 16]);
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("demo12345", &h));
        assert!(!verify("demo12346", &h));
        assert!(!verify("demo12345", "not a hash"));
        assert_ne!(h, hash("demo12345", &[8; 16]), "salted");
    }

    #[test]
    fn policy_wants_length_letters_and_digits() {
        assert!(check_policy("demo12345").is_ok());
        assert!(check_policy("短密码1").is_err());
        assert!(check_policy("12345678").is_err());
        assert!(check_policy("abcdefgh").is_err());
        assert_eq!(
            check_policy("x").unwrap_err().field.as_deref(),
            Some("password")
        );
    }
}
