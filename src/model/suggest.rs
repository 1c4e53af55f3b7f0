//! "Did you mean": the known name nearest to a mistyped one, for every finding about an
//! unknown name (keys, references, users, templates, departments, rule ids).

use super::Finding;

/// The candidate nearest to `name`, when it is close enough to be a typo of it.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| (strsim::damerau_levenshtein(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// `help` with "did you mean `X`?" in front when a near name is known.
pub fn with_suggestion(finding: Finding, suggestion: Option<&str>, help: &str) -> Finding {
    finding.help(suggested(suggestion, help))
}

/// The help text itself: "did you mean `X`? " and `help`, or `help` alone.
pub fn suggested(suggestion: Option<&str>, help: &str) -> String {
    match suggestion {
        Some(near) => format!("did you mean `{near}`? {help}"),
        None => help.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_suggests_the_nearest_known_name() {
        let known = ["u1001", "u1002", "manager4220"];
        assert_eq!(nearest("u1020", known), Some("u1002"));
        assert_eq!(nearest("manger4220", known), Some("manager4220"));
        assert_eq!(nearest("zzzzzz", known), None);
    }
}
