/// The schema of a state file, as its history: one ordered list of migrations from an empty file.
///
/// Entry `n` takes a state from version `n` to `n + 1`. A new state runs every entry from version 0; an older
/// file runs those after its version; both in one transaction. So a new file and an upgraded one are built by
/// the same steps, and a change to the schema is one entry at the end of the list (never an edit of an entry:
/// files out there went through it as written).
enum Schema {
    static let migrations: [String] = [
        version1, version2, version3, version4, version5, version6, version7, version8, version9, version10,
        version11, version12, version13, version14, version15,
    ]

    /// The version a state file has after every migration.
    static var version: Int { migrations.count }

    /// Runs the migrations after `version`, then records the new version, in one transaction.
    static func migrate(_ connection: SQLiteConnection, from version: Int64) throws {
        guard version < Self.version else { return }
        try connection.transaction {
            for migration in migrations.dropFirst(Int(max(0, version))) { try connection.execute(migration) }
            try connection.execute("PRAGMA user_version = \(Self.version)")
        }
    }

    /// Version 1: instances and their backups.
    private static let version1 = """
        CREATE TABLE instances (
            instance_id    TEXT PRIMARY KEY,
            product        TEXT NOT NULL,
            account_id     TEXT NOT NULL,
            region_id      TEXT NOT NULL,
            engine         TEXT NOT NULL,
            engine_version TEXT NOT NULL,
            status         TEXT NOT NULL,
            instance_type  TEXT NOT NULL,
            storage_type   TEXT NOT NULL,
            lock_mode      TEXT NOT NULL,
            kind_code      TEXT,
            databases      TEXT NOT NULL,
            attributes     TEXT NOT NULL
        );
        CREATE TABLE backups (
            sequence       INTEGER PRIMARY KEY AUTOINCREMENT,
            product        TEXT NOT NULL,
            instance_id    TEXT NOT NULL,
            account_id     TEXT NOT NULL,
            method         TEXT NOT NULL,
            backup_type    TEXT NOT NULL,
            strategy       TEXT,
            database_names TEXT,
            retention_days INTEGER,
            started_at     INTEGER NOT NULL,
            finishes_at    INTEGER NOT NULL
        );
        CREATE INDEX backups_by_start ON backups (instance_id, started_at);
        CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
        """

    /// Version 2: the nonces of signed requests, kept in a table (version 5 keeps them in memory again).
    private static let version2 = """
        CREATE TABLE nonces (
            access_key_id TEXT NOT NULL,
            nonce         TEXT NOT NULL,
            expires_at    INTEGER NOT NULL,
            PRIMARY KEY (access_key_id, nonce)
        ) WITHOUT ROWID;
        """

    /// Version 3: what a backup needs for its lifecycle: its planned duration, a scripted outcome,
    /// deletion; and the outcome scripted for an instance's next backup.
    private static let version3 = """
        ALTER TABLE backups ADD COLUMN duration INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE backups ADD COLUMN fail_stage TEXT;
        ALTER TABLE backups ADD COLUMN hold_stage TEXT;
        ALTER TABLE backups ADD COLUMN hold_until INTEGER;
        ALTER TABLE backups ADD COLUMN deleted_at INTEGER;
        UPDATE backups SET duration = finishes_at - started_at;
        CREATE TABLE next_backup_outcomes (
            instance_id TEXT PRIMARY KEY,
            fail_stage  TEXT,
            hold_stage  TEXT,
            hold_until  INTEGER
        );
        """

    /// Version 4: how many undeleted backups each instance has, so that an unfiltered DescribeBackups
    /// counts its sets in constant time, whatever the history.
    private static let version4 = """
        CREATE TABLE backup_totals (
            instance_id TEXT PRIMARY KEY,
            undeleted   INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO backup_totals (instance_id, undeleted)
            SELECT instance_id, count(*) FROM backups WHERE deleted_at IS NULL GROUP BY instance_id;
        """

