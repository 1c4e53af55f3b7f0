//! `unknown-user`: the platform refuses a group or message call that names a userId the
//! organization does not have (oapi 660041 in group calls, 33012 / 60121 in the directory;
//! v1.0 `member.notFound`), and apply would stop halfway. An `error` at each place the id is
//! written. `dingform explain unknown-user`.

use crate::model::Finding;
use crate::model::suggest::{nearest, with_suggestion};
use crate::plan::names::{Names, UserStatus, known_users};
use crate::plan::refresh::Live;

/// Add an error at each place an unknown userId is written.
pub fn check(names: &Names, live: &Live, findings: &mut Vec<Finding>) {
    let known = known_users(live);
    for (userid, places) in &names.users {
        if live.names.users.get(userid) != Some(&UserStatus::Unknown) {
            continue;
        }
        let near = nearest(userid, known.iter().copied());
        for place in places {
            let finding = Finding::error(
                "unknown-user",
                format!(
                    "{} `{userid}` is not a user of the organization",
                    place.role.label()
                ),
            )
            .at(&place.file, &place.span)
            .address(&place.address);
            findings.push(with_suggestion(
                finding,
                near,
                "the platform refuses any request naming it; userIds are listed in the admin console's contacts",
            ));
        }
    }
}
