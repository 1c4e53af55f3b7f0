//! One suite for every delivery store (SQLite, PostgreSQL, S3): what the runner relies on, from
//! claiming an occurrence once to reading back what a request became. Then what only a store
//! shared by concurrent runners promises (leases, one pace), and the PostgreSQL store's own
//! schema and error messages.

use crate::s3_support;

use std::time::Duration;

use crate::common::postgres::TestDatabase;
use crate::notify_support::log::{claim_due, intent};
use chrono::{DateTime, TimeZone, Utc};
use dingform::notify::delivery::{
    Channel, DeliveryStore, LEASE, NewSend, OccurrenceStatus, SendOutcome, SendStatus,
};
use dingform::notify::{DeliveryLog, Pace, PostgresDeliveryLog};
use serde_json::json;

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, s).unwrap()
}

fn after_lease(from: DateTime<Utc>) -> DateTime<Utc> {
    from + chrono::Duration::from_std(LEASE).unwrap() + chrono::Duration::seconds(1)
}

fn send<'a>(users: &'a [String], attempt: u32, batch: u32) -> NewSend<'a> {
    NewSend {
        attempt,
        batch,
        fingerprint: "f1",
        ..intent("digest", Channel::Work, users, &PAYLOAD)
    }
}

/// Claim one request to u1001 (attempt 0, batch 0) at `at`: its id.
async fn begin_one(store: &dyn DeliveryStore, at: DateTime<Utc>) -> i64 {
    let users = vec!["u1001".to_string()];
    store
        .begin_send(&send(&users, 0, 0), at)
        .await
        .unwrap()
        .expect("a new request")
}

static PAYLOAD: std::sync::LazyLock<serde_json::Value> =
    std::sync::LazyLock::new(|| json!({"msgtype": "text", "text": {"content": "hi"}}));

/// A store of each kind, fresh.
enum Kind {
    Sqlite,
    Postgres,
}

struct Fresh {
    store: Box<dyn DeliveryStore>,
    _dir: Option<tempfile::TempDir>,
}

async fn fresh(kind: Kind) -> Fresh {
    match kind {
        Kind::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let log = DeliveryLog::open(&dir.path().join("notify.db")).unwrap();
            Fresh {
                store: Box::new(log),
                _dir: Some(dir),
            }
        }
        Kind::Postgres => Fresh {
            store: Box::new(TestDatabase::fresh().await.log("conformance").await),
            _dir: None,
        },
    }
}

/// A fresh S3 log (a bucket of its own), or `None` when no S3 server is set.
async fn fresh_s3() -> Option<Fresh> {
    let bucket = s3_support::TestBucket::fresh().await?;
    let log = dingform::notify::S3DeliveryLog::with_target(bucket.target(), "conformance")
        .await
        .expect("open the S3 delivery log");
    Some(Fresh {
        store: Box::new(log),
        _dir: None,
    })
}

/// Each case runs against every store.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let fresh = super::fresh(super::Kind::Sqlite).await;
                    super::$case(fresh.store.as_ref()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let fresh = super::fresh(super::Kind::Postgres).await;
                    super::$case(fresh.store.as_ref()).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(fresh) = super::fresh_s3().await else { return };
                    super::$case(fresh.store.as_ref()).await;
                }
            )*
        }
    };
}

conformance!(
    an_occurrence_is_claimed_once,
    the_cursor_never_moves_back,
    a_request_is_claimed_once_and_its_answer_kept,
    a_result_and_refusals_read_back_as_written,
    recent_occurrences_come_newest_first,
    a_lapsed_claim_is_taken_over_and_a_lapsed_request_reported,
    an_accepted_request_is_followed_up_by_its_runner,
);

