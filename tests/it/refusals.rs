//! Every refusal the emulator can give, walked: for each, either the plan finding that predicts
//! it (so apply never meets it) or the stated reason it cannot be foreseen. The match below has
//! no wildcard, so a new refusal in the emulator does not compile until it is placed here, and
//! the README's table ("What the plan checks") is this table: a test fails when they differ.

use dingform::emulator::error::Refusal;

/// How the plan deals with a refusal.
enum Foreseen {
    /// A finding with this rule id predicts it.
    Rule(&'static str),
    /// Apply never sends a request that meets it (dingform builds the request itself).
    NotSent(&'static str),
    /// It cannot be foreseen at plan time, and why.
    Unforeseeable(&'static str),
}

fn foreseen(refusal: &Refusal) -> Foreseen {
    use Foreseen::*;
    match refusal {
        Refusal::BadParameter(_) | Refusal::MissingParameter(_) => {
            NotSent("dingform builds every request from checked manifests")
        }
        Refusal::TokenMissing => NotSent("the client always sends the token header"),
        Refusal::TokenInvalid | Refusal::TokenExpired => {
            Unforeseeable("a token expires or is revoked: the client renews it once and repeats")
        }
        Refusal::BadCredentials => {
            Rule("plan fetches a token first: \"credentials rejected\", before any change")
        }
        Refusal::TemplateNotFound(_) => Rule("unknown-template"),
        Refusal::UserNotFound(_) => Rule("unknown-user"),
        Refusal::MemberExceed(_) | Refusal::SubAdminExcessive(_) => Rule("group-member-limit"),
        Refusal::UserNotInGroup(_) => {
            NotSent("apply removes only members the refresh read in the group")
        }
        Refusal::GroupNotFound(_) | Refusal::GroupDisbanded => Unforeseeable(
            "someone disbanded the group between plan and apply (a saved plan is refused as stale)",
        ),
        Refusal::PermissionDenied(_) => Unforeseeable(
            "the app lost a permission, or the platform's seconds-long delay after a create",
        ),
        Refusal::AddDelOverlap(_) => NotSent("a diff never adds and removes one member"),
        Refusal::RobotNotFound(_) => Rule("bot-needs-console"),
        Refusal::RobotNotInGroup(_) => Rule("bot-not-in-group"),
        Refusal::MsgKeyInvalid(_) | Refusal::MsgParamInvalid(_) => {
            NotSent("message bodies are built from the checked message types")
        }
        Refusal::WebhookTokenUnknown => {
            Unforeseeable("a webhook token is a secret read at send time, never at plan time")
        }
        Refusal::SendTooFast => Unforeseeable("throttling: the runner paces and retries"),
        Refusal::WebhookSignature(_) => NotSent(
            "the runner signs every webhook request; a missing secret variable stops it first",
        ),
        Refusal::MediaNotFound(_) => Unforeseeable(
            "the platform dropped an uploaded image: the runner forgets the id and uploads again",
        ),
        Refusal::PluginImmutable => Rule("plugin-immutable"),
        Refusal::BadAgent(_) => Unforeseeable(
            "`app.agent_id` is checked by the first send: no API reads an app's agent id",
        ),
        Refusal::TooManyRecipients { .. } | Refusal::DepartmentRecipients { .. } => {
            Rule("recipients-per-request")
        }
        Refusal::StatusBarRecipients => Rule("oa-status-bar-recipients"),
        Refusal::ToAllUserDaily => Rule("to-all-user-daily"),
        Refusal::TaskNotFound(_) => Rule("delivery-result-window"),
        Refusal::DepartmentNotFound(_) => Rule("unknown-department"),
        Refusal::UserDeparted(_) => Rule("departed-user"),
        Refusal::DirectoryUserNotFound(_) => Rule("unknown-user"),
        Refusal::NoSuchApi(_) => NotSent("the client calls only endpoints the platform has"),
        Refusal::QpsLimit | Refusal::QpsLimitForApi => {
            Unforeseeable("throttling: the client paces and retries with backoff")
        }
        Refusal::SystemBusy | Refusal::SystemError(_) => {
            Unforeseeable("a transient platform error: retried")
        }
    }
}

/// One of each refusal.
fn every_refusal() -> Vec<Refusal> {
    let s = || "x".to_owned();
    vec![
        Refusal::BadParameter(s()),
        Refusal::MissingParameter(s()),
        Refusal::TokenMissing,
        Refusal::TokenInvalid,
        Refusal::TokenExpired,
        Refusal::BadCredentials,
        Refusal::TemplateNotFound(s()),
        Refusal::UserNotFound(s()),
        Refusal::MemberExceed(1001),
        Refusal::SubAdminExcessive(13),
        Refusal::UserNotInGroup(s()),
        Refusal::GroupNotFound(s()),
        Refusal::GroupDisbanded,
        Refusal::PermissionDenied(s()),
        Refusal::AddDelOverlap(s()),
        Refusal::RobotNotFound(s()),
        Refusal::RobotNotInGroup(s()),
        Refusal::MsgKeyInvalid(s()),
        Refusal::MsgParamInvalid(s()),
        Refusal::WebhookTokenUnknown,
        Refusal::SendTooFast,
        Refusal::WebhookSignature(s()),
        Refusal::MediaNotFound(s()),
        Refusal::PluginImmutable,
        Refusal::BadAgent(1),
        Refusal::TooManyRecipients {
            count: 5001,
            limit: 5000,
        },
        Refusal::DepartmentRecipients {
            count: 5001,
            limit: 5000,
        },
        Refusal::StatusBarRecipients,
        Refusal::ToAllUserDaily,
        Refusal::TaskNotFound(1),
        Refusal::DepartmentNotFound(1),
        Refusal::UserDeparted(s()),
        Refusal::DirectoryUserNotFound(s()),
        Refusal::NoSuchApi(s()),
        Refusal::QpsLimit,
        Refusal::QpsLimitForApi,
        Refusal::SystemBusy,
        Refusal::SystemError(s()),
    ]
}

/// The README table: one row per refusal, its codes on both hosts, and what the plan does.
fn table() -> String {
    let mut out =
        String::from("| the platform refuses (api code / oapi errcode) | the plan |\n|---|---|\n");
    for refusal in every_refusal() {
        let (_, code) = refusal.api();
        let verdict = match foreseen(&refusal) {
            Foreseen::Rule(rule) if rule.contains(' ') => rule.to_owned(),
            Foreseen::Rule(rule) => format!("`{rule}` finding"),
            Foreseen::NotSent(why) => format!("never sent: {why}"),
            Foreseen::Unforeseeable(why) => format!("cannot be foreseen: {why}"),
        };
        let kind = format!("{refusal:?}");
        let kind = kind.split(['(', ' ']).next().unwrap_or_default().to_owned();
        out.push_str(&format!(
            "| {kind} (`{code}` / {}) | {verdict} |\n",
            refusal.oapi()
        ));
    }
    out
}

#[test]
fn every_foreseen_refusal_names_a_rule_with_a_page() {
    for refusal in every_refusal() {
        if let Foreseen::Rule(rule) = foreseen(&refusal)
            && !rule.contains(' ')
        {
            assert!(
                dingform::model::rules::page(rule).is_some(),
                "{refusal:?}: rule {rule} has no page"
            );
        }
    }
}

#[test]
fn the_readme_table_of_what_the_plan_checks_is_current() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let table = table();
    assert!(
        readme.contains(&table),
        "README.md's table is stale; it should read:\n\n{table}"
    );
}
