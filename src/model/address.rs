//! Resource kinds, names and addresses (`group.NAME`, `bot.NAME`, `notification.NAME`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The three kinds of resource a manifest declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    /// A chat group (`groups:`).
    Group,
    /// A bot (`bots:`).
    Bot,
    /// A scheduled notification (`notifications:`).
    Notification,
}

impl ResourceKind {
    /// The address prefix: `group`, `bot`, `notification`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Bot => "bot",
            Self::Notification => "notification",
        }
    }

    /// Every kind, in address order.
    pub const ALL: [ResourceKind; 3] = [Self::Group, Self::Bot, Self::Notification];
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest resource name accepted.
pub const MAX_NAME_LEN: usize = 63;

/// Why a name is not a valid resource name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty name.
    #[error("a name cannot be empty")]
    Empty,
    /// Longer than [`MAX_NAME_LEN`].
    #[error("`{0}` is longer than {MAX_NAME_LEN} characters")]
    TooLong(String),
    /// Starts with something other than a lowercase letter or digit, or contains other
    /// characters than lowercase letters, digits, `-` and `_`.
    #[error("`{0}` must start with a lowercase letter or digit and use only a-z, 0-9, `-` and `_`")]
    BadCharacters(String),
}

/// Checks a resource name: `^[a-z0-9][a-z0-9_-]{0,62}$`. Names become addresses, file-safe
/// identifiers and (through the address) creation UUIDs, so they are kept to a portable set.
pub fn check_name(name: &str) -> Result<(), NameError> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err(NameError::Empty);
    };
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong(name.to_owned()));
    }
    let lower_or_digit = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !lower_or_digit(first) || !chars.all(|c| lower_or_digit(c) || c == '-' || c == '_') {
        return Err(NameError::BadCharacters(name.to_owned()));
    }
    Ok(())
}

/// A resource address: kind and name, written `kind.name`. Addresses sort as their text does
/// (`bot.` before `group.` before `notification.`), so maps keyed by them keep the order the
/// state file and the plan have always had.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Address {
    /// The kind.
    pub kind: ResourceKind,
    /// The name (valid per [`check_name`]).
    pub name: String,
}

impl Address {
    /// The address of a resource of `kind` named `name` (the name is not checked).
    pub fn new(kind: ResourceKind, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
        }
    }

    /// `group.NAME`.
    pub fn group(name: impl Into<String>) -> Self {
        Self::new(ResourceKind::Group, name)
    }

    /// `bot.NAME`.
    pub fn bot(name: impl Into<String>) -> Self {
        Self::new(ResourceKind::Bot, name)
    }

    /// `notification.NAME`.
    pub fn notification(name: impl Into<String>) -> Self {
        Self::new(ResourceKind::Notification, name)
    }

    /// The name, when this is an address of `kind`.
    pub fn name_of(&self, kind: ResourceKind) -> Option<&str> {
        (self.kind == kind).then_some(self.name.as_str())
    }
}

impl Ord for Address {
    /// The order of the text `kind.name`: no kind is a prefix of another, so comparing the
    /// kinds' words and then the names byte by byte is comparing the strings.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.kind.as_str(), self.name.as_str()).cmp(&(other.kind.as_str(), other.name.as_str()))
    }
}

impl PartialOrd for Address {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.kind, self.name)
    }
}

/// As its text, written straight into the output (a plan or state of 20,000 groups makes no
/// string per address to serialize it).
impl Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Why a string is not an address.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// No `kind.` prefix or an unknown kind.
    #[error("`{0}` is not an address: expected `group.NAME`, `bot.NAME` or `notification.NAME`")]
    BadKind(String),
    /// The name part is not a valid name.
    #[error("bad name in address: {0}")]
    BadName(#[from] NameError),
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, name) = text
            .split_once('.')
            .ok_or_else(|| AddressError::BadKind(text.to_owned()))?;
        let kind = match kind {
            "group" => ResourceKind::Group,
            "bot" => ResourceKind::Bot,
            "notification" => ResourceKind::Notification,
            _ => return Err(AddressError::BadKind(text.to_owned())),
        };
        check_name(name)?;
        Ok(Self::new(kind, name))
    }
}

impl TryFrom<String> for Address {
    type Error = AddressError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

/// An address equals the text it is written as (a `moved:` or `import:` block's address, a
/// test's expectation), compared without allocating.
impl PartialEq<str> for Address {
    fn eq(&self, text: &str) -> bool {
        text.split_once('.')
            .is_some_and(|(kind, name)| kind == self.kind.as_str() && name == self.name)
    }
}

impl PartialEq<&str> for Address {
    fn eq(&self, text: &&str) -> bool {
        self == *text
    }
}

impl From<&Address> for Address {
    fn from(address: &Address) -> Self {
        address.clone()
    }
}

impl From<Address> for String {
    fn from(address: Address) -> Self {
        address.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_pattern() {
        assert!(check_name("payments-oncall").is_ok());
        assert!(check_name("a_1").is_ok());
        assert_eq!(check_name(""), Err(NameError::Empty));
        assert!(matches!(
            check_name("Payments"),
            Err(NameError::BadCharacters(_))
        ));
        assert!(matches!(check_name("-x"), Err(NameError::BadCharacters(_))));
        assert!(matches!(
            check_name(&"a".repeat(64)),
            Err(NameError::TooLong(_))
        ));
    }

    #[test]
    fn addresses_round_trip() {
        let address: Address = "group.payments-oncall".parse().unwrap();
        assert_eq!(
            address,
            Address::new(ResourceKind::Group, "payments-oncall")
        );
        assert_eq!(address.to_string(), "group.payments-oncall");
        assert!("team.x".parse::<Address>().is_err());
        assert!("group.X".parse::<Address>().is_err());
        assert!("group".parse::<Address>().is_err());
        assert!("group.".parse::<Address>().is_err());
    }

    #[test]
    fn addresses_serialize_as_their_text_as_values_and_as_keys() {
        let address = Address::group("a-b");
        let map = std::collections::BTreeMap::from([(address.clone(), address)]);
        let text = serde_json::to_string(&map).unwrap();
        assert_eq!(text, r#"{"group.a-b":"group.a-b"}"#);
        let back: std::collections::BTreeMap<Address, Address> =
            serde_json::from_str(&text).unwrap();
        assert_eq!(back, map);
        let error = serde_json::from_str::<Address>(r#""team.x""#).unwrap_err();
        assert!(
            error.to_string().contains("`team.x` is not an address"),
            "{error}"
        );
    }

    #[test]
    fn addresses_sort_as_their_text() {
        let texts = [
            "notification.a",
            "group.z",
            "group.a-b",
            "group.a",
            "group.a_b",
            "bot.zz",
            "group.a0",
            "notification.",
        ];
        let mut by_text: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| t.parse::<Address>().is_ok())
            .collect();
        let mut typed: Vec<Address> = by_text.iter().map(|t| t.parse().unwrap()).collect();
        by_text.sort_unstable();
        typed.sort();
        let typed: Vec<String> = typed.iter().map(Address::to_string).collect();
        assert_eq!(typed, by_text);
    }
}