    /// Version 5: nonces live in memory (versions 2–4 kept them in a table). Backups are numbered without
    /// AUTOINCREMENT, whose bookkeeping row cost every insert a second write: the highest number ever
    /// used is read from the table itself, and `backup_sequence` keeps it across deletions. Totals are
    /// recounted, since version 4 lost an instance's total when a scripted outcome was taken.
    private static let version5 = """
        DROP TABLE IF EXISTS nonces;
        CREATE TABLE backup_sequence (last INTEGER NOT NULL);
        INSERT INTO backup_sequence (last) VALUES (coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'backups'), 0));
        CREATE TABLE backups_v5 (
            sequence       INTEGER PRIMARY KEY,
            product        TEXT NOT NULL,
            instance_id    TEXT NOT NULL,
            account_id     TEXT NOT NULL,
            method         TEXT NOT NULL,
            backup_type    TEXT NOT NULL,
            strategy       TEXT,
            database_names TEXT,
            retention_days INTEGER,
            started_at     INTEGER NOT NULL,
            finishes_at    INTEGER NOT NULL,
            duration       INTEGER NOT NULL DEFAULT 0,
            fail_stage     TEXT,
            hold_stage     TEXT,
            hold_until     INTEGER,
            deleted_at     INTEGER
        );
        INSERT INTO backups_v5
            SELECT sequence, product, instance_id, account_id, method, backup_type, strategy, database_names,
                   retention_days, started_at, finishes_at, duration, fail_stage, hold_stage, hold_until, deleted_at
            FROM backups;
        DROP TABLE backups;
        ALTER TABLE backups_v5 RENAME TO backups;
        CREATE INDEX backups_by_start ON backups (instance_id, started_at);
        CREATE INDEX backups_by_finish ON backups (instance_id, finishes_at);
        DELETE FROM backup_totals;
        INSERT INTO backup_totals (instance_id, undeleted)
            SELECT instance_id, count(*) FROM backups WHERE deleted_at IS NULL GROUP BY instance_id;
        """

    /// Version 6: instances and scripted outcomes are `WITHOUT ROWID` tables, kept in the order of their
    /// instance id. CreateBackup's admission then finds an instance in one B-tree search instead of two (its
    /// primary-key index, then the table by rowid).
    private static let version6 = """
        CREATE TABLE instances_v6 (
            instance_id    TEXT PRIMARY KEY,
            product        TEXT NOT NULL,
            account_id     TEXT NOT NULL,
            region_id      TEXT NOT NULL,
            engine         TEXT NOT NULL,
            engine_version TEXT NOT NULL,
            status         TEXT NOT NULL,
            instance_type  TEXT NOT NULL,
            storage_type   TEXT NOT NULL,
            lock_mode      TEXT NOT NULL,
            kind_code      TEXT,
            databases      TEXT NOT NULL,
            attributes     TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO instances_v6
            SELECT instance_id, product, account_id, region_id, engine, engine_version, status, instance_type,
                   storage_type, lock_mode, kind_code, databases, attributes
            FROM instances;
        DROP TABLE instances;
        ALTER TABLE instances_v6 RENAME TO instances;
        CREATE TABLE next_backup_outcomes_v6 (
            instance_id TEXT PRIMARY KEY,
            fail_stage  TEXT,
            hold_stage  TEXT,
            hold_until  INTEGER
        ) WITHOUT ROWID;
        INSERT INTO next_backup_outcomes_v6
            SELECT instance_id, fail_stage, hold_stage, hold_until FROM next_backup_outcomes;
        DROP TABLE next_backup_outcomes;
        ALTER TABLE next_backup_outcomes_v6 RENAME TO next_backup_outcomes;
        """

    /// Version 7: SQLite numbers backups itself (the highest number in the table, plus one), so an insert reads
    /// nothing else to number its row (`backup_sequence` cost every insert two more cursors and B-tree searches).
    /// Deletions keep numbers from being given again by leaving the highest in the table, as a placeholder row
    /// that belongs to no instance (see `keepingHighestSequence`).
    private static let version7 = """
        INSERT INTO backups (sequence, product, instance_id, account_id, method, backup_type, started_at, finishes_at,
                             deleted_at)
            SELECT last, '', '', '', '', '', 0, 0, 0 FROM backup_sequence
            WHERE last > coalesce((SELECT max(sequence) FROM backups), 0);
        DROP TABLE backup_sequence;
        """

