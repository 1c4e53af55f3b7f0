//! `unknown-department`: a department id the organization does not have is refused by the
//! directory (60003) and left out of a work notification (`invalid_dept_id_list` in the send
//! result): nobody in it is reached. An `error` at the department's place.
//! `dingform explain unknown-department`.

use crate::model::Finding;
use crate::plan::names::{Directory, Names, nearest, with_suggestion};

/// Add an error at each place an unknown department is written.
pub fn check(names: &Names, directory: &Directory, findings: &mut Vec<Finding>) {
    let known: Vec<String> = directory
        .departments
        .iter()
        .filter(|(_, exists)| **exists)
        .map(|(id, _)| *id)
        .chain(directory.known_departments.iter().copied())
        .map(|id| id.to_string())
        .collect();
    for (id, places) in &names.departments {
        if directory.departments.get(id) != Some(&false) {
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
