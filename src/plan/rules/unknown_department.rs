//! `unknown-department`: a department id the organization does not have is refused by the
//! directory (60003) and left out of a work notification (`invalid_dept_id_list` in the send
//! result): nobody in it is reached. An `error` at each place the department is written — a
//! work notification's `departments` and `members_from.departments` alike.
//! `dingform explain unknown-department`.

use crate::model::Finding;
use crate::model::suggest::{nearest, with_suggestion};
use crate::plan::directory::Directory;
use crate::plan::names::Names;

/// Add an error at each place an unknown department is written.
pub fn check(names: &Names, directory: &Directory, findings: &mut Vec<Finding>) {
    // Suggestions: the departments read and those seen below them.
    let known: Vec<String> = directory
        .departments
        .iter()
        .filter(|(_, read)| read.known)
        .map(|(id, _)| *id)
        .chain(
            directory
                .departments
                .values()
                .flat_map(|read| read.sub_departments.iter().flatten().copied()),
        )
        .map(|id| id.to_string())
        .collect();
    for (id, places) in &names.departments {
        // Names keeps the manifest's u64 as i64; the cast back is exact.
        let id = *id as u64;
        // A department that was not read is not judged; one that was, by the platform's word.
        if directory.departments.get(&id).is_none_or(|read| read.known) {
            continue;
        }
        let text = id.to_string();
        let near = nearest(&text, known.iter().map(String::as_str));
        for place in places {
            let finding = Finding::error(
                "unknown-department",
                format!("the organization has no department {id}"),
            )
            .at(&place.file, &place.span)
            .address(&place.address);
            findings.push(with_suggestion(
                finding,
                near,
                "department ids are shown in the admin console's contacts (Organization → department → ID)",
            ));
        }
    }
}
