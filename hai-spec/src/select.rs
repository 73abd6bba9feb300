//! Narrowing a spec to the actions a caller names.
//!
//! Generated code costs compile time in proportion to the whole service (CVM has over a
//! hundred actions, VPC over four hundred), while a program usually calls a handful.
//! [`select_actions`] keeps those actions and exactly what they need, so the generator
//! can be handed the smaller spec unchanged.

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{Shape, Spec};
use crate::{SpecError, TypeRef, UniqueMap};

/// The most close matches an [`UnknownAction`] lists: more would bury the likely one.
pub const MAX_SUGGESTIONS: usize = 5;

/// Why a selection was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectError {
    /// The list named no action. A spec without actions generates a client with nothing
    /// to call, which is always a mistake of the caller (an empty flag, a missing list).
    NoActions,
    /// Names that are not actions of the spec, sorted, each with its close matches.
    Unknown(Vec<UnknownAction>),
    /// The spec given was not valid, so the selection from it is not either. Only a spec
    /// built or changed in code and never validated can get here.
    Invalid(SpecError),
}

/// A name in the selection that the spec has no action for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAction {
    /// The name as given.
    pub name: String,
    /// Actions of the spec with a similar name, best first, at most [`MAX_SUGGESTIONS`]:
    /// the same name in another case first, then by edit distance.
    pub suggestions: Vec<String>,
}

impl fmt::Display for UnknownAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown action {:?}", self.name)?;
        match self.suggestions.as_slice() {
            [] => f.write_str(" (no action has a similar name)"),
            [one] => write!(f, "; did you mean {one}?"),
            many => write!(f, "; did you mean one of {}?", many.join(", ")),
        }
    }
}

impl fmt::Display for SelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectError::NoActions => f.write_str("no action selected: name at least one"),
            SelectError::Unknown(unknown) => {
                for (i, u) in unknown.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    u.fmt(f)?;
                }
                Ok(())
            }
            SelectError::Invalid(e) => write!(f, "the spec to select from is not valid: {e}"),
        }
    }
}

impl std::error::Error for SelectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SelectError::Invalid(e) => Some(e),
            SelectError::NoActions | SelectError::Unknown(_) => None,
        }
    }
}

/// A copy of `spec` with only the actions `names` lists (repeats and order do not matter)
/// and what they need: the shapes their inputs and outputs reach through members, list
/// elements and map values, the catalogue entries of their error codes (all of
/// `errors.common`, which every action may return), and the resources whose describe
/// action is kept. The result is checked like a parsed spec.
pub fn select_actions<I>(spec: &Spec, names: I) -> Result<Spec, SelectError>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let wanted: BTreeSet<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
    if wanted.is_empty() {
        return Err(SelectError::NoActions);
    }
    let unknown: Vec<UnknownAction> = wanted
        .iter()
        .filter(|n| !spec.actions.contains_key(n.as_str()))
        .map(|n| UnknownAction {
            suggestions: suggestions(n, spec.actions.keys()),
            name: n.clone(),
        })
        .collect();
    if !unknown.is_empty() {
        return Err(SelectError::Unknown(unknown));
    }

    let actions: UniqueMap<_> = UniqueMap(
        spec.actions
            .iter()
            .filter(|(name, _)| wanted.contains(name.as_str()))
            .map(|(name, action)| (name.clone(), action.clone()))
            .collect(),
    );
    let shapes = reachable(spec, &actions);
    let codes: BTreeSet<&str> = actions
        .values()
        .flat_map(|a| a.errors.iter().map(String::as_str))
        .collect();

    let mut selected = spec.clone();
    selected
        .shapes
        .retain(|name, _| shapes.contains(name.as_str()));
    selected
        .errors
        .service
        .retain(|code, _| codes.contains(code.as_str()));
    selected
        .resources
        .retain(|_, r| actions.contains_key(r.describe.as_str()));
    selected.actions = actions;
    selected.validate().map_err(SelectError::Invalid)?;
    Ok(selected)
}

/// Names of the shapes the inputs and outputs of `actions` reach, themselves included.
fn reachable(spec: &Spec, actions: &UniqueMap<crate::Action>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = actions
        .values()
        .flat_map(|a| [a.input.clone(), a.output.clone()])
        .collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        // A type that does not parse names nothing here; validating the result reports it.
        let named = |text: &str| {
            TypeRef::parse(text)
                .ok()
                .and_then(|t| t.shape_name().map(str::to_owned))
        };
        match spec.shapes.get(&name) {
            Some(Shape::Structure(s)) => todo.extend(s.members.iter().filter_map(|m| named(&m.ty))),
            Some(Shape::List(l)) => todo.extend(named(&l.member)),
            Some(Shape::Map(m)) => todo.extend(named(&m.value)),
            Some(Shape::Enum(_)) | None => {}
        }
    }
    seen
}

/// Actions whose names are close to `name`: equal ignoring case, or within an edit
/// distance (ignoring case) of a quarter of its length, at least 2, best first. A looser
/// bound drowns the likely match in names sharing only the verb (`DescribeRegions` ->
/// `DescribeServices`).
fn suggestions<'a>(name: &str, actions: impl Iterator<Item = &'a String>) -> Vec<String> {
    let len = name.chars().count();
    let limit = (len / 4).max(2);
    let folded = name.to_ascii_lowercase();
    let mut close: Vec<(usize, usize, &str)> = actions
        // Edit distance is at least the difference in length; skipping those candidates
        // also keeps a very long name from costing a full comparison with every action.
        .filter(|a| a.chars().count().abs_diff(len) <= limit)
        .filter_map(|a| {
            let d = strsim::levenshtein(&folded, &a.to_ascii_lowercase());
            (d <= limit).then(|| (d, strsim::levenshtein(name, a), a.as_str()))
        })
        .collect();
    close.sort_unstable();
    close
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, _, a)| a.to_owned())
        .collect()
}
