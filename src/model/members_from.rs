//! [`MembersFrom`]: a group's membership that follows the organization chart (issue 17).
//!
//! The plan resolves it from the live directory at every run (`plan::members_from`): everyone
//! directly in the listed departments, in their sub-departments too when asked, less the
//! people excepted. The result joins the listed `members`; `members_policy` decides whether
//! people in neither are removed (`exact`) or left alone (`additive`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::span::Spanned;

/// Everyone in some departments, as the directory says at plan time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersFrom {
    /// Department ids whose members belong in the group (an unknown id is the
    /// `unknown-department` error at its line).
    pub departments: Vec<Spanned<u64>>,
    /// Include the members of every department below the listed ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sub_departments: bool,
    /// userIds left out even though their department is listed (listing one in `members`
    /// still adds them). An unknown userId is the `unknown-user` error at its line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<Spanned<String>>,
}
