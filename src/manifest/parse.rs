//! Parsing one file's text into the model, with bounded resources and every parser error
//! turned into a [`Finding`] at its `file:line:col`.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_saphyr::{Budget, Error as YamlError, Options, options::DuplicateKeyPolicy};

use crate::model::{Address, Finding, Manifest, ResourceKind, Settings, Span, suggest};

/// Most nested mappings/sequences accepted: far beyond any real manifest, far below a stack
/// overflow.
pub(super) const MAX_DEPTH: usize = 64;
/// Most YAML events a file may replay through aliases ("billion laughs" stops here).
const MAX_REPLAYED_EVENTS: usize = 200_000;

pub(super) fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_documents = 1;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.alias_limits.max_total_replayed_events = MAX_REPLAYED_EVENTS;
    options.alias_limits.max_alias_expansions_per_anchor = 1_000;
    options.with_snippet = false;
    // Comments are never read into the model; not keeping their text saves time.
    options.emit_comments = false;
    options
}

/// Parses a manifest file. An empty file (or one holding only comments) is an empty manifest.
pub fn parse_manifest(file: &Path, text: &str) -> Result<Manifest, Box<Finding>> {
    parse::<Manifest>(file, text).map(Option::unwrap_or_default)
}

/// Parses `dingform.yaml`. An empty file is an error: `organization` is required.
pub fn parse_settings(file: &Path, text: &str) -> Result<Settings, Box<Finding>> {
    let settings = parse::<Settings>(file, text)?.ok_or_else(|| {
        Box::new(
            Finding::error(
                "missing-key",
                "the workspace file is empty: `organization` is required",
            )
            .in_file(file)
            .help("start it with `organization: <name as DingTalk shows it>`"),
        )
    })?;
    check_state_setting(file, &settings)?;
    Ok(settings)
}

/// `state: {url, key}`: no secret in the URL (it comes from the environment).
fn check_state_setting(file: &Path, settings: &Settings) -> Result<(), Box<Finding>> {
    let Some(shared) = settings.shared_state() else {
        return Ok(());
    };
    if let Some(url) = &shared.url
        && crate::model::settings::url_has_secret(&url.value)
    {
        return Err(Box::new(
            Finding::error(
                "secret-in-settings",
                "a password or secret in `state.url`: secrets come only from the environment",
            )
            .at(file, &url.span)
            .help("remove it from the URL and set PGPASSWORD (or DINGFORM_STATE_URL) in the environment instead"),
        ));
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(file: &Path, text: &str) -> Result<Option<T>, Box<Finding>> {
    // Plain YAML reads fast; anything else (and every error) through serde-saphyr, which
    // then gives the same value or the finding's words (issue 15).
    if let Some(parsed) = super::fast::parse::<T>(text) {
        return Ok(parsed);
    }
    serde_saphyr::from_str_with_options::<Option<T>>(text, options())
        .map_err(|error| Box::new(yaml_finding(file, text, &error)))
}

/// Turns a YAML parser error into a finding with a rule id that says what kind of mistake it is.
fn yaml_finding(file: &Path, text: &str, error: &YamlError) -> Finding {
    let inner = original_error(error);
    let (rule, message, help) = match inner {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (
            "unknown-key",
            format!("unknown key `{field}`"),
            Some(if crate::model::secrets::is_secret_key(field) {
                "secrets never go in files: the app's come from DINGTALK_APP_KEY and \
                 DINGTALK_APP_SECRET, a webhook's from the variables its `token_env` and \
                 `secret_env` name, a database password from PGPASSWORD (in CI: masked secrets)"
                    .to_owned()
            } else {
                let near = suggest::nearest(field, expected.iter().copied());
                suggest::suggested(near, &expected_help(expected))
            }),
        ),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            "invalid-value",
            format!("unknown value `{variant}`"),
            Some(expected_help(expected)),
        ),
        YamlError::SerdeMissingField { field, .. } => {
            ("missing-key", format!("missing key `{field}`"), None)
        }
        YamlError::DuplicateMappingKey { key, .. } => (
            "duplicate-key",
            match key {
                Some(key) => format!("key `{key}` appears twice in the same mapping"),
                None => "a key appears twice in the same mapping".to_owned(),
            },
            Some("keep one of them".to_owned()),
        ),
        YamlError::SerdeInvalidType { .. }
        | YamlError::SerdeInvalidValue { .. }
        | YamlError::SerdeInvalidLength { .. }
        | YamlError::InvalidScalar { .. }
        | YamlError::InvalidBooleanStrict { .. }
        | YamlError::NullIntoString { .. }
        | YamlError::Unexpected { .. } => ("invalid-type", super::wording::message(inner), None),
        YamlError::Budget {
            breach: serde_saphyr::budget::BudgetBreach::Documents { .. },
            ..
        } => (
            "yaml-syntax",
            "a second YAML document (`---`): a manifest file holds one".to_owned(),
            Some("put the second document in a file of its own".to_owned()),
        ),
        YamlError::Budget { .. }
        | YamlError::AliasReplayLimitExceeded { .. }
        | YamlError::AliasExpansionLimitExceeded { .. }
        | YamlError::AliasReplayStackDepthExceeded { .. }
        | YamlError::AliasReplayCounterOverflow { .. } => (
            "yaml-too-complex",
            super::wording::too_complex(MAX_DEPTH),
            Some("flatten the nesting, or write out what the aliases repeat".to_owned()),
        ),
        YamlError::InvalidUtf8Input => (
            "invalid-utf8",
            "the file is not valid UTF-8".to_owned(),
            None,
        ),
        _ => ("yaml-syntax", super::wording::message(inner), None),
    };
    let span = inner
        .location()
        .map(|location| clamp(Span::from_yaml(&location), text))
        .unwrap_or_default();
    let mut finding = Finding::error(rule, message).at(file, &span);
    finding.help = help;
    finding.address = enclosing_address(text, span.line as usize);
    finding
}

/// The address of the resource whose block holds `line` (1-based), read from the indentation
/// of the lines above it: the parser's error knows the position, not the resource, and a
/// finding with its address is easier to act on. None outside `groups`/`bots`/`notifications`
/// or when the layout cannot tell (everything on one line).
pub fn enclosing_address(text: &str, line: usize) -> Option<Address> {
    let lines: Vec<&str> = text.lines().take(line).collect();
    let mut ancestors: Vec<&str> = Vec::new();
    let mut indent_limit = usize::MAX;
    for (index, raw) in lines.iter().enumerate().rev() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('-') {
            continue;
        }
        let indent = raw.len() - trimmed.len();
        let is_error_line = index + 1 == line;
        if indent < indent_limit || (is_error_line && indent_limit == usize::MAX) {
            let Some((key, _)) = trimmed.split_once(':') else {
                continue;
            };
            ancestors.push(key.trim().trim_matches(['"', '\'']));
            indent_limit = indent;
            if indent == 0 {
                break;
            }
        }
    }
    let mut outer = ancestors.iter().rev();
    let kind = match *outer.next()? {
        "groups" => ResourceKind::Group,
        "bots" => ResourceKind::Bot,
        "notifications" => ResourceKind::Notification,
        _ => return None,
    };
    outer.next().map(|name| Address::new(kind, *name))
}