    /// Version 8: an instance's total counts the backups started before `counted_before`; later ones are counted
    /// when the total is read, over the start index (see `insert`). An insert so no longer writes the total: only
    /// an instance's first backup of a UTC day does, moving `counted_before` to that day's start. Upgraded rows
    /// count every backup they counted before.
    private static let version8 = """
        ALTER TABLE backup_totals ADD COLUMN counted_before INTEGER NOT NULL DEFAULT 0;
        UPDATE backup_totals SET counted_before =
            coalesce((SELECT max(started_at) + 1 FROM backups b WHERE b.instance_id = backup_totals.instance_id), 0);
        """

    /// Version 9: no index by finish. A task runs from its start until its finish, so one running at `t` started
    /// after `t` minus the instance's longest task (`longest`: the most any of its backups took from start to
    /// finish, kept with its total): the index by start finds it in that short range, and each accepted backup
    /// has one index entry to write instead of two. The index by start carries each backup's finish, so that the
    /// range is read from the index alone: with a raised quota it can hold thousands of short backups. An instance
    /// without a total has no bound (its whole range).
    private static let version9 = """
        ALTER TABLE backup_totals ADD COLUMN longest INTEGER NOT NULL DEFAULT 0;
        UPDATE backup_totals SET longest = coalesce(
            (SELECT max(finishes_at - started_at) FROM backups b WHERE b.instance_id = backup_totals.instance_id), 0);
        DROP INDEX IF EXISTS backups_by_finish;
        DROP INDEX IF EXISTS backups_by_start;
        CREATE INDEX backups_by_start ON backups (instance_id, started_at, finishes_at);
        """

    /// Version 10: backup policies, as a history of segments `[valid_from, valid_to)` each holding the settings
    /// given (the product fills in its defaults), so that a change affects only later automatic backups; and the
    /// automatic backups that differ from their schedule (deleted, or scripted to fail). Automatic backups
    /// themselves are not stored: they are computed from the history. Instances of an upgraded file begin their
    /// policy at the upgrade.
    private static let version10 = """
        CREATE TABLE backup_policies (
            segment     INTEGER PRIMARY KEY AUTOINCREMENT,
            instance_id TEXT NOT NULL,
            valid_from  INTEGER NOT NULL,
            valid_to    INTEGER,
            settings    TEXT NOT NULL
        );
        CREATE INDEX backup_policies_by_instance ON backup_policies (instance_id, valid_from);
        CREATE TABLE automatic_backup_events (
            instance_id TEXT NOT NULL,
            started_at  INTEGER NOT NULL,
            deleted_at  INTEGER,
            fail_stage  TEXT,
            PRIMARY KEY (instance_id, started_at)
        ) WITHOUT ROWID;
        INSERT INTO backup_policies (instance_id, valid_from, settings)
            SELECT instance_id, CAST(strftime('%s', 'now') AS INTEGER) * 1000, '{}' FROM instances;
        """

    /// Version 11: no check of CreateBackup, and no unfiltered total of DescribeBackups, costs more as an instance's
    /// backups grow. An instance's total counts all its undeleted backups (`undeleted`, no `counted_before` mark
    /// with the rest counted when read), and the backups it accepted in one UTC day (`accepted` in `day`): each
    /// insert updates both in its transaction. A day other than `day` (a new day, or the clock set back to an
    /// earlier one) is counted over the start index once, by the first admission and insert of that day. Upgraded
    /// totals are counted afresh; their day is unknown (NULL) until the instance's next backup.
    private static let version11 = """
        CREATE TABLE backup_totals_v11 (
            instance_id TEXT PRIMARY KEY,
            undeleted   INTEGER NOT NULL,
            longest     INTEGER NOT NULL,
            day         INTEGER,
            accepted    INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        INSERT INTO backup_totals_v11 (instance_id, undeleted, longest)
            SELECT instance_id,
                   (SELECT count(*) FROM backups b WHERE b.instance_id = backup_totals.instance_id AND b.deleted_at IS NULL),
                   longest
            FROM backup_totals;
        DROP TABLE backup_totals;
        ALTER TABLE backup_totals_v11 RENAME TO backup_totals;
        """

