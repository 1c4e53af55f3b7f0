//! A real PostgreSQL for the delivery-log tests: `DINGFORM_TEST_POSTGRES` names a superuser
//! URL to a throwaway cluster (scripts/test starts one), and every test gets a fresh database
//! in it. Without it the tests fail and say how to start one: they are never skipped.
#![allow(dead_code, reason = "each test file uses a different part")]

use dingform::notify::PostgresDeliveryLog;

/// A fresh, empty database.
pub struct Database {
    /// Its URL (same server and user as `DINGFORM_TEST_POSTGRES`).
    pub url: String,
    /// Its name.
    pub name: String,
}

/// The cluster's superuser URL.
pub fn server_url() -> String {
    match std::env::var("DINGFORM_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "DINGFORM_TEST_POSTGRES is not set: these tests need a real PostgreSQL. \
             scripts/test starts a throwaway cluster and sets it; by hand:\n  \
             d=$(mktemp -d); chown postgres $d\n  \
             runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D $d/data -A trust -U postgres\n  \
             runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $d/data \
             -o \"-p 55432 -k $d -c listen_addresses=127.0.0.1\" -l $d/log start\n  \
             export DINGFORM_TEST_POSTGRES=postgres://postgres@127.0.0.1:55432/postgres"
        ),
    }
}

/// Make a new database on the test cluster.
pub async fn fresh_database() -> Database {
    let server = server_url();
    let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to DINGFORM_TEST_POSTGRES: {e}"));
    let task = tokio::spawn(connection);
    let name = format!("dingform_test_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the test database");
    drop(client);
    let _ = task.await;
    let mut url = url::Url::parse(&server).expect("DINGFORM_TEST_POSTGRES is a URL");
    url.set_path(&name);
    Database {
        url: url.to_string(),
        name,
    }
}

impl Database {
    /// The delivery log of workspace `key` in this database.
    pub async fn log(&self, key: &str) -> PostgresDeliveryLog {
        PostgresDeliveryLog::open(&self.url, key)
            .await
            .expect("open the PostgreSQL delivery log")
    }

    /// A plain client, to look at or tamper with the tables.
    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test database");
        tokio::spawn(connection);
        client
    }

    /// Environment for the binary: the delivery log in this database, workspace `key`.
    pub fn env(&self, key: &str) -> [(&'static str, String); 2] {
        [
            ("DINGFORM_STATE_URL", self.url.clone()),
            ("DINGFORM_STATE_KEY", key.to_owned()),
        ]
    }
}