/// The error itself, out of the wrappers that add a snippet or an alias's locations.
fn original_error(mut error: &YamlError) -> &YamlError {
    while let YamlError::AliasError { error: inner, .. }
    | YamlError::WithSnippet { error: inner, .. } = error
    {
        error = inner;
    }
    error
}

fn expected_help(expected: &[&str]) -> String {
    if expected.is_empty() {
        return "this mapping takes no keys here".to_owned();
    }
    let list: Vec<String> = expected.iter().map(|name| format!("`{name}`")).collect();
    format!("expected one of {}", list.join(", "))
}

/// Keeps a parser-reported span inside the text (an error at end of input may point past it).
fn clamp(mut span: Span, text: &str) -> Span {
    let end = text.len();
    span.bytes.start = span.bytes.start.min(end);
    span.bytes.end = span.bytes.end.clamp(span.bytes.start, end);
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses with our options into a type that accepts any structure, so the budget (not
    /// a type mismatch) is what stops the input.
    fn permissive(text: &str) -> Result<serde_json::Value, YamlError> {
        serde_saphyr::from_str_with_options::<serde_json::Value>(text, options())
    }

    #[test]
    fn the_budget_stops_a_billion_laughs() {
        let mut bomb = String::from("x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let refs = vec![format!("*x{}", level - 1); 10].join(", ");
            bomb.push_str(&format!("x{level}: &x{level} [{refs}]\n"));
        }
        let error = permissive(&bomb).expect_err("the bomb must not expand");
        let finding = yaml_finding(Path::new("bomb.yaml"), &bomb, &error);
        assert_eq!(finding.rule, "yaml-too-complex", "{finding:?}");
    }

    #[test]
    fn the_budget_stops_deep_nesting() {
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_DEPTH + 10),
            "]".repeat(MAX_DEPTH + 10)
        );
        let error = permissive(&deep).expect_err("too deep");
        assert_eq!(
            yaml_finding(Path::new("deep.yaml"), &deep, &error).rule,
            "yaml-too-complex"
        );
        let shallow = format!("{}{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
        assert!(permissive(&shallow).is_ok());
    }

    #[test]
    fn the_enclosing_resource_is_read_from_indentation() {
        let text = "# c\ngroups:\n  payments:\n    title: P\n\n    settings:\n      bad: 1\nbots:\n  a: {name: [x}\n";
        assert_eq!(
            enclosing_address(text, 7).map(|a| a.to_string()).as_deref(),
            Some("group.payments")
        );
        assert_eq!(
            enclosing_address(text, 3).map(|a| a.to_string()).as_deref(),
            Some("group.payments")
        );
        assert_eq!(
            enclosing_address(text, 9).map(|a| a.to_string()).as_deref(),
            Some("bot.a")
        );
        assert_eq!(enclosing_address(text, 2), None);
        assert_eq!(enclosing_address("moved:\n  - {from: x}\n", 2), None);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let error = permissive("a: 1\na: 2\n").expect_err("duplicate");
        assert_eq!(
            yaml_finding(Path::new("d.yaml"), "a: 1\na: 2\n", &error).rule,
            "duplicate-key"
        );
    }
}
