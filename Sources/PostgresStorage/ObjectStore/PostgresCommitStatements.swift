/// The statements of a commit after `BEGIN` (see ``PostgresObjectStore/commit(_:)``): two,
/// sent in one pipeline, where a commit used to send five one round trip at a time.
///
/// Two statements, not one, because of snapshots: in `READ COMMITTED` each statement reads
/// as of its own start, so whatever must be read after a lock is granted — the objects'
/// TIDs after their locks, the last TID after the commit lock — must be read by a later
/// statement than the one that waited for it.
enum PostgresCommitStatements {
    /// Takes the object locks (`pg_advisory_xact_lock(zoid)`) in the order of `$1`, which
    /// the caller sorts — two commits of overlapping objects queue rather than deadlock —
    /// then the commit lock, held until `COMMIT`. The aggregate consumes every object lock
    /// before the outer query asks for the commit lock.
    static let lockSQL = """
        SELECT pg_advisory_xact_lock(\(PostgresSchema.lockClass), \(PostgresSchema.commitLockKey))
        FROM (SELECT count(pg_advisory_xact_lock(locked.zoid)) FROM unnest($1::int8[]) AS locked(zoid)) AS objects
        """
    static let lockName = "lock_objects"

    /// The objects of `$1` (sorted OIDs) whose current TID is not the one in `$2` (aligned;
    /// NULL: a new object): one primary-key probe per object (a join from the arguments was
    /// planned as a sequential scan on small tables).
    private static let staleSQL = """
        SELECT u.zoid FROM unnest($1::int8[], $2::int8[]) AS u(zoid, expected_tid)
        WHERE (SELECT o.tid FROM object_state AS o WHERE o.zoid = u.zoid) IS DISTINCT FROM u.expected_tid
        """

    /// Checks, chooses the TID, logs and writes, in one statement whose snapshot is taken
    /// after both locks were granted: the previous commit is visible, and no object can
    /// change any more. Arguments: `$1`, `$2` as in ``staleSQL``; the states as `$3` (OIDs)
    /// and `$4` (aligned), plus, with `fromUploadTable`, the rows a commit too large for one
    /// message sent into the session's upload table beforehand (a variant of its own, so that
    /// other commits do not pay for a `DELETE` on that table).
    ///
    /// Answers one row: the new TID and 0 when written (the transaction still to be ended
    /// with `COMMIT`); NULL and the number of conflicting objects when any (nothing written:
    /// list them with ``conflictsSQL``, then roll back); NULL and 0 when the TID space is
    /// exhausted (nothing written).
    ///
    /// The TID is `greatest(last + 1, TimeStamp(clock_timestamp()))`, the TimeStamp computed
    /// as `TransactionID(secondsSince1970:)` does: UTC minutes since 1900 in a calendar of
    /// 31-day months in the high 32 bits, the seconds within the minute scaled by 2³²/60 and
    /// rounded up in the low 32 bits (`date_part`, in `float8`, is exact for these integers
    /// and cheaper than `extract`'s `numeric`).
    static func writeSQL(fromUploadTable: Bool) -> String {
        let states = fromUploadTable
            ? "(SELECT * FROM unnest($3::int8[], $4::bytea[]) UNION ALL SELECT zoid, state FROM moved)"
            : "unnest($3::int8[], $4::bytea[])"
        let moved = fromUploadTable
            ? "\n     moved AS (DELETE FROM statecache_upload WHERE EXISTS (SELECT FROM logged) RETURNING zoid, state),"
            : ""
        return """
            WITH stale AS (SELECT count(*) AS n FROM (\(staleSQL)) AS conflicts),
                 last AS (SELECT coalesce(max(l.tid), 0) AS tid, clock_timestamp() AT TIME ZONE 'UTC' AS utc FROM transaction_log AS l),
                 logged AS (
                     INSERT INTO transaction_log (tid, object_count)
                     SELECT greatest(last.tid + 1,
                                     ((((((date_part('year', last.utc)::int8 - 1900) * 12 + date_part('month', last.utc)::int8 - 1) * 31
                                         + date_part('day', last.utc)::int8 - 1) * 24 + date_part('hour', last.utc)::int8) * 60
                                       + date_part('minute', last.utc)::int8) << 32)
                                     | least((date_part('microseconds', last.utc)::int8 * 4294967296 + 59999999) / 60000000, 4294967295)),
                            cardinality($1::int8[])
                     FROM last, stale WHERE stale.n = 0 AND last.tid < 9223372036854775807
                     RETURNING tid),\(moved)
                 written AS (
                     INSERT INTO object_state (zoid, tid, state)
                     SELECT s.zoid, logged.tid, s.state FROM \(states) AS s(zoid, state), logged
                     ON CONFLICT (zoid) DO UPDATE SET tid = excluded.tid, state = excluded.state)
            SELECT (SELECT tid FROM logged), stale.n FROM stale
            """
    }

    /// The name ``writeSQL(fromUploadTable:)`` is prepared under.
    static func writeName(fromUploadTable: Bool) -> String {
        fromUploadTable ? "write_uploaded_objects" : "write_objects"
    }

    /// The conflicting objects in OID order, after ``writeSQL`` found some (same transaction,
    /// locks held: the same answer).
    static let conflictsSQL = staleSQL + " ORDER BY u.zoid"
    static let conflictsName = "find_conflicts"
}
