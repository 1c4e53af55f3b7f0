//! Who each work notification reaches once its departments are expanded from the live
//! directory (issue 13): the listed users and everyone in each listed department and below it
//! (the platform's `dept_id_list` includes sub-departments; `plan::directory` reads each
//! department once). The platform counts those people as it counts listed users: in the
//! recipients of one request (`recipients-per-request`), per minute (`recipients-per-minute`),
//! for identical content once a day (`same-content-daily`: a department and its parent, same
//! text) and in each user's daily total (`per-user-daily-*`).
//!
//! `validate` has no directory: it counts listed users, and departments only as a worst case.
//! [`check`] runs the plan's rules in `plan/rules/` on what each notification really reaches.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::directory::Directory;
use super::rules;
use crate::manifest::frequency::{DailyCounts, all_daily_counts};
use crate::model::limits::RECIPIENTS_PER_MINUTE;
use crate::model::{
    Address, AppKind, Declared, Finding, Notification, WorkNotification, Workspace,
};

/// What one work notification reaches.
#[derive(Debug)]
pub struct Reach<'a> {
    /// Its name.
    pub name: &'a str,
    /// As declared.
    pub declared: &'a Declared<Notification>,
    /// Its recipients as written.
    pub work: &'a WorkNotification,
    /// The listed users, each once, sorted.
    pub listed: BTreeSet<&'a str>,
    /// Everyone its departments bring, each once (the platform lists people still in the
    /// organization only).
    pub members: BTreeSet<&'a str>,
    /// For each department member who is not listed: the first listed department that
    /// brings them (for saying why a person is counted).
    pub via: BTreeMap<&'a str, u64>,
}

impl<'a> Reach<'a> {
    /// Whether it names departments the organization has.
    pub fn has_departments(&self) -> bool {
        !self.work.departments.is_empty()
    }

    /// Whether it goes to everyone (`all_users`: how many that is, the plan does not read).
    pub fn to_all(&self) -> bool {
        self.work.to_all_users()
    }

    /// Whether it reaches `user`, by name or through a department.
    pub fn reaches(&self, user: &str) -> bool {
        self.listed.contains(user) || self.members.contains(user)
    }

    /// How many people it reaches by name or through a department.
    pub fn count(&self) -> usize {
        self.listed.len() + self.via.len()
    }

    /// Everyone it reaches by name or through a department.
    pub fn users(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.listed.iter().copied().chain(self.via.keys().copied())
    }
}

/// What the rules see: every work notification's reach, its sends per day, the app's kind.
#[derive(Debug)]
pub struct Context<'a> {
    /// Work notifications, in name order.
    pub reaches: Vec<Reach<'a>>,
    /// Sends per platform day, by notification name (those whose schedule parses).
    pub daily: BTreeMap<String, std::sync::Arc<DailyCounts>>,
    /// The app's kind (its limits).
    pub app_kind: AppKind,
    /// The directory read (department names for messages).
    pub directory: &'a Directory,
}

impl Context<'_> {
    /// Whether any notification names a department: only then does the plan know more than
    /// `validate` did.
    pub fn has_departments(&self) -> bool {
        self.reaches.iter().any(Reach::has_departments)
    }

    /// How a finding names `user`: "user `u1003` (in Platform)" when a department brings them
    /// in one of `notifications` (the smallest such department: a parent says less).
    pub fn who(&self, user: &str, notifications: &[usize]) -> String {
        let via = notifications
            .iter()
            .filter_map(|&index| self.reaches[index].via.get(user))
            .min_by_key(|&&id| (self.directory.people_ref(id, true).len(), id));
        match via {
            Some(&id) => format!("user `{user}` (in {})", self.directory.name(id)),
            None => format!("user `{user}`"),
        }
    }
}

/// Each work notification's reach, in name order.
pub fn reaches<'a>(workspace: &'a Workspace, directory: &'a Directory) -> Vec<Reach<'a>> {
    let mut reaches = Vec::new();
    for (name, declared) in &workspace.notifications {
        let Some(work) = declared.spec.via.value.work_notification() else {
            continue;
        };
        let listed: BTreeSet<&str> = work.users.iter().map(|u| u.value.as_str()).collect();
        let mut members = BTreeSet::new();
        let mut via = BTreeMap::new();
        for department in &work.departments {
            let id = department.value;
            if !directory.knows(id) {
                continue; // `unknown-department`: nobody in it is reached
            }
            for person in directory.people_ref(id, true) {
                members.insert(person);
                if !listed.contains(person) {
                    via.entry(person).or_insert(id);
                }
            }
        }
        reaches.push(Reach {
            name,
            declared,
            work,
            listed,
            members,
            via,
        });
    }
    reaches
}

