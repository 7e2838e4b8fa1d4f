//! Who a request acts for: an official, or a client signed in to their own data.

use std::sync::{Arc, LazyLock};

use super::{FieldMask, Principal};
use crate::domain::Agency;

/// The caller of one request.
#[derive(Debug, Clone)]
pub enum Caller {
    Official(Principal),
    Client(ClientCaller),
}

/// A client signed in to their own data.
#[derive(Debug, Clone)]
pub struct ClientCaller {
    pub client_id: String,
    pub first_name: String,
    pub last_name: String,
    /// The CLIENT role's compiled rights (the `OWN/*` objects).
    pub mask: Arc<FieldMask>,
}

impl From<Principal> for Caller {
    fn from(p: Principal) -> Self {
        Caller::Official(p)
    }
}

/// What a client is to the officials' rules: no official, no role, no right, no row.
static NO_OFFICIAL: LazyLock<Principal> = LazyLock::new(|| Principal {
    official_id: String::new(),
    name: String::new(),
    agency: Agency::Provider,
    provider_id: None,
    roles: Vec::new(),
    mask: Arc::new(FieldMask::empty()),
    emergency: Vec::new(),
});

impl Caller {
    /// The official; for a client, an official without roles or rights, so any rule of the
    /// officials' side a client's request reached would refuse (a client's request runs the
    /// client schema, which calls none of them).
    pub fn principal(&self) -> &Principal {
        match self {
            Caller::Official(p) => p,
            Caller::Client(_) => &NO_OFFICIAL,
        }
    }

    /// The client signed in to their own data, if that is who calls.
    pub fn client(&self) -> Option<&ClientCaller> {
        match self {
            Caller::Official(_) => None,
            Caller::Client(c) => Some(c),
        }
    }

    /// The key of the caller's request and object budgets.
    pub fn budget_key(&self) -> String {
        match self {
            Caller::Official(p) => p.official_id.clone(),
            Caller::Client(c) => format!("client:{}", c.client_id),
        }
    }
}
