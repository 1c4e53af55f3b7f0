//! The `dingform` schema's tables, made on first use by versioned migrations: a newer dingform
//! applies the ones it adds, an older one refuses a database it does not understand.
//!
//! `dingform.migrations` records (component, version): each store that keeps data in the
//! schema (the state here; the delivery log elsewhere) numbers its own migrations.

use tokio_postgres::Client;

/// This store's name in `dingform.migrations`.
pub const COMPONENT: &str = "state";

/// The state store's migrations, in order; never edit one that shipped, add the next.
pub const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    "CREATE TABLE dingform.workspaces (
        key text PRIMARY KEY,
        lineage text NOT NULL,
        serial bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE dingform.state_versions (
        key text NOT NULL REFERENCES dingform.workspaces (key) ON DELETE CASCADE,
        serial bigint NOT NULL,
        lineage text NOT NULL,
        document jsonb NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        host text NOT NULL,
        username text NOT NULL,
        command text NOT NULL,
        PRIMARY KEY (key, serial)
    );
    CREATE TABLE dingform.state_locks (
        key text PRIMARY KEY,
        lock_id text NOT NULL UNIQUE,
        pid integer NOT NULL,
        host text NOT NULL,
        command text NOT NULL,
        since timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        backend_pid integer NOT NULL
    );",
)];

/// Why the schema could not be brought up to date.
#[derive(Debug)]
pub enum MigrateError {
    /// The database is newer than this build.
    Newer {
        /// The version found.
        found: i32,
        /// The newest this build knows.
        known: i32,
    },
    /// The database refused.
    Database(tokio_postgres::Error),
}

impl From<tokio_postgres::Error> for MigrateError {
    fn from(error: tokio_postgres::Error) -> Self {
        MigrateError::Database(error)
    }
}

/// Bring `component`'s tables up to `migrations`' last version, one process at a time.
pub async fn migrate(
    client: &mut Client,
    component: &str,
    migrations: &[(i32, &str)],
) -> Result<(), MigrateError> {
    let known = migrations.last().map_or(0, |(version, _)| *version);
    // Fast path: already current (no lock, no DDL).
    if let Ok(row) = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM dingform.migrations WHERE component = $1",
            &[&component],
        )
        .await
    {
        let found: i32 = row.get(0);
        if found == known {
            return Ok(());
        }
        if found > known {
            return Err(MigrateError::Newer { found, known });
        }
    }
    let transaction = client.transaction().await?;
    // Two first runs at once: one makes the tables, the other waits and finds them made.
    transaction
        .execute("SELECT pg_advisory_xact_lock(7406092651)", &[])
        .await?;
    transaction
        .batch_execute(
            "CREATE SCHEMA IF NOT EXISTS dingform;
             CREATE TABLE IF NOT EXISTS dingform.migrations (
                 component text NOT NULL,
                 version integer NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now(),
                 PRIMARY KEY (component, version)
             );",
        )
        .await?;
    let found: i32 = transaction
        .query_one(
            "SELECT coalesce(max(version), 0) FROM dingform.migrations WHERE component = $1",
            &[&component],
        )
        .await?
        .get(0);
    if found > known {
        return Err(MigrateError::Newer { found, known });
    }
    for (version, sql) in migrations.iter().filter(|(v, _)| *v > found) {
        transaction.batch_execute(sql).await?;
        transaction
            .execute(
                "INSERT INTO dingform.migrations (component, version) VALUES ($1, $2)",
                &[&component, version],
            )
            .await?;
    }
    transaction.commit().await?;
    Ok(())
}
