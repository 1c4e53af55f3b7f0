//! The checks and the emulator read one number for each platform limit (`model::limits`):
//! `validate` or `plan` reports just past it, and the emulator refuses just past the same
//! number, each exercised at the limit and one past it. Before, the emulator kept its own
//! copies (a group bot's 20 webhook messages a minute and 10-minute throttle, 50 mentions, the
//! join URL's 365 days) that could drift from what the checks said.
//!
//! [`LIMITS`] is one table: a limit, what dingform is given at it and one past it with the
//! finding it reports one past, and what the emulator is sent at it and one past it with the
//! refusal it answers one past. Adding a limit is one row (and, for a new kind of input, one arm
//! of [`Check`] or [`Probe`]).

use dingform::model::limits::{
    GROUP_URL_DAYS, GROUP_URL_WARN_DAYS, MASS_DELETE_PERCENT, WEBHOOK_MENTIONS, WEBHOOK_PER_MINUTE,
    WEBHOOK_THROTTLE_MINUTES,
};
use serde_json::{Value, json};

use crate::common::{Emu, Workspace};
use crate::notify_support::Fixture;
use crate::plan_support::{findings, plan_json};

/// One platform limit, as `dingform` and the emulator each see it.
struct Limit {
    /// What is limited, for failure messages.
    what: &'static str,
    /// What `dingform` is given.
    check: Check,
    /// Its input at the limit (no finding) and one past it.
    check_at: usize,
    check_past: usize,
    /// The rule id reported one past the limit, how many times, and what its message says.
    finding: &'static str,
    findings_past: usize,
    says: String,
    /// What the emulator is sent.
    probe: Probe,
    /// Its input at the limit (all taken) and one past it (the last answer refused).
    probe_at: usize,
    probe_past: usize,
    /// The emulator's answer one past the limit.
    refusal: Value,
}

/// The emulator's answer when it takes a request.
const TAKEN: Value = Value::Null;

/// What `dingform` is given for an input `n`.
enum Check {
    /// `validate --format json` of the `notifications.yaml` this builds.
    Validate(fn(usize) -> String),
    /// `plan --format json` after `apply` of one scene group whose join URL state says was seen
    /// `n` days ago.
    PlanJoinUrlSeenDaysAgo,
}

/// What a fresh emulator is sent for an input `n`.
enum Probe {
    /// `n` webhook messages within one minute through each kind of webhook.
    MessagesInAMinute,
    /// One webhook message mentioning `n` users through each kind of webhook.
    Mentions,
    /// The join URL of a new scene group asked about `n` minutes later.
    JoinUrlAfterMinutes,
}

