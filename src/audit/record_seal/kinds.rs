//! What the record chain seals: each kind of record, the table its rows are in and the
//! columns hashed.

/// A class of sealed records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    AdminLog,
    PolicyVersion,
    ClientAccessLog,
    BreakGlass,
    BreakGlassReview,
    /// A checkpoint of the access-log chain: its head seal's seq and hash.
    AccessChain,
}

/// The kinds whose records are rows of a table, in the order a round seals them.
pub(super) const TABLE_KINDS: [Kind; 5] = [
    Kind::AdminLog,
    Kind::PolicyVersion,
    Kind::ClientAccessLog,
    Kind::BreakGlass,
    Kind::BreakGlassReview,
];

/// How a column is read and hashed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Col {
    Text,
    OptText,
    Int,
    Bool,
    Ts,
    OptTs,
}

/// Where a kind's records are and which of their columns are hashed.
pub(super) struct Spec {
    pub(super) table: &'static str,
    /// The key column: an integer (named by `row_id`) or text (`row_key`).
    pub(super) key: &'static str,
    pub(super) integer: bool,
    pub(super) columns: &'static [(&'static str, Col)],
    /// Which rows are records of the kind (empty: all).
    pub(super) filter: &'static str,
    /// The order rows are sealed in, for text keys (integer keys: by key).
    pub(super) order: &'static str,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::AdminLog => "ADMIN_LOG",
            Kind::PolicyVersion => "POLICY_VERSION",
            Kind::ClientAccessLog => "CLIENT_ACCESS_LOG",
            Kind::BreakGlass => "BREAK_GLASS",
            Kind::BreakGlassReview => "BREAK_GLASS_REVIEW",
            Kind::AccessChain => "ACCESS_CHAIN",
        }
    }

    pub(super) fn from_code(code: &str) -> Option<Kind> {
        TABLE_KINDS
            .into_iter()
            .chain([Kind::AccessChain])
            .find(|k| k.code() == code)
    }

    /// What the kind is, for a verifier's message.
    pub(super) fn what(self) -> &'static str {
        match self {
            Kind::AdminLog => "administration-log row",
            Kind::PolicyVersion => "policy version",
            Kind::ClientAccessLog => "client access-log row",
            Kind::BreakGlass => "break-glass grant",
            Kind::BreakGlassReview => "break-glass review",
            Kind::AccessChain => "access-log seal",
        }
    }

    pub(super) fn spec(self) -> Spec {
        use Col::*;
        match self {
            Kind::AdminLog => Spec {
                table: "admin_log",
                key: "id",
                integer: true,
                columns: &[
                    ("id", Int),
                    ("at", Ts),
                    ("official_id", OptText),
                    ("action", Text),
                    ("target", Text),
                    ("detail", Text),
                ],
                filter: "",
                order: "a.id",
            },
            Kind::PolicyVersion => Spec {
                table: "policy_version",
                key: "version",
                integer: true,
                columns: &[
                    ("version", Int),
                    ("model", Text),
                    ("policy", Text),
                    ("source", Text),
                    ("comment", Text),
                    ("beyond_contract", Bool),
                    ("created_by", OptText),
                    ("created_at", Ts),
                ],
                filter: "",
                order: "a.version",
            },
            Kind::ClientAccessLog => Spec {
                table: "client_access_log",
                key: "id",
                integer: true,
                columns: &[
                    ("id", Int),
                    ("at", Ts),
                    ("client_id", Text),
                    ("action", Text),
                    ("field_groups", Text),
                    ("operation", Text),
                    ("reason", Text),
                ],
                filter: "",
                order: "a.id",
            },
            Kind::BreakGlass => Spec {
                table: "break_glass",
                key: "id",
                integer: false,
                columns: &[
                    ("id", Text),
                    ("official_id", Text),
                    ("agency", Text),
                    ("roles", Text),
                    ("client_id", Text),
                    ("reason", Text),
                    ("opened_at", Ts),
                    ("expires_at", Ts),
                ],
                filter: "",
                order: "a.opened_at, a.id",
            },
            Kind::BreakGlassReview => Spec {
                table: "break_glass",
                key: "id",
                integer: false,
                columns: &[
                    ("id", Text),
                    ("review_status", Text),
                    ("reviewed_by", OptText),
                    ("reviewed_at", OptTs),
                    ("review_note", OptText),
                ],
                filter: "a.review_status = 'CLOSED'",
                order: "a.reviewed_at, a.id",
            },
            Kind::AccessChain => Spec {
                table: "access_log_seal",
                key: "seq",
                integer: true,
                columns: &[("hash", Text)],
                filter: "",
                order: "a.seq",
            },
        }
    }
}
