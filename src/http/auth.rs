//! Bearer-token sign-in: JWT verification (HS256 secret or RS256 public key, issuer and
//! audience when configured, `exp` and `nbf`, a bounded lifetime and size) and the caller
//! built from the official's row.
//!
//! Everything in a token is the caller's text until its signature is checked, and even then
//! it is not ours: a refusal is logged as one of the closed [`TokenRefusal`] reasons, never
//! with the verifier's message (which quotes the token's header, `alg` included).

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::JwtConfig;

/// The largest token accepted, in bytes; a longer one is refused before any of it is decoded.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// Seconds of clock difference tolerated with the token's issuer (`exp`, `nbf`, lifetime).
const LEEWAY_SECS: i64 = 30;

/// A token's `aud`: one audience or several (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims typgraph reads from a bearer token: the subject (an official, or a client for
/// the CLIENT role), its roles, and the standard time, issuer and audience claims.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aud: Option<Audience>,
}

/// Why a token was refused: the only thing about it that reaches a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Longer than [`MAX_TOKEN_BYTES`].
    TooLarge,
    /// Not a JWT, or its header or claims do not decode into what typgraph reads.
    Malformed,
    /// Signed with another algorithm than the configured key's.
    WrongAlgorithm,
    BadSignature,
    Expired,
    /// Its `nbf` is still ahead.
    NotYetValid,
    /// It lives longer than `TYPGRAPH_JWT_MAX_LIFETIME`.
    LifetimeTooLong,
    /// Without `iss` or `aud` when they are configured (one without `exp` or `sub` does
    /// not decode into [`Claims`]: [`TokenRefusal::Malformed`]).
    MissingClaim,
    WrongIssuer,
    WrongAudience,
}

impl TokenRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRefusal::TooLarge => "too_large",
            TokenRefusal::Malformed => "malformed",
            TokenRefusal::WrongAlgorithm => "wrong_algorithm",
            TokenRefusal::BadSignature => "bad_signature",
            TokenRefusal::Expired => "expired",
            TokenRefusal::NotYetValid => "not_yet_valid",
            TokenRefusal::LifetimeTooLong => "lifetime_too_long",
            TokenRefusal::MissingClaim => "missing_claim",
            TokenRefusal::WrongIssuer => "wrong_issuer",
            TokenRefusal::WrongAudience => "wrong_audience",
        }
    }

    /// What the caller is told in `WWW-Authenticate`'s `error_description`: what was wrong,
    /// never anything of the token itself.
    pub fn description(self) -> &'static str {
        match self {
            TokenRefusal::TooLarge => "the token is too large",
            TokenRefusal::Malformed => "the token is not a JWT of this service",
            TokenRefusal::WrongAlgorithm => "the token is signed with another algorithm",
            TokenRefusal::BadSignature => "the token's signature does not verify",
            TokenRefusal::Expired => "the token has expired",
            TokenRefusal::NotYetValid => "the token is not valid yet",
            TokenRefusal::LifetimeTooLong => "the token lives longer than allowed",
            TokenRefusal::MissingClaim => "the token lacks a required claim",
            TokenRefusal::WrongIssuer => "the token is from another issuer",
            TokenRefusal::WrongAudience => "the token is for another audience",
        }
    }

    /// The reason of a verifier error; its message is dropped unread.
    fn of(e: &jsonwebtoken::errors::Error) -> TokenRefusal {
        match e.kind() {
            ErrorKind::InvalidSignature => TokenRefusal::BadSignature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                TokenRefusal::WrongAlgorithm
            }
            ErrorKind::ExpiredSignature => TokenRefusal::Expired,
            ErrorKind::ImmatureSignature => TokenRefusal::NotYetValid,
            ErrorKind::MissingRequiredClaim(_) => TokenRefusal::MissingClaim,
            ErrorKind::InvalidIssuer => TokenRefusal::WrongIssuer,
            ErrorKind::InvalidAudience => TokenRefusal::WrongAudience,
            _ => TokenRefusal::Malformed,
        }
    }
}

/// Verifies tokens with the configured key.
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    max_lifetime_secs: i64,
}