    /// Version 12: instances live. An instance's current lifecycle phase (`InstanceTransition`: the status shown,
    /// the operation that started it, its start and end), from which its status is derived when read; the
    /// instance's databases when each backup started (what a clone of the set gets); and the replies remembered
    /// for `ClientToken`s, so that a repeated request gets the first one's answer.
    private static let version12 = """
        ALTER TABLE instances ADD COLUMN transition TEXT;
        ALTER TABLE instances ADD COLUMN transition_action TEXT;
        ALTER TABLE instances ADD COLUMN transition_started INTEGER;
        ALTER TABLE instances ADD COLUMN transition_ends INTEGER;
        ALTER TABLE backups ADD COLUMN instance_databases TEXT;
        CREATE TABLE client_tokens (
            account_id  TEXT NOT NULL,
            product     TEXT NOT NULL,
            action      TEXT NOT NULL,
            token       TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            reply       TEXT NOT NULL,
            PRIMARY KEY (account_id, product, action, token)
        ) WITHOUT ROWID;
        """

    /// Version 13: manual sets expire. Each backup keeps the instant its set stops being listed (`expires_at`: its end
    /// plus its own retention, else the retention of the policy in force when it started; NULL: kept for ever), in
    /// an index of the undeleted ones; an instance's total keeps how many of its undeleted sets had expired by
    /// `expired_by` (`expired`), moved to the clock's reading by the reads that count (see `unfilteredTotal`), so
    /// that an unfiltered count stays constant-cost. Upgraded sets are dated by the same rule, with the policy
    /// history that version 10 began (the products' default retentions, RDS 7 days and MongoDB 30, where the
    /// history names none); their totals count nothing as expired yet (`expired_by` at the start of time).
    private static let version13 = """
        ALTER TABLE backups ADD COLUMN expires_at INTEGER;
        UPDATE backups SET expires_at = finishes_at + retention_days * 86400000 WHERE retention_days >= 0;
        UPDATE backups SET expires_at = finishes_at + 86400000 * coalesce(
                (SELECT coalesce(CAST(json_extract(p.settings, '$.BackupRetentionPeriod') AS INTEGER),
                                 CASE backups.product WHEN 'mongodb' THEN 30 ELSE 7 END)
                 FROM backup_policies p WHERE p.instance_id = backups.instance_id AND p.valid_from <= backups.started_at
                 ORDER BY p.valid_from DESC LIMIT 1),
                (SELECT coalesce(CAST(json_extract(p.settings, '$.BackupRetentionPeriod') AS INTEGER),
                                 CASE backups.product WHEN 'mongodb' THEN 30 ELSE 7 END)
                 FROM backup_policies p WHERE p.instance_id = backups.instance_id ORDER BY p.valid_from LIMIT 1),
                CASE backups.product WHEN 'mongodb' THEN 30 ELSE 7 END)
            WHERE retention_days IS NULL AND instance_id <> '';
        CREATE INDEX backups_by_expiry ON backups (instance_id, expires_at)
            WHERE expires_at IS NOT NULL AND deleted_at IS NULL;
        ALTER TABLE backup_totals ADD COLUMN expired INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE backup_totals ADD COLUMN expired_by INTEGER NOT NULL DEFAULT -9223372036854775808;
        """

    /// Version 14: an automatic backup can be scripted to hold at a stage until an instant, as a manual one can.
    private static let version14 = """
        ALTER TABLE automatic_backup_events ADD COLUMN hold_stage TEXT;
        ALTER TABLE automatic_backup_events ADD COLUMN hold_until INTEGER;
        """

    /// Version 15: a policy segment may begin with a full backup, started by the change that began it (RDS MySQL:
    /// W§3.3); `backup_at` is its start, NULL for none.
    private static let version15 = """
        ALTER TABLE backup_policies ADD COLUMN backup_at INTEGER;
        """
}