async fn an_occurrence_is_claimed_once(store: &dyn DeliveryStore) {
    let claimed = |status| store.claim("digest", at(9, 0, 0), status, None, at(9, 0, 5));
    assert!(claimed(OccurrenceStatus::Claimed).await.unwrap());
    assert!(!claimed(OccurrenceStatus::Claimed).await.unwrap());
    assert!(!claimed(OccurrenceStatus::Missed).await.unwrap());
    let row = store
        .occurrence("digest", at(9, 0, 0))
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(row.status, OccurrenceStatus::Claimed);
    assert_eq!(row.claimed_at, at(9, 0, 5));
    // Another occurrence, and another notification at the same time, are their own.
    assert!(
        store
            .claim(
                "digest",
                at(9, 1, 0),
                OccurrenceStatus::Missed,
                Some("late"),
                at(9, 5, 0)
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .claim(
                "other",
                at(9, 0, 0),
                OccurrenceStatus::Claimed,
                None,
                at(9, 0, 5)
            )
            .await
            .unwrap()
    );
    let missed = store
        .occurrence("digest", at(9, 1, 0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(missed.status, OccurrenceStatus::Missed);
    assert_eq!(missed.reason.as_deref(), Some("late"));
}

async fn the_cursor_never_moves_back(store: &dyn DeliveryStore) {
    assert_eq!(store.cursor("digest").await.unwrap(), None);
    store.advance_cursor("digest", at(9, 5, 0)).await.unwrap();
    store.advance_cursor("digest", at(9, 1, 0)).await.unwrap();
    assert_eq!(store.cursor("digest").await.unwrap(), Some(at(9, 5, 0)));
    store.advance_cursor("digest", at(9, 7, 0)).await.unwrap();
    assert_eq!(store.cursor("digest").await.unwrap(), Some(at(9, 7, 0)));
    assert_eq!(store.cursor("other").await.unwrap(), None);
}

async fn a_request_is_claimed_once_and_its_answer_kept(store: &dyn DeliveryStore) {
    let users = vec!["u1001".to_string(), "u1002".to_string()];
    let first = send(&users, 0, 0);
    let id = store
        .begin_send(&first, at(9, 0, 1))
        .await
        .unwrap()
        .expect("new request");
    assert_eq!(
        store.begin_send(&first, at(9, 0, 2)).await.unwrap(),
        None,
        "the same request twice is someone else's"
    );
    let second = send(&users, 0, 1);
    let other = store
        .begin_send(&second, at(9, 0, 3))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(id, other);
    let sending = store.sends_in(SendStatus::Sending).await.unwrap();
    assert_eq!(
        sending.iter().map(|s| s.id).collect::<Vec<_>>(),
        [id, other]
    );
    store
        .finish_send(id, SendStatus::Accepted, Some(42), None, None)
        .await
        .unwrap();
    store
        .finish_send(other, SendStatus::Failed, None, None, Some("refused"))
        .await
        .unwrap();
    let rows = store.sends_of("digest", at(9, 0, 0)).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].status, SendStatus::Accepted);
    assert_eq!(rows[0].task_id, Some(42));
    assert_eq!(rows[0].users, users);
    assert_eq!(rows[0].payload, *PAYLOAD);
    assert_eq!(rows[0].channel, Channel::Work);
    assert_eq!(rows[1].status, SendStatus::Failed);
    assert_eq!(rows[1].error.as_deref(), Some("refused"));
    assert_eq!(store.sends_on("2026-03-02").await.unwrap().len(), 2);
    assert!(store.sends_on("2026-03-03").await.unwrap().is_empty());
    assert!(
        store
            .sends_in(SendStatus::Sending)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_result_and_refusals_read_back_as_written(store: &dyn DeliveryStore) {
    claim_due(store, "digest", at(9, 0, 0)).await;
    let refused = vec![("user-daily-limit".to_string(), "u1003".to_string())];
    store
        .set_refused("digest", at(9, 0, 0), &refused)
        .await
        .unwrap();
    store
        .set_occurrence("digest", at(9, 0, 0), OccurrenceStatus::Sent, None)
        .await
        .unwrap();
    let id = begin_one(store, at(9, 0, 0)).await;
    store
        .finish_send(id, SendStatus::Accepted, Some(7), None, None)
        .await
        .unwrap();
    let outcome = SendOutcome {
        delivered: 1,
        failed: vec!["u1009".into()],
        forbidden: vec![("u1010".into(), "143105".into())],
        invalid: vec![],
        invalid_departments: vec![77],
        bot_status: None,
    };
    store.record_result(id, &outcome).await.unwrap();
    let row = store
        .occurrence("digest", at(9, 0, 0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, OccurrenceStatus::Sent);
    assert_eq!(row.refused, refused);
    let sends = store.sends_of("digest", at(9, 0, 0)).await.unwrap();
    assert_eq!(sends[0].status, SendStatus::Done);
    assert_eq!(sends[0].result.as_ref(), Some(&outcome));
}

async fn recent_occurrences_come_newest_first(store: &dyn DeliveryStore) {
    for minute in [3, 1, 2] {
        store
            .claim(
                "digest",
                at(9, minute, 0),
                OccurrenceStatus::Missed,
                None,
                at(9, 9, 0),
            )
            .await
            .unwrap();
    }
    let recent = store.recent_occurrences(2).await.unwrap();
    let times: Vec<_> = recent.iter().map(|r| r.occurrence).collect();
    assert_eq!(times, [at(9, 3, 0), at(9, 2, 0)]);
}

async fn a_lapsed_claim_is_taken_over_and_a_lapsed_request_reported(store: &dyn DeliveryStore) {
    claim_due(store, "digest", at(9, 0, 0)).await;
    claim_due(store, "sent", at(9, 0, 0)).await;
    store
        .set_occurrence("sent", at(9, 0, 0), OccurrenceStatus::Sent, None)
        .await
        .unwrap();
    let later = after_lease(at(9, 0, 0));
    let taken = store.take_over_lapsed(later).await.unwrap();
    assert_eq!(
        taken
            .iter()
            .map(|r| r.notification.as_str())
            .collect::<Vec<_>>(),
        ["digest"],
        "only what is still claimed"
    );
    let id = begin_one(store, later).await;
    let lapsed = store.lapsed_sends(after_lease(later)).await.unwrap();
    assert_eq!(lapsed.iter().map(|s| s.id).collect::<Vec<_>>(), [id]);
    store
        .finish_send(id, SendStatus::Unknown, None, None, Some("gone"))
        .await
        .unwrap();
    assert!(
        store
            .lapsed_sends(after_lease(later))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_accepted_request_is_followed_up_by_its_runner(store: &dyn DeliveryStore) {
    let id = begin_one(store, at(9, 0, 0)).await;
    assert!(
        store.to_follow_up(at(9, 0, 1)).await.unwrap().is_empty(),
        "not accepted yet"
    );
    store
        .finish_send(id, SendStatus::Accepted, Some(9), None, None)
        .await
        .unwrap();
    let pending = store.to_follow_up(at(9, 0, 1)).await.unwrap();
    assert_eq!(pending.iter().map(|s| s.id).collect::<Vec<_>>(), [id]);
    store
        .record_result(id, &SendOutcome::default())
        .await
        .unwrap();
    assert!(
        store.to_follow_up(at(9, 0, 2)).await.unwrap().is_empty(),
        "done"
    );
}

// What a store shared by concurrent runners promises on top (PostgreSQL, S3): each case opens
// logs of one database or bucket as separate runners would.

/// Where shared logs are opened: one database, or one bucket.
enum Logs {
    Postgres(crate::common::postgres::TestDatabase),
    S3(s3_support::TestBucket),
}

impl Logs {
    /// The log of workspace `key`, opened as another runner would.
    async fn open(&self, key: &str) -> Box<dyn DeliveryStore> {
        match self {
            Logs::Postgres(db) => Box::new(db.log(key).await),
            Logs::S3(bucket) => Box::new(
                dingform::notify::S3DeliveryLog::with_target(bucket.target(), key)
                    .await
                    .expect("open the S3 delivery log"),
            ),
        }
    }
}

macro_rules! shared {
    ($($case:ident),* $(,)?) => {
        mod shared_postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let logs = super::Logs::Postgres(super::TestDatabase::fresh().await);
                    super::$case(&logs).await;
                }
            )*
        }
        mod shared_s3 {
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(bucket) = super::s3_support::TestBucket::fresh().await else { return };
                    super::$case(&super::Logs::S3(bucket)).await;
                }
            )*
        }
    };
}

shared!(
    a_live_runners_request_is_its_own_to_follow_up_a_gone_ones_anyones,
    a_live_claim_is_not_taken_over_and_a_lapsed_one_only_once,
    a_request_in_flight_is_not_lapsed_until_its_lease_is,
    workspaces_in_one_database_are_apart,
    the_pace_is_one_for_every_runner_of_a_workspace,
);

async fn a_live_runners_request_is_its_own_to_follow_up_a_gone_ones_anyones(logs: &Logs) {
    let (a, b) = (logs.open("oncall").await, logs.open("oncall").await);
    let id = begin_one(&*a, at(9, 0, 0)).await;
    a.finish_send(id, SendStatus::Accepted, Some(9), None, None)
        .await
        .unwrap();
    assert_eq!(a.to_follow_up(at(9, 0, 5)).await.unwrap().len(), 1);
    assert!(
        b.to_follow_up(at(9, 0, 5)).await.unwrap().is_empty(),
        "a is alive"
    );
    assert_eq!(
        b.to_follow_up(after_lease(at(9, 0, 0)))
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn a_live_claim_is_not_taken_over_and_a_lapsed_one_only_once(logs: &Logs) {
    let (a, b) = (logs.open("oncall").await, logs.open("oncall").await);
    assert!(claim_due(&*a, "digest", at(9, 0, 0)).await);
    assert!(
        !claim_due(&*b, "digest", at(9, 0, 0)).await,
        "one database, one claim"
    );
    assert!(
        b.take_over_lapsed(at(9, 1, 0)).await.unwrap().is_empty(),
        "lease still held"
    );
    // Renewed while its holder waits: still not lapsed past the first lease.
    a.renew("digest", at(9, 0, 0), at(9, 1, 30)).await.unwrap();
    assert!(
        b.take_over_lapsed(after_lease(at(9, 0, 0)))
            .await
            .unwrap()
            .is_empty()
    );
    let later = after_lease(at(9, 1, 30));
    let (one, two) = tokio::join!(b.take_over_lapsed(later), a.take_over_lapsed(later));
    assert_eq!(
        one.unwrap().len() + two.unwrap().len(),
        1,
        "taken over once"
    );
}

async fn a_request_in_flight_is_not_lapsed_until_its_lease_is(logs: &Logs) {
    let (a, b) = (logs.open("oncall").await, logs.open("oncall").await);
    claim_due(&*a, "digest", at(9, 0, 0)).await;
    begin_one(&*a, at(9, 0, 0)).await;
    assert!(b.lapsed_sends(at(9, 1, 0)).await.unwrap().is_empty());
    assert!(
        b.take_over_lapsed(after_lease(at(9, 0, 0)))
            .await
            .unwrap()
            .is_empty(),
        "an occurrence with a request in flight is not resumed around it"
    );
    assert_eq!(
        b.lapsed_sends(after_lease(at(9, 0, 0)))
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn workspaces_in_one_database_are_apart(logs: &Logs) {
    let (a, b) = (logs.open("oncall").await, logs.open("payroll").await);
    assert!(claim_due(&*a, "digest", at(9, 0, 0)).await);
    assert!(claim_due(&*b, "digest", at(9, 0, 0)).await);
    a.advance_cursor("digest", at(9, 0, 0)).await.unwrap();
    assert_eq!(b.cursor("digest").await.unwrap(), None);
    assert_eq!(b.recent_occurrences(10).await.unwrap().len(), 1);
}

async fn the_pace_is_one_for_every_runner_of_a_workspace(logs: &Logs) {
    let (a, b) = (logs.open("oncall").await, logs.open("oncall").await);
    let pace = Pace {
        users: 100,
        per: Duration::from_secs(3600),
    };
    assert!(a.shares_pace());
    assert_eq!(a.admit(60, pace).await.unwrap(), None);
    assert_eq!(b.admit(40, pace).await.unwrap(), None, "fills the window");
    let wait = b.admit(1, pace).await.unwrap().expect("the window is full");
    assert!(
        wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600),
        "{wait:?}"
    );
    assert!(
        a.admit(1, pace).await.unwrap().is_some(),
        "for the other runner too"
    );
    // Another workspace has its own pace.
    let other = logs.open("payroll").await;
    assert_eq!(other.admit(100, pace).await.unwrap(), None);
}

#[tokio::test]
async fn a_log_from_a_newer_dingform_is_refused() {
    let db = TestDatabase::fresh().await;
    drop(db.log("oncall").await);
    let client = db.client().await;
    client
        .execute(
            "INSERT INTO dingform.delivery_migrations (version) VALUES ($1)",
            &[&(PostgresDeliveryLog::schema_version() + 1)],
        )
        .await
        .unwrap();
    let error = PostgresDeliveryLog::open(&db.url, "oncall")
        .await
        .err()
        .expect("refused");
    // Names the database.
    crate::assert_filtered_snapshot!(
        "newer_log",
        error.to_string().replace(&db.name, "[THE DATABASE]")
    );
}

#[tokio::test]
async fn opening_twice_at_once_on_a_new_database_migrates_once() {
    let db = TestDatabase::fresh().await;
    let opened = futures_join(&db.url).await;
    assert!(opened.iter().all(Result::is_ok), "{opened:?}");
    let client = db.client().await;
    let versions: i64 = client
        .query_one("SELECT count(*) FROM dingform.delivery_migrations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(versions, i64::from(PostgresDeliveryLog::schema_version()));
}

async fn futures_join(url: &str) -> Vec<Result<(), String>> {
    let (a, b, c) = tokio::join!(
        PostgresDeliveryLog::open(url, "a"),
        PostgresDeliveryLog::open(url, "b"),
        PostgresDeliveryLog::open(url, "c")
    );
    [a, b, c]
        .into_iter()
        .map(|r| r.map(drop).map_err(|e| e.to_string()))
        .collect()
}

#[tokio::test]
async fn connection_errors_name_host_and_database_never_the_password() {
    let server = url::Url::parse(&crate::common::postgres::server_url()).unwrap();
    let port = server.port().unwrap_or(5432);
    // A database that does not exist.
    let missing = format!("postgres://postgres:s3cret-pw@127.0.0.1:{port}/no_such_db");
    let text = PostgresDeliveryLog::open(&missing, "oncall")
        .await
        .err()
        .expect("no such database")
        .to_string();
    assert!(!text.contains("s3cret-pw"), "{text}");
    crate::assert_filtered_snapshot!("missing_database", text);
    // Nobody listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap().port();
    drop(listener);
    let unreachable = format!("postgres://postgres:s3cret-pw@127.0.0.1:{closed}/dingform");
    let text = PostgresDeliveryLog::open(&unreachable, "oncall")
        .await
        .err()
        .expect("nobody listening")
        .to_string();
    assert!(!text.contains("s3cret-pw"), "{text}");
    // Names host, port and database, and says why.
    crate::assert_filtered_snapshot!(
        "nobody_listening",
        text.replace(
            &format!("127.0.0.1:{closed}"),
            "127.0.0.1:[THE CLOSED PORT]"
        )
    );
    // Not a URL the driver reads: says which part, still without the password.
    let text = PostgresDeliveryLog::open("postgres://postgres:s3cret-pw@127.0.0.1:port/db", "k")
        .await
        .err()
        .expect("a bad port")
        .to_string();
    assert!(!text.contains("s3cret-pw"), "{text}");
    crate::assert_filtered_snapshot!("invalid_port", text);
}
