//! The audit tables without an entity: only the recorder and the chains write and read them.

use sea_orm::DeriveIden;

/// The client's own access log: what a client read of their own data.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum ClientAccessLog {
    Table,
    At,
    ClientId,
    Action,
    FieldGroups,
    Operation,
    Reason,
}

/// The break-glass grant an access-log row was read under.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum BreakGlassAccess {
    Table,
    AccessLogId,
    BreakGlassId,
}

/// The clients an access-log row lists (a row naming no client of its own).
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum AccessLogClient {
    Table,
    AccessLogId,
    ClientId,
}

/// The access log's chain: one seal a row.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum AccessLogSeal {
    Table,
    Seq,
    AccessLogId,
    Hash,
    SealedAt,
}

/// The record chain.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum RecordSeal {
    Table,
    Seq,
    Kind,
    RowId,
    RowKey,
    Hash,
    SealedAt,
}

impl RecordSeal {
    /// A seal's link: its place, what it seals and its hash.
    pub(crate) const LINK: [RecordSeal; 5] = [
        RecordSeal::Seq,
        RecordSeal::Kind,
        RecordSeal::RowId,
        RecordSeal::RowKey,
        RecordSeal::Hash,
    ];
}