/// The table.
fn limits() -> Vec<Limit> {
    vec![
        Limit {
            what: "webhook messages a minute per robot",
            check: Check::Validate(|n| pings(n, 0)),
            check_at: WEBHOOK_PER_MINUTE,
            check_past: WEBHOOK_PER_MINUTE + 1,
            finding: "webhook-rate",
            findings_past: WEBHOOK_PER_MINUTE + 1,
            says: format!("a robot takes {WEBHOOK_PER_MINUTE} a minute"),
            probe: Probe::MessagesInAMinute,
            probe_at: WEBHOOK_PER_MINUTE,
            probe_past: WEBHOOK_PER_MINUTE + 1,
            refusal: json!(410100),
        },
        Limit {
            what: "users one webhook message @-mentions",
            check: Check::Validate(|n| pings(1, n)),
            check_at: WEBHOOK_MENTIONS,
            check_past: WEBHOOK_MENTIONS + 1,
            finding: "invalid-message",
            findings_past: 1,
            says: format!("at most {WEBHOOK_MENTIONS} users"),
            probe: Probe::Mentions,
            probe_at: WEBHOOK_MENTIONS,
            probe_past: WEBHOOK_MENTIONS + 1,
            refusal: json!(40035),
        },
        Limit {
            what: "days a join URL works",
            check: Check::PlanJoinUrlSeenDaysAgo,
            check_at: GROUP_URL_WARN_DAYS,
            check_past: GROUP_URL_WARN_DAYS + 1,
            finding: "group-url-expiry",
            findings_past: 1,
            says: format!("expires after {GROUP_URL_DAYS} days"),
            probe: Probe::JoinUrlAfterMinutes,
            // A minute either side: the emulator's clock also runs while the test does.
            probe_at: GROUP_URL_DAYS * 24 * 60 - 1,
            probe_past: GROUP_URL_DAYS * 24 * 60 + 1,
            refusal: json!(format!("older than {GROUP_URL_DAYS} days")),
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dingform_reports_each_limit_one_past_it_and_not_at_it() {
    for limit in limits() {
        let what = limit.what;
        let at = limit.check.findings(limit.check_at, limit.finding).await;
        assert!(at.is_empty(), "{what}: at {}: {at:?}", limit.check_at);
        let past = limit.check.findings(limit.check_past, limit.finding).await;
        assert_eq!(
            past.len(),
            limit.findings_past,
            "{what}: one past, at {}: {past:?}",
            limit.check_past
        );
        for finding in &past {
            let message = finding["message"].as_str().unwrap_or_default();
            assert!(message.contains(&limit.says), "{what}: {message}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_takes_each_limit_and_refuses_one_past_it() {
    for limit in limits() {
        let what = limit.what;
        for (kind, answers) in limit.probe.answers(limit.probe_at).await {
            assert!(!answers.is_empty(), "{what}, {kind}");
            for (n, answer) in answers.iter().enumerate() {
                assert_eq!(
                    *answer,
                    TAKEN,
                    "{what}, {kind}: answer {} at {}",
                    n + 1,
                    limit.probe_at
                );
            }
        }
        for (kind, answers) in limit.probe.answers(limit.probe_past).await {
            let (last, taken) = answers.split_last().expect("an answer");
            for (n, answer) in taken.iter().enumerate() {
                assert_eq!(*answer, TAKEN, "{what}, {kind}: answer {}", n + 1);
            }
            assert_eq!(
                *last, limit.refusal,
                "{what}, {kind}: one past, at {}",
                limit.probe_past
            );
        }
    }
}

/// A throttled robot stays refused for the whole throttle though the minute is over, and is
/// taken again after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_throttles_a_robot_for_its_minutes() {
    let fx = Fixture::start().await;
    for (kind, token) in webhook_tokens(&fx).await {
        for n in 0..WEBHOOK_PER_MINUTE {
            send(&fx, &token, &format!("{kind}-{n}"), 0).await;
        }
        let code = send(&fx, &token, &format!("{kind}-over"), 0).await;
        assert_eq!(
            code, 410100,
            "{kind}: one past {WEBHOOK_PER_MINUTE} a minute"
        );
        fx.emu
            .advance(WEBHOOK_THROTTLE_MINUTES as i64 * 60 - 30)
            .await;
        let code = send(&fx, &token, &format!("{kind}-throttled"), 0).await;
        assert_eq!(code, 410100, "{kind}: still throttled 30 s before the end");
        fx.emu.advance(60).await;
        let code = send(&fx, &token, &format!("{kind}-after"), 0).await;
        assert_eq!(
            code, 0,
            "{kind}: taken again after {WEBHOOK_THROTTLE_MINUTES} minutes"
        );
    }
}

impl Check {
    /// The findings of `rule` for input `n`.
    async fn findings(&self, n: usize, rule: &str) -> Vec<Value> {
        match self {
            Check::Validate(notifications) => validate_findings(&notifications(n), rule),
            Check::PlanJoinUrlSeenDaysAgo => join_url_findings(n, rule).await,
        }
    }
}

impl Probe {
    /// For each kind of thing probed, the emulator's answers to input `n` in order: [`TAKEN`],
    /// else the errcode or the reason.
    async fn answers(&self, n: usize) -> Vec<(&'static str, Vec<Value>)> {
        let fx = Fixture::start().await;
        match self {
            Probe::MessagesInAMinute | Probe::Mentions => {
                let mut all = Vec::new();
                for (kind, token) in webhook_tokens(&fx).await {
                    let (count, mentions) = match self {
                        Probe::MessagesInAMinute => (n, 0),
                        _ => (1, n),
                    };
                    let mut answers = Vec::new();
                    for m in 0..count {
                        let code = send(&fx, &token, &format!("{kind}-{m}"), mentions).await;
                        answers.push(if code == 0 { TAKEN } else { json!(code) });
                    }
                    all.push((kind, answers));
                }
                all
            }
            Probe::JoinUrlAfterMinutes => {
                let group = fx.group_with_bot().await;
                let url = fx.emu.group(&group).await["group_url"]
                    .as_str()
                    .expect("a join URL")
                    .to_owned();
                fx.emu.advance(n as i64 * 60).await;
                let body = fx.emu.join_url(&url).await;
                let answer = if body["valid"] == json!(true) {
                    TAKEN
                } else {
                    body["reason"].clone()
                };
                vec![("join URL", vec![answer])]
            }
        }
    }
}

/// `dingform validate --format json` of one `notifications.yaml`: its findings of `rule`.
fn validate_findings(notifications: &str, rule: &str) -> Vec<Value> {
    let ws = Workspace::with_settings(
        "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\nendpoint: sandbox\n",
    )
    .file("notifications.yaml", notifications);
    let (_, report) = ws.validate_json();
    report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// `dingform apply` of one scene group, then `plan --format json` with its join URL seen `days`
/// ago: the plan's findings of `rule`.
async fn join_url_findings(days: usize, rule: &str) -> Vec<Value> {
    let emu = Emu::start().await;
    let ws = Workspace::new().file(
        "groups.yaml",
        "groups:\n  oncall:\n    title: On-call\n    type: scene\n    owner: manager4220\n    members: [u1001]\n",
    );
    let run = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let path = ws.join(".dingform/state.json");
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let since = chrono::Utc::now() - chrono::Duration::days(days as i64);
    state["resources"]["group.oncall"]["observed"]["group_url_since"] = json!(since.to_rfc3339());
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let (_, plan) = plan_json(&ws, &emu, &[]);
    findings(&plan, rule).into_iter().cloned().collect()
}

/// `count` notifications at 09:00 through one robot, each mentioning `mentions` users.
fn pings(count: usize, mentions: usize) -> String {
    let users: Vec<String> = (0..mentions).map(|n| format!("u{}", 1001 + n)).collect();
    let at = if mentions == 0 {
        String::new()
    } else {
        format!(", at: {{users: [{}]}}", users.join(", "))
    };
    let mut text = String::from("notifications:\n");
    for n in 0..count {
        text.push_str(&format!(
            "  ping-{n}:\n    schedule: \"0 9 * * *\"\n    via: {{webhook: {{token_env: OPS_TOKEN{at}}}}}\n    message: {{text: {{content: \"ping {n}\"}}}}\n"
        ));
    }
    text
}

/// The access tokens of both kinds of webhook the emulator takes: a group bot's (issued when it
/// joined) and a custom robot's that a person added.
async fn webhook_tokens(fx: &Fixture) -> Vec<(&'static str, String)> {
    let group = fx.group_with_bot().await;
    let bot = fx
        .emu
        .webhook_token(&group, "dingbot-alerts")
        .await
        .expect("the bot joined");
    let custom = fx
        .admin("webhooks", json!({"open_conversation_id": group}))
        .await;
    vec![
        ("group bot", bot),
        (
            "custom robot",
            custom["access_token"].as_str().unwrap().to_owned(),
        ),
    ]
}

/// POST a text message to `/robot/send`, mentioning `mentions` users: the errcode.
async fn send(fx: &Fixture, token: &str, uuid: &str, mentions: usize) -> i64 {
    let users: Vec<String> = (0..mentions).map(|n| format!("u{}", 1001 + n)).collect();
    let answer = fx
        .emu
        .webhook(
            token,
            json!({
                "msgtype": "text",
                "text": {"content": "x"},
                "msgUuid": uuid,
                "at": {"atUserIds": users},
            }),
        )
        .await;
    answer["errcode"].as_i64().unwrap()
}

/// clap's doc comments cannot name a constant: the `--allow-mass-delete` help of `plan` and
/// `apply` states the number, and this holds it to `model::limits`.
#[test]
fn the_allow_mass_delete_help_states_the_share_the_plan_refuses_at() {
    for command in ["plan", "apply"] {
        let output = assert_cmd::Command::cargo_bin("dingform")
            .unwrap()
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8(output.stdout).unwrap();
        let flag = help
            .split("--allow-mass-delete")
            .nth(1)
            .unwrap_or_else(|| panic!("{command} --help has no --allow-mass-delete: {help}"));
        let flag = flag.split("\n  -").next().unwrap_or_default();
        assert!(
            flag.contains(&format!("more than {MASS_DELETE_PERCENT}%")),
            "{command} --help: {flag}"
        );
    }
}
