//! `departed-user`: a user who has left the organization cannot be made owner or admin of a
//! group, nor added to one; the platform refuses the request (`member.notFound`, 660041).
//! An `error` for an owner, an admin, and a listed member who is not in the group yet (a
//! departed member still in a standard group is `standard-group-departed`'s warning); a
//! `warning` for a work-notification recipient, whom the platform lists as invalid and never
//! reaches. `dingform explain departed-user`.

use crate::model::Finding;
use crate::plan::names::{Names, Role, UserStatus};
use crate::plan::refresh::{GroupRead, Live};

/// Add a finding at each place a departed user is written.
pub fn check(names: &Names, live: &Live, findings: &mut Vec<Finding>) {
    for (userid, places) in &names.users {
        if live.names.users.get(userid) != Some(&UserStatus::Departed) {
            continue;
        }
        for place in places {
            let in_group = || match live.groups.get(&place.address) {
                Some(GroupRead::Found { attributes, .. }) => {
                    attributes.members.iter().any(|member| member == userid)
                }
                _ => false,
            };
            let finding = match place.role {
                Role::Owner | Role::Admin => Finding::error(
                    "departed-user",
                    format!(
                        "{} `{userid}` has left the organization and cannot be made {}",
                        place.role.label(),
                        if place.role == Role::Owner { "owner" } else { "admin" }
                    ),
                )
                .help("the platform refuses it; name someone who is still in the organization"),
                Role::Member if !in_group() => Finding::error(
                    "departed-user",
                    format!(
                        "member `{userid}` has left the organization: adding them would be refused"
                    ),
                )
                .help("remove them from `members`"),
                Role::Recipient => Finding::warning(
                    "departed-user",
                    format!("recipient `{userid}` has left the organization and will not receive it"),
                )
                .help("the platform lists them as an invalid user in the send result; remove them from `users`"),
                _ => continue,
            };
            findings.push(finding.at(&place.file, &place.span).address(&place.address));
        }
    }
}