#[derive(Debug)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TokenVerifier {
    /// An RS256 public key takes precedence (a real identity provider); else the HS256 secret.
    pub fn new(cfg: &JwtConfig) -> Result<TokenVerifier, KeyError> {
        let (key, alg) = if let Some(pem) = &cfg.public_key_pem {
            let key = DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| {
                KeyError(format!(
                    "TYPGRAPH_JWT_PUBLIC_KEY is not an RSA public key in PEM: {e}"
                ))
            })?;
            (key, Algorithm::RS256)
        } else if let Some(secret) = &cfg.secret {
            if secret.0.len() < 32 {
                return Err(KeyError(
                    "TYPGRAPH_JWT_SECRET must be at least 32 bytes".into(),
                ));
            }
            (
                DecodingKey::from_secret(secret.0.as_bytes()),
                Algorithm::HS256,
            )
        } else {
            return Err(KeyError(
                "no signing key: set TYPGRAPH_JWT_SECRET or TYPGRAPH_JWT_PUBLIC_KEY (or use --demo)".into(),
            ));
        };
        if cfg.max_lifetime_secs <= 0 {
            return Err(KeyError(
                "TYPGRAPH_JWT_MAX_LIFETIME must be positive".into(),
            ));
        }
        let mut validation = Validation::new(alg);
        validation.leeway = LEEWAY_SECS.unsigned_abs();
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        if cfg.issuer.is_some() {
            required.push("iss");
        }
        if cfg.audience.is_some() {
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        match &cfg.issuer {
            Some(iss) => validation.set_issuer(&[iss]),
            None => validation.iss = None,
        }
        match &cfg.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        Ok(TokenVerifier {
            key,
            validation,
            max_lifetime_secs: cfg.max_lifetime_secs,
        })
    }

    /// The verified claims, or `None` for any bad token (the reason is logged, not sent).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenRefusal> {
        self.check(token, chrono::Utc::now().timestamp())
            .inspect_err(|refusal| {
                tracing::info!(reason = refusal.as_str(), "bearer token refused")
            })
    }

    /// The verified claims at `now` (seconds since 1970), or why the token is refused.
    pub fn check(&self, token: &str, now: i64) -> Result<Claims, TokenRefusal> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenRefusal::TooLarge);
        }
        let claims = decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| TokenRefusal::of(&e))?
            .claims;
        // A token that says it was issued in the future is not valid yet: else a far `iat`
        // with an `exp` an hour after it would pass the lifetime check and live for years.
        if claims
            .iat
            .is_some_and(|iat| iat > now.saturating_add(LEEWAY_SECS))
        {
            return Err(TokenRefusal::NotYetValid);
        }
        // Issued for longer than allowed: counted from `iat` when the token says when it
        // was issued, else from now (what is left of it must not exceed the maximum).
        let lifetime = claims
            .exp
            .saturating_sub(claims.iat.map_or(now, |iat| iat.min(now)));
        let allowance = if claims.iat.is_some() { 0 } else { LEEWAY_SECS };
        if lifetime > self.max_lifetime_secs.saturating_add(allowance) {
            return Err(TokenRefusal::LifetimeTooLong);
        }
        Ok(claims)
    }
}

/// Signs an HS256 token (the `typgraph token` command and the demo tokens).
pub fn sign_hs256(
    secret: &str,
    sub: &str,
    roles: &[String],
    ttl_seconds: i64,
    cfg: &JwtConfig,
) -> Result<String, KeyError> {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: sub.to_owned(),
        exp: now + ttl_seconds,
        iat: Some(now),
        nbf: None,
        roles: roles.to_vec(),
        iss: cfg.issuer.clone(),
        aud: cfg.audience.clone().map(Audience::One),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| KeyError(format!("cannot sign token: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier(audience: Option<&str>) -> TokenVerifier {
        TokenVerifier::new(&JwtConfig {
            secret: Some(crate::config::Secret(
                "0123456789abcdef0123456789abcdef".into(),
            )),
            audience: audience.map(str::to_owned),
            ..JwtConfig::default()
        })
        .unwrap()
    }

    fn signed(claims: serde_json::Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
        )
        .unwrap()
    }

    #[test]
    fn refusals_are_closed_reasons_whatever_the_token_says() {
        use base64::Engine;
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let v = verifier(Some("api"));
        let now = chrono::Utc::now().timestamp();
        let forged = format!(
            "{}.{}.c2ln",
            b64(serde_json::json!({ "alg": "HS256\n\u{1b}[31mFORGED" })),
            b64(serde_json::json!({ "sub": "x", "exp": now + 60 }))
        );
        assert_eq!(v.check(&forged, now).err(), Some(TokenRefusal::Malformed));
        assert_eq!(
            v.check(&"a".repeat(MAX_TOKEN_BYTES + 1), now).err(),
            Some(TokenRefusal::TooLarge)
        );
        let claims = |extra: serde_json::Value| {
            let mut c = serde_json::json!({ "sub": "o", "aud": "api", "exp": now + 600 });
            for (k, val) in extra.as_object().unwrap() {
                c[k] = val.clone();
            }
            signed(c)
        };
        assert!(v.check(&claims(serde_json::json!({})), now).is_ok());
        let cases = [
            (
                serde_json::json!({ "exp": now - 600 }),
                TokenRefusal::Expired,
            ),
            (
                serde_json::json!({ "nbf": now + 600 }),
                TokenRefusal::NotYetValid,
            ),
            (
                serde_json::json!({ "aud": ["x"] }),
                TokenRefusal::WrongAudience,
            ),
            (
                serde_json::json!({ "iat": now - 3600, "exp": now + 12 * 3600 }),
                TokenRefusal::LifetimeTooLong,
            ),
            (
                serde_json::json!({ "exp": now + 12 * 3600 + 60 }),
                TokenRefusal::LifetimeTooLong,
            ),
            // Issued "in five years" for an hour: valid for years, so refused.
            (
                serde_json::json!({ "iat": now + 5 * 365 * 86400, "exp": now + 5 * 365 * 86400 + 3600 }),
                TokenRefusal::NotYetValid,
            ),
        ];
        for (extra, refusal) in cases {
            assert_eq!(
                v.check(&claims(extra.clone()), now).err(),
                Some(refusal),
                "{extra}"
            );
        }
        assert!(v
            .check(&claims(serde_json::json!({ "aud": ["x", "api"] })), now)
            .is_ok());
        assert!(v
            .check(
                &claims(serde_json::json!({ "iat": now, "exp": now + 12 * 3600 })),
                now
            )
            .is_ok());
        assert_eq!(
            v.check(
                &signed(serde_json::json!({ "sub": "o", "aud": "api" })),
                now
            )
            .err(),
            Some(TokenRefusal::Malformed),
            "no exp"
        );
        assert_eq!(
            v.check(
                &signed(serde_json::json!({ "sub": "o", "exp": now + 60 })),
                now
            )
            .err(),
            Some(TokenRefusal::MissingClaim),
            "no aud"
        );
    }
}