/// The counting rules on what each work notification reaches, with the live directory.
pub fn check(
    workspace: &Workspace,
    directory: &Directory,
    now: DateTime<Utc>,
    findings: &mut Vec<Finding>,
) {
    let reaches = reaches(workspace, directory);
    let wide = reaches.iter().any(Reach::has_departments);
    let total: usize = reaches.iter().map(Reach::count).sum();
    // With listed users only and never more than a minute's worth, `validate` knew it all.
    if !wide && total <= RECIPIENTS_PER_MINUTE {
        return;
    }
    let context = Context {
        reaches,
        daily: all_daily_counts(workspace, now),
        app_kind: workspace
            .settings
            .as_ref()
            .map_or(AppKind::Internal, |settings| settings.app_kind()),
        directory,
    };
    rules::recipients_per_minute::check(&context, findings);
    if !wide {
        return;
    }
    rules::recipients_per_request::check(&context, findings);
    rules::same_content_daily::check(&context, findings);
    rules::per_user_daily_internal::check(&context, findings);
    rules::per_user_daily_third_party::check(&context, findings);
}

/// The per-user daily count behind `per-user-daily-internal` and `-third-party`, with
/// departments' members counted: replaces `validate`'s count, which could only guess them.
pub fn per_user_daily(
    context: &Context<'_>,
    kind: AppKind,
    rule: &str,
    findings: &mut Vec<Finding>,
) {
    use std::collections::HashMap;

    use chrono::NaiveDate;

    if context.app_kind != kind || !context.has_departments() {
        return;
    }
    // `validate` counted departments as a worst case: the plan knows who is in them.
    findings.retain(|finding| finding.rule != rule);
    let limit = kind.daily_messages_per_user();
    let to_all: Vec<usize> = (0..context.reaches.len())
        .filter(|&index| context.reaches[index].to_all())
        .collect();
    // People who get the same notifications are counted once, together.
    let mut reached_by: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, reach) in context.reaches.iter().enumerate() {
        if reach.to_all() {
            continue;
        }
        for user in reach.users() {
            reached_by.entry(user).or_default().push(index);
        }
    }
    let mut alike: BTreeMap<Vec<usize>, &str> = BTreeMap::new();
    for (user, notifications) in reached_by {
        alike
            .entry(notifications)
            .and_modify(|first| *first = (*first).min(user))
            .or_insert(user);
    }
    if !to_all.is_empty() {
        alike.entry(Vec::new()).or_insert("");
    }
    // The worst (sends, day, notifications, user).
    let mut worst: Option<(u32, NaiveDate, Vec<usize>, &str)> = None;
    for (notifications, user) in alike {
        let mut per_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        for index in notifications.iter().chain(&to_all) {
            if let Some(daily) = context.daily.get(context.reaches[*index].name) {
                for (day, count) in &daily.days {
                    *per_day.entry(*day).or_default() += count.sends;
                }
            }
        }
        for (day, total) in per_day {
            let worse = worst.as_ref().is_none_or(|(most, first_day, _, _)| {
                total > *most || (total == *most && day < *first_day)
            });
            if total > limit && worse {
                worst = Some((total, day, notifications.clone(), user));
            }
        }
    }
    let Some((total, day, mut notifications, user)) = worst else {
        return;
    };
    notifications.extend(&to_all);
    notifications.sort_unstable();
    let who = if user.is_empty() {
        "every user".to_owned()
    } else {
        context.who(user, &notifications)
    };
    let kind_name = match kind {
        AppKind::Internal => "internal",
        AppKind::ThirdParty => "third-party",
    };
    for index in notifications {
        let reach = &context.reaches[index];
        let sends = context
            .daily
            .get(reach.name)
            .and_then(|daily| daily.days.get(&day))
            .map_or(0, |count| count.sends);
        if sends == 0 {
            continue;
        }
        findings.push(
            Finding::error(
                rule,
                format!(
                    "{who} would get {total} work notifications on {day} from all schedules together; a {kind_name} app may send {limit} a day"
                ),
            )
            .at(&reach.declared.file, &reach.declared.spec.schedule.span)
            .address(Address::notification(reach.name))
            .help("send less often, or to fewer overlapping recipients (a department counts with its sub-departments); the platform marks users past the limit as forbidden"),
        );
    }
}
