//! The part of the live directory the manifests' departments reach: groups with `members_from`
//! (issue 17) and work notifications to departments (issue 13). For each department a manifest
//! lists (`plan::names` collects them), its name (`/topapi/v2/department/get`; 60003 when it
//! does not exist), its direct members (`/topapi/user/listid`) and, where needed, every
//! department below it (`/topapi/v2/department/listsubid`, walked down): a work notification
//! reaches the sub-departments, `members_from` with `sub_departments: true`.
//!
//! Each department is read once per plan however many groups and notifications name it,
//! concurrently, paced by the client's per-API rate limiter like every other read.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use tokio::task::JoinSet;

use super::names::Names;
use super::refresh::RefreshError;
use crate::provider::{ApiError, DingTalkApi, ErrorKind};

/// What the directory said, by department id.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Directory {
    /// Every department read: the listed ones and, where asked, those below them.
    pub departments: BTreeMap<u64, DepartmentRead>,
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

/// What the manifests ask of the directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Listed departments, and whether their sub-departments are wanted too.
    pub departments: BTreeMap<u64, bool>,
}

impl Needs {
    /// The departments the manifests name (`plan::names` collects them, with where).
    pub fn of(names: &Names) -> Needs {
        let departments = names
            .departments
            .keys()
            // Names keeps the manifest's u64 as i64; the cast back is exact.
            .map(|&id| (id as u64, names.sub_departments.contains(&id)))
            .collect();
        Needs { departments }
    }

    /// Whether nothing is needed (no manifest names a department).
    pub fn is_empty(&self) -> bool {
        self.departments.is_empty()
    }
}

enum Answer {
    Name(u64, Result<String, ApiError>),
    Users(u64, Result<Vec<String>, ApiError>),
    Subs(u64, Result<Vec<i64>, ApiError>),
}

/// The platform's "no such department" (60003).
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
        }
    }
    Ok(directory)
}

impl Directory {
    /// Everyone department `id` brings: its direct members and, with `sub_departments`, the
    /// members of every department below it (each department counted once, cycles cut).
    pub fn people(&self, id: u64, sub_departments: bool) -> BTreeSet<String> {
        self.people_ref(id, sub_departments)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// [`Directory::people`], borrowed from the directory.
    pub fn people_ref(&self, id: u64, sub_departments: bool) -> BTreeSet<&str> {
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
            people.extend(department.users.iter().map(String::as_str));
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
