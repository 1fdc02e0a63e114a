/// One step in the history of a ``Schema``: the change that brings a database from
/// `version - 1` to `version`.
///
/// Migrations run in a write transaction (`BEGIN IMMEDIATE`) that also sets `user_version`,
/// so a database is always at exactly one version, whichever process upgrades it first and
/// however the upgrade ends. A migration is never edited once released: a change to the
/// schema is a new migration with the next version.
struct Migration: Sendable {
    /// The version the database is at after this migration.
    let version: Int32
    /// What it changes, in a few words (for errors and the README).
    let summary: String
    /// Applies the change (DDL and data) on `handle`, inside the caller's transaction.
    let apply: @Sendable (SQLiteConnectionHandle) throws(StorageError) -> Void
}
