//! Partner API keys: `mdk_<prefix>_<secret>`. The prefix finds the key; only a SHA-256
//! of the whole key is stored. A key carries 192 random bits, so a fast hash is enough
//! (argon2 is for passwords, which are guessable); the comparison takes constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A new key, and its prefix.
pub fn new_key() -> (String, String) {
    let random = uuid::Uuid::new_v4().simple().to_string();
    let prefix = random[..12].to_owned();
    let secret = [
        uuid::Uuid::new_v4().into_bytes(),
        uuid::Uuid::new_v4().into_bytes(),
    ]
    .concat();
    let key = format!("mdk_{prefix}_{}", URL_SAFE_NO_PAD.encode(&secret[..24]));
    (key, prefix)
}

/// The prefix of a well-formed key.
pub fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("mdk_")?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed = prefix.len() == 12
        && prefix.bytes().all(|b| b.is_ascii_hexdigit())
        && (30..=40).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then_some(prefix)
}

/// The stored form of a key: its SHA-256, in hex.
pub fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `key` hashes to `stored`, in time that does not depend on where they differ.
pub fn matches(key: &str, stored: &str) -> bool {
    let computed = hash(key);
    computed.len() == stored.len()
        && computed
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_recognised_and_matches_only_its_own_hash() {
        let (key, prefix) = new_key();
        assert_eq!(prefix_of(&key), Some(prefix.as_str()));
        assert!(matches(&key, &hash(&key)));
        let (other, _) = new_key();
        assert!(!matches(&other, &hash(&key)));
        for bad in [
            "",
            "mdk_",
            "mdk_abc_def",
            "key",
            &key[..20],
            &format!("{key}!"),
        ] {
            assert_eq!(prefix_of(bad), None, "{bad}");
        }
    }
}
