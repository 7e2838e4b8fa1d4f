//! Bearer-token sign-in: JWT verification (HS256 secret or RS256 public key, issuer and
//! audience when configured) and the caller built from the official's row.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::JwtConfig;

/// The claims typgraph reads (contract §3).
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub aud: Option<String>,
}

/// Verifies tokens with the configured key.
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
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
        let mut validation = Validation::new(alg);
        validation.leeway = 30;
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
        Ok(TokenVerifier { key, validation })
    }

    /// The verified claims, or `None` for any bad token (the reason is logged, not sent).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        match decode::<Claims>(token, &self.key, &self.validation) {
            Ok(data) => Some(data.claims),
            Err(e) => {
                tracing::info!(reason = %e, "bearer token refused");
                None
            }
        }
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
    let claims = Claims {
        sub: sub.to_owned(),
        exp: chrono::Utc::now().timestamp() + ttl_seconds,
        roles: roles.to_vec(),
        iss: cfg.issuer.clone(),
        aud: cfg.audience.clone(),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| KeyError(format!("cannot sign token: {e}")))
}

/// Parses a duration like `8h`, `30m`, `3600s` or `2d` into seconds.
pub fn parse_ttl(text: &str) -> Option<i64> {
    let text = text.trim();
    let (num, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    n.checked_mul(mult).filter(|s| *s > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_units_parse() {
        assert_eq!(parse_ttl("8h"), Some(28800));
        assert_eq!(parse_ttl("15m"), Some(900));
        assert_eq!(parse_ttl("0s"), None);
        assert_eq!(parse_ttl("8"), None);
        assert_eq!(parse_ttl("h"), None);
    }
}
