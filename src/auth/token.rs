//! Access tokens: HS256 JWTs (the algorithm is pinned) with sub, role, iat, exp, iss,
//! aud, jti, and the account's token generation so that a role change or a disabled
//! account invalidates earlier tokens at once.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::vocabulary::Role;

pub const ISSUER: &str = "mobility-directory";
pub const AUDIENCE: &str = "mobility-directory-staff";
/// Tokens live at most this long.
pub const MAX_TTL_SECONDS: i64 = 3600;
/// The shortest signing secret the service accepts.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
    /// The account's token generation when the token was issued.
    #[serde(rename = "gen")]
    pub generation: i32,
}

/// The keys made from `MOBILITY_JWT_SECRET`.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> Result<TokenKeys, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "MOBILITY_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes (got {})",
                secret.len()
            ));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 0;
        validation.validate_nbf = true;
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds: ttl_seconds.clamp(60, MAX_TTL_SECONDS),
        })
    }

    /// A random secret for development, when none is configured.
    pub fn random_secret() -> Vec<u8> {
        [
            Uuid::new_v4().into_bytes(),
            Uuid::new_v4().into_bytes(),
            Uuid::new_v4().into_bytes(),
        ]
        .concat()
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    pub fn issue(&self, user_id: &str, role: Role, generation: i32) -> Result<String, String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            role,
            iat: now,
            exp: now + self.ttl_seconds,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            jti: Uuid::now_v7().to_string(),
            generation,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())
    }

    /// The claims of a token this service signed and that has not expired.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        if names_critical_extensions(token) {
            return None;
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let claims = data.claims;
        (claims.exp - claims.iat <= MAX_TTL_SECONDS && claims.iat <= Utc::now().timestamp() + 5)
            .then_some(claims)
    }
}

/// Whether the token's header lists extensions in `crit` (RFC 7515 §4.1.11) or cannot be
/// read. This service understands no extension, so a token that names any is invalid.
fn names_critical_extensions(token: &str) -> bool {
    use base64::Engine;
    let Some(header) = token.split('.').next() else {
        return true;
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header) else {
        return true;
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(fields)) => fields.contains_key("crit"),
        _ => true,
    }
}
