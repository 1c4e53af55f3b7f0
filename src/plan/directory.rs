//! The part of the live directory that groups with `members_from` follow (issue 17): for each
//! department a manifest lists, its name (`/topapi/v2/department/get`), its direct members
//! (`/topapi/user/listid`) and, with `sub_departments: true`, every department below it
//! (`/topapi/v2/department/listsubid`, walked down); and whether each `members_from.except`
//! userId exists (`/topapi/v2/user/get`).
//!
//! Each department is read once per plan however many groups name it, concurrently, paced by
//! the client's per-API rate limiter like every other read.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use tokio::task::JoinSet;

use super::refresh::RefreshError;
use crate::model::Workspace;
use crate::provider::{ApiError, DingTalkApi, ErrorKind};

/// What the directory said, by department id and by excepted userId.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Directory {
    /// Every department read: the listed ones and, where asked, those below them.
    pub departments: BTreeMap<u64, DepartmentRead>,
    /// The userIds written in `members_from.except`, and what the directory knows of each.
    pub except: BTreeMap<String, UserLookup>,
    /// Requests sent.
    pub reads: u64,
}

/// One department as read.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DepartmentRead {
    /// False when the platform has no such department (60003).
    pub known: bool,
    /// Its name (read for the departments a manifest lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its direct members, sorted (the platform lists only people still in the organization).
    pub users: Vec<String>,
    /// Its direct sub-departments (read only when a group wants them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_departments: Option<Vec<u64>>,
}

/// What the directory knows of a userId.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserLookup {
    /// In the organization.
    Known,
    /// Left the organization (60121): nothing to except, but no mistake either.
    Departed,
    /// Never heard of (33012): a typo.
    Unknown,
}

/// What the manifests ask of the directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Listed departments, and whether any group wants their sub-departments.
    pub departments: BTreeMap<u64, bool>,
    /// Every userId of `members_from.except`.
    pub except: BTreeSet<String>,
}

impl Needs {
    /// What the groups of `workspace` with `members_from` need.
    pub fn of(workspace: &Workspace) -> Needs {
        let mut needs = Needs::default();
        for group in workspace.groups.values() {
            let Some(from) = &group.spec.members_from else {
                continue;
            };
            for department in &from.departments {
                *needs.departments.entry(department.value).or_default() |= from.sub_departments;
            }
            needs
                .except
                .extend(from.except.iter().map(|user| user.value.clone()));
        }
        needs
    }

    /// Whether nothing is needed (no group follows the org chart).
    pub fn is_empty(&self) -> bool {
        self.departments.is_empty() && self.except.is_empty()
    }
}

enum Answer {
    Name(u64, Result<String, ApiError>),
    Users(u64, Result<Vec<String>, ApiError>),
    Subs(u64, Result<Vec<i64>, ApiError>),
    User(String, Result<(), ApiError>),
}

/// The platform's "no such department" (60003) or "no such user" (33012, 60121).
fn not_found(error: &ApiError) -> bool {
    error.kind() == ErrorKind::NotFound
}

