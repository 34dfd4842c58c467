//! Passwords, hashed with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane), each
//! hash in working memory of its own that goes back to the system as soon as it is done.

use std::ptr::NonNull;

use argon2::password_hash::generate_salt;
use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};

/// The shortest password an account may have.
pub const MIN_LENGTH: usize = 12;

/// The most working memory a stored hash may ask for (64 MiB, three times the default):
/// a hash with more is refused rather than computed.
const MAX_MEMORY_BLOCKS: usize = 64 * 1024;

pub fn hash(password: &str) -> Result<String, String> {
    let params = Params::default();
    let salt = generate_salt();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let mut memory = WorkingMemory::map(params.block_count())?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory.blocks())
        .map_err(|e| format!("cannot hash the password: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches `stored`. With no stored hash (an unknown account) a
/// hash is still verified, so that both answers take the same time.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let decoy = decoy_hash();
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (decoy.as_str(), false),
    };
    matches(password, candidate).unwrap_or(false) && real
}

/// Recomputes `stored` with its own algorithm, version, parameters and salt, and compares
/// the outputs in constant time; `None` when `stored` is no usable argon2 hash.
fn matches(password: &str, stored: &str) -> Option<bool> {
    let parsed = PasswordHash::new(stored).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    if params.block_count() > MAX_MEMORY_BLOCKS {
        return None;
    }
    let mut out = vec![0u8; expected.len()];
    let mut memory = WorkingMemory::map(params.block_count()).ok()?;
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory.blocks())
        .ok()?;
    Some(Output::new(&out).ok()? == expected)
}

fn decoy_hash() -> &'static String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password for unknown accounts").expect("hashing works"))
}

/// The working memory of one hash, mapped from the kernel for it alone and unmapped when
/// the hash is done. Taken from malloc instead, glibc keeps a freed 19 MiB block in the
/// arena of the thread that used it (its mmap threshold rises to the size of the first such
/// block freed), so a burst of sign-ins left hundreds of MB with the process for good.
struct WorkingMemory {
    start: NonNull<Block>,
    blocks: usize,
}

impl WorkingMemory {
    fn map(blocks: usize) -> Result<WorkingMemory, String> {
        let bytes = blocks * Block::SIZE;
        // SAFETY: a new private anonymous mapping, at an address the kernel chooses; its
        // result is checked before use.
        let start = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if start == libc::MAP_FAILED {
            return Err(format!(
                "cannot map {bytes} bytes to hash a password: {}",
                std::io::Error::last_os_error()
            ));
        }
        let start = NonNull::new(start.cast::<Block>()).ok_or("mmap returned null")?;
        Ok(WorkingMemory { start, blocks })
    }

    fn blocks(&mut self) -> &mut [Block] {
        // SAFETY: the mapping holds `blocks` blocks, is page-aligned (a block needs 64
        // bytes), zero-filled (any bit pattern is a valid block of integers), lives as long
        // as `self` and is lent out only through this `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr(), self.blocks) }
    }
}

impl Drop for WorkingMemory {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `map`, which nothing borrows any more.
        unsafe {
            libc::munmap(self.start.as_ptr().cast(), self.blocks * Block::SIZE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery", Some(&h)));
        assert!(!verify("wrong", Some(&h)));
        assert!(!verify("correct horse battery", None));
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_verify() {
        use argon2::password_hash::PasswordHasher;
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(verify("correct horse battery", Some(&theirs)));
        assert!(!verify("correct horse batterY", Some(&theirs)));
    }

    #[test]
    fn a_hash_that_asks_for_too_much_memory_is_refused() {
        let greedy = "$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHRzYWx0$\
                      AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(PasswordHash::new(greedy).is_ok(), "a well-formed hash");
        assert_eq!(matches("anything", greedy), None);
    }
}
