//! Checks across resources and files that are about the manifest itself rather than a
//! platform rule: references between resources (`unknown-reference`), the shape of `via`
//! (`invalid-via`), schedules (`invalid-cron`, `invalid-timezone`, `invalid-duration`),
//! templates (`unknown-template-variable`, `missing-template`), image sources
//! (`invalid-message`) and the addresses of `moved`/`import`/`removed` (`invalid-address`).

use std::path::Path;

use crate::model::address::Address;
use crate::model::message::Message;
use crate::model::notification::{Target, parse_duration};
use crate::model::schedule::{parse_cron, parse_timezone};
use crate::model::suggest::{nearest, with_suggestion};
use crate::model::template::{VARIABLES, placeholders, variable};
use crate::model::{Finding, GroupType, ResourceKind, Span, Spanned, Workspace};

/// Every reference and shape check, in no particular order (the caller sorts).
pub fn check(workspace: &Workspace) -> Vec<Finding> {
    let mut findings = Vec::new();
    groups(workspace, &mut findings);
    notifications(workspace, &mut findings);
    refactoring_blocks(workspace, &mut findings);
    findings
}

fn unknown(
    kind: ResourceKind,
    name: &Spanned<String>,
    file: &Path,
    address: &Address,
    workspace: &Workspace,
) -> Finding {
    let known: Vec<&String> = match kind {
        ResourceKind::Group => workspace.groups.keys().collect(),
        ResourceKind::Bot => workspace.bots.keys().collect(),
        ResourceKind::Notification => workspace.notifications.keys().collect(),
    };
    let help = match known.len() {
        0 => format!("declare it under `{kind}s:` in any manifest"),
        _ => format!(
            "declared {kind}s: {}",
            known
                .iter()
                .take(10)
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let near = nearest(&name.value, known.iter().map(|name| name.as_str()));
    with_suggestion(
        Finding::error(
            "unknown-reference",
            format!("no {kind} named `{}` is declared", name.value),
        ),
        near,
        &help,
    )
    .at(file, &name.span)
    .address(address)
}

fn groups(workspace: &Workspace, findings: &mut Vec<Finding>) {
    let default_template = workspace
        .settings
        .as_ref()
        .and_then(|settings| settings.defaults.template.as_ref())
        .map(|template| template.value.as_str());
    for (name, group) in &workspace.groups {
        let address = Address::group(name);
        for bot in &group.spec.bots {
            if !workspace.bots.contains_key(&bot.value) {
                findings.push(unknown(
                    ResourceKind::Bot,
                    bot,
                    &group.file,
                    &address,
                    workspace,
                ));
            }
        }
        if group.spec.group_type.value == GroupType::Scene
            && group.spec.effective_template(default_template).is_none()
        {
            findings.push(
                Finding::error(
                    "missing-template",
                    "a scene group needs a template and none is given",
                )
                .at(&group.file, &group.spec.group_type.span)
                .address(&address)
                .help("set `template:` on the group or `defaults.template` in dingform.yaml"),
            );
        }
    }
}

fn notifications(workspace: &Workspace, findings: &mut Vec<Finding>) {
    for (name, notification) in &workspace.notifications {
        let file = &notification.file;
        let spec = &notification.spec;
        let address = Address::notification(name);
        if let Err(error) = parse_cron(&spec.schedule.value) {
            findings.push(
                Finding::error("invalid-cron", error.to_string())
                    .at(file, &spec.schedule.span)
                    .address(&address)
                    .help("five fields: minute hour day-of-month month day-of-week, e.g. \"0 9 * * 1-5\""),
            );
        }
        if let Some(timezone) = &spec.timezone
            && let Err(error) = parse_timezone(&timezone.value)
        {
            findings.push(
                Finding::error("invalid-timezone", error.to_string())
                    .at(file, &timezone.span)
                    .address(&address),
            );
        }
        if let Some(grace) = &spec.grace
            && parse_duration(&grace.value).is_none()
        {
            findings.push(
                Finding::error(
                    "invalid-duration",
                    format!("`{}` is not a duration", grace.value),
                )
                .at(file, &grace.span)
                .address(&address)
                .help("a number and a unit: `90s`, `15m`, `2h`"),
            );
        }
        let target = match spec.via.value.target() {
            Ok(target) => Some(target),
            Err(message) => {
                findings.push(
                    Finding::error("invalid-via", message)
                        .at(file, &spec.via.span)
                        .address(&address),
                );
                None
            }
        };
        if let Some(Target::BotToGroup { bot, group }) = target {
            if !workspace.bots.contains_key(&bot.value) {
                findings.push(unknown(ResourceKind::Bot, bot, file, &address, workspace));
            }
            if !workspace.groups.contains_key(&group.value) {
                findings.push(unknown(
                    ResourceKind::Group,
                    group,
                    file,
                    &address,
                    workspace,
                ));
            }
        }
        if let Some(Target::WorkNotification(work)) = target
            && work.is_empty()
        {
            findings.push(
                Finding::error("invalid-via", "the work notification names no recipients")
                    .at(file, &spec.via.span)
                    .address(&address)
                    .help("give `users`, `departments` or `all_users: true`"),
            );
        }
        message_shape(&spec.message, target, file, &address, findings);
        for text in spec.message.value.texts() {
            for placeholder in placeholders(&text.value) {
                if variable(placeholder.name).is_none() {
                    let known: Vec<String> = VARIABLES
                        .iter()
                        .map(|v| format!("`{{{{{}}}}}`", v.name))
                        .collect();
                    findings.push(
                        Finding::error(
                            "unknown-template-variable",
                            format!("unknown template variable `{{{{{}}}}}`", placeholder.name),
                        )
                        .at(file, &text.span)
                        .address(&address)
                        .help(format!("known variables: {}", known.join(", "))),
                    );
                }
            }
        }
    }
}

fn message_shape(
    message: &Spanned<Message>,
    target: Option<Target<'_>>,
    file: &Path,
    address: &Address,
    findings: &mut Vec<Finding>,
) {
    let bot = matches!(target, Some(Target::BotToGroup { .. }));
    if let Some(Target::Webhook(webhook)) = target {
        super::webhook::message_shape(message, webhook, file, address, findings);
        return;
    }
    let mut invalid = |span: &Span, text: &str, help: &str| {
        findings.push(
            Finding::error("invalid-message", text)
                .at(file, span)
                .address(address)
                .help(help),
        );
    };
    match &message.value {
        Message::Oa(_) if bot => invalid(
            &message.span,
            "OA messages are work notifications only: a bot cannot send one",
            "send it with `via: {work_notification: …}`, or use `action_card` from the bot",
        ),
        Message::Image(image) => {
            let given = [
                image.path.is_some(),
                image.media_id.is_some(),
                image.url.is_some(),
            ];
            if given.iter().filter(|given| **given).count() != 1 {
                invalid(
                    &message.span,
                    "an image needs exactly one of `path`, `media_id`, `url`",
                    "a local file is `path: images/chart.png`",
                );
            } else if let Some(url) = &image.url
                && !bot
            {
                invalid(
                    &url.span,
                    "a work-notification image cannot be a URL",
                    "give `path:` (dingform uploads it) or `media_id:`",
                );
            }
        }
        Message::FeedCard(_) => invalid(
            &message.span,
            "a feed card is a webhook robot's message: a bot or a work notification cannot send one",
            "send it with `via: {webhook: …}`, or use `link` or `action_card`",
        ),
        _ => {}
    }
}

fn refactoring_blocks(workspace: &Workspace, findings: &mut Vec<Finding>) {
    let parse =
        |written: &Spanned<String>, file: &Path, findings: &mut Vec<Finding>| -> Option<Address> {
            written
                .value
                .parse::<Address>()
                .map_err(|error| {
                    findings.push(
                        Finding::error("invalid-address", error.to_string())
                            .at(file, &written.span),
                    );
                })
                .ok()
        };
    let declared = |address: &Address| workspace.declares(address);
    for moved in &workspace.moved {
        let (from, to) = (
            parse(&moved.block.from, &moved.file, findings),
            parse(&moved.block.to, &moved.file, findings),
        );
        if let (Some(from), Some(to)) = (from, to) {
            if from.kind != to.kind {
                findings.push(
                    Finding::error(
                        "invalid-address",
                        format!("cannot move {from} to {to}: a resource keeps its kind"),
                    )
                    .at(&moved.file, &moved.block.to.span),
                );
            } else if !declared(&to)
                && !workspace
                    .moved
                    .iter()
                    .any(|next| next.block.from.value == moved.block.to.value)
            {
                // A chain (a→b, b→c) passes through undeclared addresses; its end is declared.
                findings.push(
                    Finding::error(
                        "unknown-reference",
                        format!("`moved` goes to {to}, which no manifest declares"),
                    )
                    .at(&moved.file, &moved.block.to.span)
                    .help("declare the resource under its new name"),
                );
            }
        }
    }
    for import in &workspace.imports {
        if let Some(to) = parse(&import.block.to, &import.file, findings)
            && !declared(&to)
        {
            findings.push(
                Finding::error(
                    "unknown-reference",
                    format!("`import` adopts {to}, which no manifest declares"),
                )
                .at(&import.file, &import.block.to.span)
                .help("declare the resource the live one should become"),
            );
        }
    }
    for removed in &workspace.removed {
        if let Some(from) = parse(&removed.block.from, &removed.file, findings)
            && declared(&from)
        {
            findings.push(
                Finding::error(
                    "invalid-address",
                    format!("`removed` forgets {from}, which a manifest still declares"),
                )
                .at(&removed.file, &removed.block.from.span)
                .help("delete its declaration too"),
            );
        }
    }
}
