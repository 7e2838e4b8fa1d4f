//! Connection cursors that carry their own sort key, sealed under a server key.
//!
//! A cursor is the sort key of the last row of a page (for clients: last name, first name,
//! id), so the next page is "rows after this key" and no row is ever looked up by an id the
//! caller sent (a look-up by id would read a row outside the caller's scope and answer
//! differently for a missing one). The key is sealed: an HMAC-SHA-256 tag over the
//! connection kind, what the cursor is bound to (the caller, the search) and the key, and
//! the key itself encrypted with a keystream derived from that tag (a synthetic-IV
//! construction), so a cursor shows no name and cannot be made, altered or replayed in
//! another connection or search. Every replica derives the same key from the configuration.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::config::Config;
use crate::error::{AppError, AppResult};

type HmacSha256 = Hmac<Sha256>;

/// The one answer to any cursor that is not this server's for this connection and search,
/// whatever is wrong with it.
const REFUSED: &str = "not a cursor of this connection";

/// What a cursor key is derived from: a dedicated setting, else the HS256 token secret
/// (with domain separation: the label is no JWT signing input).
const LABEL: &[u8] = b"typgraph connection cursor key v1";

/// The server's cursor keys (one for the tag, one for the keystream), each held as its
/// HMAC already keyed: a MAC starts from a clone of it rather than hashing the key's pads
/// again (two of the four SHA-256 blocks of a short MAC).
#[derive(Clone)]
pub struct CursorKey {
    mac: HmacSha256,
    stream: HmacSha256,
}

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(***)")
    }
}

/// The HMAC keyed with `key`, not yet fed.
fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length: the fallback (the all-zero key) cannot be reached.
    <HmacSha256 as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()))
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    hmac_with(keyed(key), parts)
}

/// The MAC of `parts` under a keyed (and not yet fed) `mac`.
fn hmac_with(mut mac: HmacSha256, parts: &[&[u8]]) -> [u8; 32] {
    for p in parts {
        // Length-prefixed, so no two part lists give the same input.
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl CursorKey {
    /// Derives the keys from a secret shared by every replica.
    pub fn derive(secret: &[u8]) -> CursorKey {
        let master = hmac(secret, &[LABEL]);
        CursorKey {
            mac: keyed(&hmac(&master, &[b"tag"])),
            stream: keyed(&hmac(&master, &[b"stream"])),
        }
    }

    /// The key of a configuration: `TYPGRAPH_CURSOR_KEY` when set, else derived from the
    /// HS256 token secret. With only an RS256 public key there is no shared secret to
    /// derive from (the key is public), and a key of this process alone would refuse every
    /// other replica's cursors, so the setting is then required.
    pub fn from_config(config: &Config) -> Result<CursorKey, String> {
        if let Some(key) = &config.cursor_key {
            if key.0.chars().count() < 32 {
                return Err("TYPGRAPH_CURSOR_KEY must be at least 32 characters".into());
            }
            return Ok(CursorKey::derive(key.0.as_bytes()));
        }
        match &config.jwt.secret {
            Some(secret) => Ok(CursorKey::derive(secret.0.as_bytes())),
            None => Err(
                "set TYPGRAPH_CURSOR_KEY (the same on every replica): with an RS256 public key \
                 there is no shared secret to derive the cursor key from"
                    .into(),
            ),
        }
    }

    /// The tag's MAC, fed with the kind, the binding and the sort key (each length-prefixed,
    /// and the binding's count, so no two inputs feed the same bytes).
    fn tag(&self, kind: &str, binding: &[&str], plain: &[u8]) -> AppResult<HmacSha256> {
        let mut mac = self.mac.clone();
        let count = (binding.len() as u64).to_be_bytes();
        let parts = std::iter::once(kind.as_bytes())
            .chain(std::iter::once(&count[..]))
            .chain(binding.iter().map(|b| b.as_bytes()))
            .chain(std::iter::once(plain));
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        Ok(mac)
    }

    fn keystream(&self, tag: &[u8; 32], data: &mut [u8]) {
        for (i, chunk) in data.chunks_mut(32).enumerate() {
            let block = hmac_with(self.stream.clone(), &[tag, &(i as u64).to_be_bytes()]);
            for (b, k) in chunk.iter_mut().zip(block.iter()) {
                *b ^= k;
            }
        }
    }

    /// A cursor for the sort key `values` of a row, valid only for `kind` and `binding`.
    pub fn seal(&self, kind: &str, binding: &[&str], values: &[&str]) -> AppResult<String> {
        let plain = serde_json::to_vec(values)
            .map_err(|e| AppError::internal(format!("cursor encoding: {e}")))?;
        let tag: [u8; 32] = self
            .tag(kind, binding, &plain)?
            .finalize()
            .into_bytes()
            .into();
        let mut body = plain;
        self.keystream(&tag, &mut body);
        let mut out = Vec::with_capacity(32 + body.len());
        out.extend_from_slice(&tag);
        out.extend_from_slice(&body);
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out))
    }

    /// The sort key of a cursor this server sealed for `kind` and `binding`, with `arity`
    /// values; any other cursor (hand-made, altered, another connection's or search's) is
    /// BAD_USER_INPUT on `after`, always with the same message.
    pub fn open(
        &self,
        kind: &str,
        binding: &[&str],
        arity: usize,
        cursor: &str,
    ) -> AppResult<Vec<String>> {
        let refused = || AppError::bad_input("after", REFUSED);
        if cursor.len() > 4096 {
            return Err(refused());
        }
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .map_err(|_| refused())?;
        if raw.len() < 32 {
            return Err(refused());
        }
        let (tag, body) = raw.split_at(32);
        let tag: [u8; 32] = tag.try_into().map_err(|_| refused())?;
        let mut plain = body.to_vec();
        self.keystream(&tag, &mut plain);
        // Checked in constant time against the tag of what it decrypts to.
        self.tag(kind, binding, &plain)?
            .verify_slice(&tag)
            .map_err(|_| refused())?;
        let values: Vec<String> = serde_json::from_slice(&plain).map_err(|_| refused())?;
        if values.len() != arity {
            return Err(refused());
        }
        Ok(values)
    }
}

