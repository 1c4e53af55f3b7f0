//! A real PostgreSQL for the tests: the server `./scripts/test` starts (its URL in
//! `DINGFORM_TEST_POSTGRES`), a fresh database per test, and a private cluster of its own for a
//! test that stops the server mid-run.

use std::path::PathBuf;
use std::process::Command;

use dingform::notify::PostgresDeliveryLog;

use super::run::blocking;

/// The variable `./scripts/test` sets to the throwaway cluster's URL.
pub const TEST_POSTGRES_VAR: &str = "DINGFORM_TEST_POSTGRES";

/// The throwaway server's admin URL; a clear failure (never a silent skip) when it is unset.
pub fn server_url() -> String {
    match std::env::var(TEST_POSTGRES_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{TEST_POSTGRES_VAR} is not set: these tests need a real PostgreSQL. Run ./scripts/test \
             (it starts a throwaway cluster), or start one yourself with \
             `eval \"$(scripts/postgres-throwaway start)\"` and run cargo test again"
        ),
    }
}

/// A database made for one test on a server.
pub struct TestDatabase {
    /// Its URL (no password: the test cluster trusts loopback for `postgres`).
    pub url: String,
    /// Its name.
    pub name: String,
}

impl TestDatabase {
    /// A new, empty database on the test server.
    pub async fn fresh() -> TestDatabase {
        Self::fresh_on(&server_url()).await
    }

    /// [`TestDatabase::fresh`] for a test that is not async.
    pub fn fresh_blocking() -> TestDatabase {
        blocking(Self::fresh())
    }

    /// A new, empty database on the server at `admin_url`.
    pub async fn fresh_on(admin_url: &str) -> TestDatabase {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {admin_url}: {e}"));
        let task = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        drop(client);
        let _ = task.await;
        let mut url = url::Url::parse(admin_url).expect("a URL");
        url.set_path(&name);
        TestDatabase {
            url: url.to_string(),
            name,
        }
    }

    /// [`TestDatabase::fresh_on`] for a test that is not async.
    pub fn fresh_on_blocking(admin_url: &str) -> TestDatabase {
        blocking(Self::fresh_on(admin_url))
    }

    /// `SELECT count(*) …` for a test that is not async; 0 while the table is not made yet.
    pub fn count_blocking(&self, sql: &str) -> usize {
        blocking(async {
            let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
                .await
                .expect("connect to the test database");
            let task = tokio::spawn(connection);
            let count = match client.query_one(sql, &[]).await {
                Ok(row) => usize::try_from(row.get::<_, i64>(0)).unwrap_or(0),
                Err(_) => 0,
            };
            drop(client);
            let _ = task.await;
            count
        })
    }

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

    /// Environment for the binary: state and delivery log in this database, workspace `key`.
    pub fn env(&self, key: &str) -> [(&'static str, String); 2] {
        [
            ("DINGFORM_STATE_URL", self.url.clone()),
            ("DINGFORM_STATE_KEY", key.to_owned()),
        ]
    }

    /// Run SQL on this database and return the first column of each row as text.
    pub async fn query(&self, sql: &str) -> Vec<String> {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test database");
        let task = tokio::spawn(connection);
        let rows = client.simple_query(sql).await.expect("query");
        drop(client);
        let _ = task.await;
        rows.into_iter()
            .filter_map(|message| match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => {
                    Some(row.get(0).unwrap_or_default().to_owned())
                }
                _ => None,
            })
            .collect()
    }
}

/// A cluster of the test's own (for stopping it mid-run), from `scripts/postgres-throwaway`.
pub struct PrivateCluster {
    dir: PathBuf,
    bin: PathBuf,
    /// Its admin URL.
    pub url: String,
    /// Its port.
    pub port: u16,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/postgres-throwaway")
}

impl PrivateCluster {
    /// initdb and start one on a free loopback port.
    pub fn start() -> PrivateCluster {
        server_url(); // the same requirement: a machine set up by ./scripts/test
        let output = Command::new(script())
            .arg("start")
            .output()
            .expect("run scripts/postgres-throwaway");
        assert!(
            output.status.success(),
            "postgres-throwaway start: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stdout);
        let var = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(&format!("export {name}=")))
                .unwrap_or_else(|| panic!("{name} in {text}"))
                .to_owned()
        };
        let url = var("DINGFORM_TEST_POSTGRES");
        let port = url::Url::parse(&url).unwrap().port().unwrap();
        PrivateCluster {
            dir: PathBuf::from(var("PGTHROWAWAY_DIR")),
            bin: PathBuf::from(var("DINGFORM_TEST_PG_BIN")),
            url,
            port,
        }
    }

    fn pg_ctl(&self, args: &[&str]) {
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"));
            c
        } else {
            Command::new(self.bin.join("pg_ctl"))
        };
        let status = command
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(status.success(), "pg_ctl {args:?}");
    }

    /// `pg_ctl stop -m immediate`: the server dies as if the machine lost power.
    pub fn stop_immediately(&self) {
        self.pg_ctl(&["stop", "-m", "immediate"]);
    }

    /// Start it again on the same port, waiting until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        self.pg_ctl(&[
            "-l",
            log.to_str().unwrap(),
            "-w",
            "-t",
            "60",
            "-o",
            &options,
            "start",
        ]);
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).status();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}