/// Read what `needs` asks, each department once.
pub async fn read<A: DingTalkApi + 'static>(
    api: Arc<A>,
    needs: Needs,
) -> Result<Directory, RefreshError> {
    let mut directory = Directory::default();
    let mut tasks = JoinSet::new();
    let mut asked_users = BTreeSet::new();
    let mut asked_subs = BTreeSet::new();
    let users = |tasks: &mut JoinSet<Answer>, id: u64| {
        let api = api.clone();
        tasks.spawn(async move { Answer::Users(id, api.department_user_ids(id as i64).await) });
    };
    let subs = |tasks: &mut JoinSet<Answer>, id: u64| {
        let api = api.clone();
        tasks.spawn(async move { Answer::Subs(id, api.sub_departments(id as i64).await) });
    };
    for (&id, &want_subs) in &needs.departments {
        let api = api.clone();
        tasks.spawn(async move { Answer::Name(id, api.department_name(id as i64).await) });
        asked_users.insert(id);
        users(&mut tasks, id);
        if want_subs {
            asked_subs.insert(id);
            subs(&mut tasks, id);
        }
    }
    for userid in needs.except {
        let api = api.clone();
        tasks.spawn(async move {
            let found = api.get_user(&userid).await.map(|_| ());
            Answer::User(userid, found)
        });
    }
    let failed = |what: String, source: ApiError| RefreshError { what, source };
    while let Some(joined) = tasks.join_next().await {
        directory.reads += 1;
        match joined.expect("directory reads do not panic") {
            Answer::Name(id, read) => {
                let department = directory.departments.entry(id).or_default();
                match read {
                    Ok(name) => {
                        department.known = true;
                        department.name = Some(name);
                    }
                    Err(error) if not_found(&error) => department.known = false,
                    Err(error) => return Err(failed(format!("department {id}"), error)),
                }
            }
            Answer::Users(id, read) => {
                let department = directory.departments.entry(id).or_default();
                match read {
                    Ok(mut users) => {
                        users.sort();
                        users.dedup();
                        department.users = users;
                        // A sub-department is known by being listed under its parent.
                        department.known |= !needs.departments.contains_key(&id);
                    }
                    Err(error) if not_found(&error) => department.known = false,
                    Err(error) => {
                        return Err(failed(format!("the members of department {id}"), error));
                    }
                }
            }
            Answer::Subs(id, read) => {
                let children: Vec<u64> = match read {
                    Ok(children) => children
                        .into_iter()
                        .filter_map(|child| u64::try_from(child).ok())
                        .collect(),
                    Err(error) if not_found(&error) => Vec::new(),
                    Err(error) => {
                        return Err(failed(
                            format!("the sub-departments of department {id}"),
                            error,
                        ));
                    }
                };
                for &child in &children {
                    if asked_subs.insert(child) {
                        subs(&mut tasks, child);
                    }
                    if asked_users.insert(child) {
                        users(&mut tasks, child);
                    }
                }
                directory.departments.entry(id).or_default().sub_departments = Some(children);
            }
            Answer::User(userid, read) => {
                let lookup = match read {
                    Ok(()) => UserLookup::Known,
                    Err(error) if error.code() == Some("60121") => UserLookup::Departed,
                    Err(error) if not_found(&error) => UserLookup::Unknown,
                    Err(error) => return Err(failed(format!("user {userid}"), error)),
                };
                directory.except.insert(userid, lookup);
            }
        }
    }
    Ok(directory)
}

impl Directory {
    /// Everyone department `id` brings: its direct members and, with `sub_departments`, the
    /// members of every department below it (each department counted once, cycles cut).
    pub fn people(&self, id: u64, sub_departments: bool) -> BTreeSet<String> {
        let mut people = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut queue = vec![id];
        while let Some(next) = queue.pop() {
            if !seen.insert(next) {
                continue;
            }
            let Some(department) = self.departments.get(&next) else {
                continue;
            };
            people.extend(department.users.iter().cloned());
            if sub_departments {
                queue.extend(department.sub_departments.iter().flatten().copied());
            }
        }
        people
    }

    /// Whether the platform knows department `id`.
    pub fn knows(&self, id: u64) -> bool {
        self.departments.get(&id).is_some_and(|d| d.known)
    }

    /// The department's name as the platform gave it, else "department ID".
    pub fn name(&self, id: u64) -> String {
        self.departments
            .get(&id)
            .and_then(|d| d.name.clone())
            .unwrap_or_else(|| format!("department {id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn department(users: &[&str], subs: Option<&[u64]>) -> DepartmentRead {
        DepartmentRead {
            known: true,
            name: None,
            users: users.iter().map(|u| (*u).to_owned()).collect(),
            sub_departments: subs.map(<[u64]>::to_vec),
        }
    }

    #[test]
    fn people_walk_sub_departments_only_when_asked_and_survive_a_cycle() {
        let mut directory = Directory::default();
        directory
            .departments
            .insert(1, department(&["a"], Some(&[2])));
        directory
            .departments
            .insert(2, department(&["b"], Some(&[3, 1])));
        directory
            .departments
            .insert(3, department(&["c", "a"], Some(&[])));
        assert_eq!(directory.people(1, false), BTreeSet::from(["a".to_owned()]));
        assert_eq!(
            directory.people(1, true),
            BTreeSet::from(["a".to_owned(), "b".to_owned(), "c".to_owned()])
        );
        assert!(directory.people(9, true).is_empty());
    }
}