/// What one connection's cursors are sealed for: the key, the connection's kind and what
/// its cursors are bound to.
pub struct Sealer {
    key: CursorKey,
    kind: &'static str,
    binding: Vec<String>,
}

impl Sealer {
    pub fn new(key: &CursorKey, kind: &'static str, binding: &[&str]) -> std::sync::Arc<Sealer> {
        std::sync::Arc::new(Sealer {
            key: key.clone(),
            kind,
            binding: binding.iter().map(|b| (*b).to_owned()).collect(),
        })
    }

    /// The cursor of the sort key `values`.
    pub fn seal(&self, values: &[&str]) -> AppResult<String> {
        let binding: Vec<&str> = self.binding.iter().map(String::as_str).collect();
        self.key.seal(self.kind, &binding, values)
    }
}

/// A row's cursor, sealed when it is read. Sealing costs some twenty SHA-256 blocks (the
/// tag, then the keystream over the sort key), so a page whose edges' cursors are not asked
/// for seals none of them.
#[derive(Clone)]
pub struct RowCursor {
    sealer: std::sync::Arc<Sealer>,
    values: Vec<String>,
}

impl RowCursor {
    pub fn new(sealer: &std::sync::Arc<Sealer>, values: &[&str]) -> RowCursor {
        RowCursor {
            sealer: sealer.clone(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    /// The sealed cursor.
    pub fn seal(&self) -> AppResult<String> {
        let values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        self.sealer.seal(&values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyed_macs_seal_what_keying_each_mac_anew_sealed() {
        // The construction spelled out with every MAC keyed from the key's bytes: cursors
        // sealed before the keyed MACs were kept still open, and the same rows get the
        // same cursors.
        let secret = b"0123456789abcdef0123456789abcdef";
        let master = hmac(secret, &[LABEL]);
        let (tag_key, stream_key) = (hmac(&master, &[b"tag"]), hmac(&master, &[b"stream"]));
        let (kind, binding, values) = (
            "clients",
            ["o1", "NAME", "ha"],
            [
                "Virtanen-Korhonen",
                "Aino Maria",
                "0009d5b0-22bd-4631-ae85-6b79b6768c2c",
            ],
        );
        let plain = serde_json::to_vec(&values).unwrap();
        let count = (binding.len() as u64).to_be_bytes();
        let mut parts: Vec<&[u8]> = vec![kind.as_bytes(), &count];
        parts.extend(binding.iter().map(|b| b.as_bytes()));
        parts.push(&plain);
        let tag = hmac(&tag_key, &parts);
        let mut body = plain.clone();
        for (i, chunk) in body.chunks_mut(32).enumerate() {
            let block = hmac(&stream_key, &[&tag, &(i as u64).to_be_bytes()]);
            chunk
                .iter_mut()
                .zip(block.iter())
                .for_each(|(b, k)| *b ^= k);
        }
        assert!(body.len() > 64, "the keystream spans several blocks");
        let expected =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([&tag[..], &body].concat());
        let key = CursorKey::derive(secret);
        assert_eq!(key.seal(kind, &binding, &values).unwrap(), expected);
        let sealer = Sealer::new(&key, kind, &binding);
        assert_eq!(RowCursor::new(&sealer, &values).seal().unwrap(), expected);
        assert_eq!(key.open(kind, &binding, 3, &expected).unwrap(), values);
    }

    #[test]
    fn a_sealed_cursor_opens_only_for_its_kind_and_binding() {
        let key = CursorKey::derive(b"0123456789abcdef0123456789abcdef");
        let c = key
            .seal("clients", &["o1", "a"], &["Virtanen", "Aino", "id-1"])
            .unwrap();
        assert!(!c.contains("Virtanen"));
        let plain = String::from_utf8_lossy(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&c)
                .unwrap(),
        )
        .into_owned();
        assert!(!plain.contains("Virtanen"), "the sort key is not readable");
        assert_eq!(
            key.open("clients", &["o1", "a"], 3, &c).unwrap(),
            vec!["Virtanen", "Aino", "id-1"]
        );
        for (kind, binding, arity) in [
            ("clients", &["o1", "b"][..], 3),
            ("clients", &["o2", "a"][..], 3),
            ("accessLog", &["o1", "a"][..], 3),
            ("clients", &["o1", "a"][..], 1),
        ] {
            let e = key.open(kind, binding, arity, &c).unwrap_err();
            assert_eq!(e.message(), REFUSED);
        }
        let other = CursorKey::derive(b"another key, also of 32 bytes...");
        assert!(other.open("clients", &["o1", "a"], 3, &c).is_err());
        let mut raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&c)
            .unwrap();
        for i in [0, 31, 32, raw.len() - 1] {
            raw[i] ^= 1;
            let tampered = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
            assert!(key.open("clients", &["o1", "a"], 3, &tampered).is_err());
            raw[i] ^= 1;
        }
    }
}

/// The part of an ordered list a connection asks for (Relay: `first`/`after` forward,
/// `last`/`before` backward; a bound of the other kind narrows the window too).
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// Rows wanted (at most [`super::client::MAX_PAGE`]).
    pub size: u64,
    /// Whether the page is taken from the end of the window (`last`).
    pub backward: bool,
    pub after: Option<&'a str>,
    pub before: Option<&'a str>,
}

impl<'a> Window<'a> {
    /// The window of a connection's arguments; `first` and `last` together are refused.
    pub fn of(
        first: Option<i32>,
        after: Option<&'a str>,
        last: Option<i32>,
        before: Option<&'a str>,
    ) -> AppResult<Window<'a>> {
        let (size, backward) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input(
                    "last",
                    "ask for first (with after) or last (with before), not both",
                ))
            }
            (_, Some(last)) => (super::client::page_size_of("last", Some(last))?, true),
            (first, None) => (super::client::page_size_of("first", first)?, false),
        };
        Ok(Window {
            size: u64::from(size.unsigned_abs()),
            backward,
            after,
            before,
        })
    }

    /// `first`/`after` only (connections that page forward alone).
    pub fn forward(first: Option<i32>, after: Option<&'a str>) -> AppResult<Window<'a>> {
        Window::of(first, after, None, None)
    }

    /// Whether rows come before the page: known when paging backward (one row more was
    /// read), else whenever the page starts after a cursor (that cursor's row at least).
    pub fn has_previous_page(&self, one_more: bool) -> bool {
        if self.backward {
            one_more
        } else {
            self.after.is_some()
        }
    }

    /// Whether rows follow the page, the mirror of [`Window::has_previous_page`].
    pub fn has_next_page(&self, one_more: bool) -> bool {
        if self.backward {
            self.before.is_some()
        } else {
            one_more
        }
    }

    /// Keeps the page of `rows` (read in the window's direction, one more than wanted)
    /// in list order, and says whether there was one more.
    pub fn take<T>(&self, mut rows: Vec<T>) -> (Vec<T>, bool) {
        let size = usize::try_from(self.size).unwrap_or(usize::MAX);
        let one_more = rows.len() > size;
        rows.truncate(size);
        if self.backward {
            rows.reverse();
        }
        (rows, one_more)
    }
}
