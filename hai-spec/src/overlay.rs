//! The overlay: everything a spec says that Tencent's `api.json` does not.
//!
//! A spec file is written as `import(api.json, errors.json) + overlay` by
//! `cargo xtask import-tencent`; the overlay file (checked in beside the spec,
//! `hai-2023-08-12.overlay.json`) holds the hand-written parts, keyed by action, shape and
//! member, so a refresh from a new Tencent release keeps them. [`apply`] merges an overlay
//! into an imported spec and reports what no longer matches; [`extract`] computes the
//! overlay that turns one spec into another (used once, to move hand edits out of a spec).
//!
//! # Format
//!
//! ```json
//! {
//!   "format": 1,
//!   "service": {"doc": "...", "host": "...", "regional_host": "...",
//!               "signing_service": "...", "region_required": false},
//!   "actions": {"StopInstance": {"doc": "...", "errors": ["..."], "rate_limit": 20,
//!               "idempotent": true, "read_only": true, "examples": [...]}},
//!   "shapes": {"StopInstanceRequest": {"doc": "...", "members": {
//!       "StopMode": {"doc": "...", "type": "StopMode", "replaces_type": "string",
//!                    "required": false, "nullable": false, "example": "...",
//!                    "default": "...", "no_example": true, "sensitive": true}}}},
//!   "added_shapes": {"StopMode": {"type": "enum", "values": [...]}},
//!   "errors": {"common": {"InternalError": "..."}, "service": {"...": "..."}},
//!   "resources": {"Instance": {"describe": "DescribeInstances", ...}}
//! }
//! ```
//!
//! Every key is optional except `format`; a key that is present replaces the imported
//! value. `type` changes a member's type only while Tencent's type is still
//! `replaces_type` (typically an enum over `string`): when Tencent changes the type, the
//! entry is stale rather than silently hiding the change. `no_example` drops an imported
//! example. `added_shapes` are shapes Tencent does not define (enums); one that Tencent
//! starts defining is stale. An `errors` entry replaces the description of a code the
//! import has. An action's `paging` and the `resources` (both in the spec format, see the
//! crate docs) exist only in the overlay; a resource whose describe action is gone is stale,
//! and members they name that Tencent removed fail the validation of the merged spec.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Example, Paging, Resource, Shape, Spec, SpecError, UniqueMap};

/// The hand-written part of a spec (see the module docs for the file format).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// Version of the overlay format; only `1` exists.
    pub format: u32,
    /// Service metadata.
    #[serde(default, skip_serializing_if = "ServicePatch::is_empty")]
    pub service: ServicePatch,
    /// Per action, by wire name.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub actions: UniqueMap<ActionPatch>,
    /// Per imported structure, by name.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub shapes: UniqueMap<ShapePatch>,
    /// Whole shapes Tencent does not define (enums, mostly).
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub added_shapes: UniqueMap<Shape>,
    /// Error descriptions.
    #[serde(default, skip_serializing_if = "ErrorsPatch::is_empty")]
    pub errors: ErrorsPatch,
    /// Resources with waitable states (Tencent's api.json has none).
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub resources: UniqueMap<Resource>,
}

impl Default for Overlay {
    fn default() -> Self {
        Overlay {
            format: 1,
            service: ServicePatch::default(),
            actions: UniqueMap::default(),
            shapes: UniqueMap::default(),
            added_shapes: UniqueMap::default(),
            errors: ErrorsPatch::default(),
            resources: UniqueMap::default(),
        }
    }
}

fn is_empty_map<T>(m: &UniqueMap<T>) -> bool {
    m.is_empty()
}

/// Service keys that replace the imported ones.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    /// English description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Default endpoint host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Regional host template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regional_host: Option<String>,
    /// Service name in the TC3 credential scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_service: Option<String>,
    /// Whether calls must name a region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_required: Option<bool>,
}

impl ServicePatch {
    fn is_empty(&self) -> bool {
        *self == ServicePatch::default()
    }
}

/// Action keys that replace the imported ones.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    /// English description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Error codes, when the errors file is wrong or silent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    /// Documented rate limit per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
    /// Whether repeating the call has no further effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<bool>,
    /// Whether the action only reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Worked examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examples: Option<Vec<Example>>,
    /// How the action pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

/// Changes to one imported structure.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShapePatch {
    /// English description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Per member, by wire name.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub members: UniqueMap<MemberPatch>,
}

/// Member keys that replace the imported ones.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// The member's type (an enum, say) ...
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// ... applied only while Tencent's type is this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces_type: Option<String>,
    /// Required flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Nullable flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
    /// English description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Example value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// Drops the imported example (it is wrong or misleading).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_example: bool,
    /// The value the service assumes when the member is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// A secret: redacted in generated `Debug` output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
}

/// Error descriptions by code.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsPatch {
    /// Descriptions of common codes.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub common: UniqueMap<String>,
    /// Descriptions of service codes.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub service: UniqueMap<String>,
    /// Service codes the errors file does not list, with their descriptions.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub added_service: UniqueMap<String>,
}

impl ErrorsPatch {
    fn is_empty(&self) -> bool {
        self.common.is_empty() && self.service.is_empty() && self.added_service.is_empty()
    }
}

/// An overlay entry that matches nothing in the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Which entry.
    pub entry: Entry,
    /// Why it no longer applies.
    pub reason: String,
}

/// Names an overlay entry (for reports and [`Overlay::drop_stale`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entry {
    /// `actions.<name>`
    Action(String),
    /// `shapes.<name>`
    Shape(String),
    /// `shapes.<shape>.members.<member>`
    Member(String, String),
    /// `type` and `replaces_type` of `shapes.<shape>.members.<member>`
    MemberType(String, String),
    /// `added_shapes.<name>`
    AddedShape(String),
    /// `errors.common.<code>` (`true`) or `errors.service.<code>` (`false`)
    Error(bool, String),
    /// `errors.added_service.<code>`
    AddedError(String),
    /// `resources.<name>`
    Resource(String),
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Action(a) => write!(f, "actions.{a}"),
            Entry::Shape(s) => write!(f, "shapes.{s}"),
            Entry::Member(s, m) => write!(f, "shapes.{s}.members.{m}"),
            Entry::MemberType(s, m) => write!(f, "shapes.{s}.members.{m}.type"),
            Entry::AddedShape(s) => write!(f, "added_shapes.{s}"),
            Entry::Error(true, c) => write!(f, "errors.common.{c}"),
            Entry::Error(false, c) => write!(f, "errors.service.{c}"),
            Entry::AddedError(c) => write!(f, "errors.added_service.{c}"),
            Entry::Resource(r) => write!(f, "resources.{r}"),
        }
    }
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.entry, self.reason)
    }
}

/// What [`apply`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Overlay entries that matched nothing; they were not applied.
    pub stale: Vec<Stale>,
    /// Actions, structures and members (`Shape.Member`) with no English doc in the overlay.
    pub undocumented: Vec<String>,
}

/// Parses an overlay file. Errors name the JSON path, like [`crate::parse`].
pub fn parse(text: &str) -> Result<Overlay, SpecError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let overlay: Overlay = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        SpecError {
            path: if path == "." { String::new() } else { path },
            message: e.into_inner().to_string(),
        }
    })?;
    de.end().map_err(|e| SpecError {
        path: String::new(),
        message: format!("malformed JSON: {e}"),
    })?;
    if overlay.format != 1 {
        return Err(SpecError {
            path: "format".into(),
            message: format!(
                "unsupported overlay format {}; this crate reads format 1",
                overlay.format
            ),
        });
    }
    Ok(overlay)
}

/// The canonical text of an overlay (two-space indented JSON, names sorted, final newline).
pub fn to_text(overlay: &Overlay) -> String {
    let mut text = serde_json::to_string_pretty(overlay).unwrap_or_default();
    text.push('\n');
    text
}

impl Overlay {
    /// Removes the entries `stale` names (what `--drop-stale` writes back).
    pub fn drop_stale(&mut self, stale: &[Stale]) {
        for s in stale {
            match &s.entry {
                Entry::Action(a) => {
                    self.actions.0.remove(a);
                }
                Entry::Shape(n) => {
                    self.shapes.0.remove(n);
                }
                Entry::Member(n, m) => {
                    if let Some(p) = self.shapes.0.get_mut(n) {
                        p.members.0.remove(m);
                    }
                }
                Entry::MemberType(n, m) => {
                    if let Some(p) = self
                        .shapes
                        .0
                        .get_mut(n)
                        .and_then(|p| p.members.0.get_mut(m))
                    {
                        p.ty = None;
                        p.replaces_type = None;
                    }
                }
                Entry::AddedShape(n) => {
                    self.added_shapes.0.remove(n);
                }
                Entry::Error(common, c) => {
                    let part = if *common {
                        &mut self.errors.common
                    } else {
                        &mut self.errors.service
                    };
                    part.0.remove(c);
                }
                Entry::AddedError(c) => {
                    self.errors.added_service.0.remove(c);
                }
                Entry::Resource(r) => {
                    self.resources.0.remove(r);
                }
            }
        }
        // An emptied member or shape entry says nothing; leave it out of the file.
        for p in self.shapes.0.values_mut() {
            p.members.0.retain(|_, m| *m != MemberPatch::default());
        }
        self.shapes.0.retain(|_, p| *p != ShapePatch::default());
    }
}

/// Merges `overlay` into `spec` (an import). Stale entries are skipped and reported; the
/// caller decides whether that is an error. The result is not validated.
pub fn apply(spec: &mut Spec, overlay: &Overlay) -> Report {
    let mut report = Report::default();
    let mut stale = |entry: Entry, reason: String| report.stale.push(Stale { entry, reason });

    let s = &overlay.service;
    let svc = &mut spec.service;
    if let Some(v) = &s.doc {
        svc.doc = v.clone();
    }
    if let Some(v) = &s.host {
        svc.host = v.clone();
    }
    if let Some(v) = &s.regional_host {
        svc.regional_host = Some(v.clone());
    }
    if let Some(v) = &s.signing_service {
        svc.signing_service = v.clone();
    }
    if let Some(v) = s.region_required {
        svc.region_required = v;
    }

    for (name, p) in overlay.actions.iter() {
        let Some(a) = spec.actions.0.get_mut(name) else {
            stale(Entry::Action(name.clone()), "no such action".into());
            continue;
        };
        if let Some(v) = &p.doc {
            a.doc = v.clone();
        }
        if let Some(v) = &p.errors {
            a.errors = v.clone();
        }
        if let Some(v) = p.rate_limit {
            a.rate_limit = Some(v);
        }
        if let Some(v) = p.idempotent {
            a.idempotent = v;
        }
        if let Some(v) = p.read_only {
            a.read_only = v;
        }
        if let Some(v) = &p.examples {
            a.examples = v.clone();
        }
        if let Some(v) = &p.paging {
            a.paging = Some(v.clone());
        }
    }

    for (name, p) in overlay.shapes.iter() {
        let Some(Shape::Structure(st)) = spec.shapes.0.get_mut(name) else {
            stale(Entry::Shape(name.clone()), "no such structure".into());
            continue;
        };
        if let Some(v) = &p.doc {
            st.doc = v.clone();
        }
        for (mname, mp) in p.members.iter() {
            let Some(m) = st.members.iter_mut().find(|m| m.name == *mname) else {
                stale(
                    Entry::Member(name.clone(), mname.clone()),
                    "no such member".into(),
                );
                continue;
            };
            if let Some(t) = &mp.ty {
                match &mp.replaces_type {
                    Some(was) if *was != m.ty => stale(
                        Entry::MemberType(name.clone(), mname.clone()),
                        format!(
                            "Tencent's type is now \"{}\", not \"{was}\"; the overlay's \"{t}\" was not applied",
                            m.ty
                        ),
                    ),
                    _ => m.ty = t.clone(),
                }
            }
            if let Some(v) = mp.required {
                m.required = v;
            }
            if let Some(v) = mp.nullable {
                m.nullable = v;
            }
            if let Some(v) = &mp.doc {
                m.doc = v.clone();
            }
            if mp.no_example {
                m.example = None;
            }
            if let Some(v) = &mp.example {
                m.example = Some(v.clone());
            }
            if let Some(v) = &mp.default {
                m.default = Some(v.clone());
            }
            if let Some(v) = mp.sensitive {
                m.sensitive = v;
            }
        }
    }

    for (name, shape) in overlay.added_shapes.iter() {
        if spec.shapes.contains_key(name) {
            stale(
                Entry::AddedShape(name.clone()),
                "Tencent now defines a shape of this name".into(),
            );
            continue;
        }
        spec.shapes.0.insert(name.clone(), shape.clone());
    }

    for (common, part) in [
        (true, &overlay.errors.common),
        (false, &overlay.errors.service),
    ] {
        let target = if common {
            &mut spec.errors.common
        } else {
            &mut spec.errors.service
        };
        for (code, text) in part.iter() {
            match target.0.get_mut(code) {
                Some(d) => *d = text.clone(),
                None => stale(
                    Entry::Error(common, code.clone()),
                    "the import has no such code".into(),
                ),
            }
        }
    }

    for (code, text) in overlay.errors.added_service.iter() {
        if spec.errors.service.contains_key(code) {
            stale(
                Entry::AddedError(code.clone()),
                "the errors file now lists this code".into(),
            );
            continue;
        }
        spec.errors.service.0.insert(code.clone(), text.clone());
    }

    for (name, r) in overlay.resources.iter() {
        if !spec.actions.contains_key(&r.describe) {
            stale(
                Entry::Resource(name.clone()),
                format!("no such action \"{}\" to describe it", r.describe),
            );
            continue;
        }
        spec.resources.0.insert(name.clone(), r.clone());
    }

    for name in spec.actions.keys() {
        if overlay
            .actions
            .get(name)
            .and_then(|p| p.doc.as_ref())
            .is_none()
        {
            report.undocumented.push(format!("action {name}"));
        }
    }
    for (name, shape) in spec.shapes.iter() {
        let Shape::Structure(st) = shape else {
            continue;
        };
        if overlay.added_shapes.contains_key(name) {
            continue;
        }
        let p = overlay.shapes.get(name);
        if p.and_then(|p| p.doc.as_ref()).is_none() {
            report.undocumented.push(format!("shape {name}"));
        }
        for m in &st.members {
            let documented = p
                .and_then(|p| p.members.get(&m.name))
                .and_then(|mp| mp.doc.as_ref())
                .is_some();
            if !documented {
                report
                    .undocumented
                    .push(format!("member {name}.{}", m.name));
            }
        }
    }
    report
}

/// The overlay that turns `imported` into `target` under [`apply`], or why none can (the
/// overlay cannot add or remove actions, structures, members or error codes).
pub fn extract(imported: &Spec, target: &Spec) -> Result<Overlay, String> {
    let mut o = Overlay::default();
    let (a, b) = (&imported.service, &target.service);
    let diff = |x: &String, y: &String| (x != y).then(|| y.clone());
    o.service = ServicePatch {
        doc: diff(&a.doc, &b.doc),
        host: diff(&a.host, &b.host),
        regional_host: if a.regional_host == b.regional_host {
            None
        } else {
            Some(
                b.regional_host
                    .clone()
                    .ok_or("the overlay cannot remove regional_host")?,
            )
        },
        signing_service: diff(&a.signing_service, &b.signing_service),
        region_required: (a.region_required != b.region_required).then_some(b.region_required),
    };
    if a.name != b.name || a.version != b.version {
        return Err("service name and version come from api.json".into());
    }

    let names = |x: &Spec, y: &Spec, what: &str| -> Result<(), String> {
        if let Some(n) = x.actions.keys().find(|n| !y.actions.contains_key(*n)) {
            return Err(format!("action {n} is {what}"));
        }
        Ok(())
    };
    names(imported, target, "imported but not in the target")?;
    names(target, imported, "in the target but not imported")?;
    for (name, t) in target.actions.iter() {
        let i = &imported.actions[name];
        if (&i.input, &i.output) != (&t.input, &t.output) {
            return Err(format!(
                "action {name}: input and output come from api.json"
            ));
        }
        let p = ActionPatch {
            doc: diff(&i.doc, &t.doc),
            errors: (i.errors != t.errors).then(|| t.errors.clone()),
            rate_limit: match (i.rate_limit, t.rate_limit) {
                (x, y) if x == y => None,
                (_, Some(y)) => Some(y),
                (Some(_), None) => {
                    return Err(format!("action {name}: cannot remove a rate limit"))
                }
                (None, None) => None,
            },
            idempotent: (i.idempotent != t.idempotent).then_some(t.idempotent),
            read_only: (i.read_only != t.read_only).then_some(t.read_only),
            examples: (i.examples != t.examples).then(|| t.examples.clone()),
            paging: match (&i.paging, &t.paging) {
                (x, y) if x == y => None,
                (_, Some(y)) => Some(y.clone()),
                (Some(_), None) => return Err(format!("action {name}: cannot remove paging")),
                (None, None) => None,
            },
        };
        if p != ActionPatch::default() {
            o.actions.0.insert(name.clone(), p);
        }
    }

    if let Some(n) = imported
        .shapes
        .keys()
        .find(|n| !target.shapes.contains_key(*n))
    {
        return Err(format!("shape {n} is imported but not in the target"));
    }
    for (name, t) in target.shapes.iter() {
        let Some(i) = imported.shapes.get(name) else {
            o.added_shapes.0.insert(name.clone(), t.clone());
            continue;
        };
        let (Shape::Structure(i), Shape::Structure(t)) = (i, t) else {
            return Err(format!("shape {name}: imported shapes are structures"));
        };
        let wire =
            |s: &crate::Structure| s.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
        if wire(i) != wire(t) {
            return Err(format!(
                "shape {name}: members come from api.json, in its order"
            ));
        }
        let mut p = ShapePatch {
            doc: diff(&i.doc, &t.doc),
            members: UniqueMap::default(),
        };
        for (im, tm) in i.members.iter().zip(&t.members) {
            let retyped = im.ty != tm.ty;
            let mp = MemberPatch {
                ty: retyped.then(|| tm.ty.clone()),
                replaces_type: retyped.then(|| im.ty.clone()),
                required: (im.required != tm.required).then_some(tm.required),
                nullable: (im.nullable != tm.nullable).then_some(tm.nullable),
                doc: diff(&im.doc, &tm.doc),
                example: if im.example == tm.example {
                    None
                } else {
                    tm.example.clone()
                },
                no_example: im.example.is_some() && tm.example.is_none(),
                default: match (&im.default, &tm.default) {
                    (x, y) if x == y => None,
                    (_, Some(y)) => Some(y.clone()),
                    _ => {
                        return Err(format!(
                            "member {name}.{}: cannot remove a default",
                            tm.name
                        ))
                    }
                },
                sensitive: (im.sensitive != tm.sensitive).then_some(tm.sensitive),
            };
            if mp != MemberPatch::default() {
                p.members.0.insert(tm.name.clone(), mp);
            }
        }
        if p != ShapePatch::default() {
            o.shapes.0.insert(name.clone(), p);
        }
    }

    let mut added = std::collections::BTreeMap::new();
    for (common, x, y) in [
        (true, &imported.errors.common, &target.errors.common),
        (false, &imported.errors.service, &target.errors.service),
    ] {
        if let Some(code) = x.keys().find(|c| !y.contains_key(*c)) {
            return Err(format!("errors: the overlay cannot remove the code {code}"));
        }
        if common && x.keys().ne(y.keys()) {
            return Err(format!(
                "errors.{}: the codes come from the errors file",
                if common { "common" } else { "service" }
            ));
        }
        let out = if common {
            &mut o.errors.common
        } else {
            &mut o.errors.service
        };
        for (code, text) in y.iter() {
            match x.get(code) {
                Some(t) if t == text => {}
                Some(_) => {
                    out.0.insert(code.clone(), text.clone());
                }
                None => {
                    added.insert(code.clone(), text.clone());
                }
            }
        }
    }

    o.errors.added_service = UniqueMap(added);
    if let Some(n) = imported
        .resources
        .keys()
        .find(|n| target.resources.get(*n) != imported.resources.get(*n))
    {
        return Err(format!(
            "resource {n}: the overlay cannot change imported resources"
        ));
    }
    o.resources = UniqueMap(
        target
            .resources
            .iter()
            .filter(|(n, _)| !imported.resources.contains_key(*n))
            .map(|(n, r)| (n.clone(), r.clone()))
            .collect(),
    );
    let mut check = imported.clone();
    let report = apply(&mut check, &o);
    if !report.stale.is_empty() || crate::to_text(&check) != crate::to_text(target) {
        return Err("the extracted overlay does not reproduce the target".into());
    }
    Ok(o)
}

/// What changed between two versions of a spec, one line per change, for the refresh report:
/// actions and shapes added or removed, members added or removed, member types changed.
pub fn changes(old: &Spec, new: &Spec) -> Vec<String> {
    let mut out = Vec::new();
    for n in new.actions.keys().filter(|n| !old.actions.contains_key(*n)) {
        out.push(format!("new action {n}"));
    }
    for n in old.actions.keys().filter(|n| !new.actions.contains_key(*n)) {
        out.push(format!("removed action {n}"));
    }
    for (n, shape) in new.shapes.iter() {
        let Some(before) = old.shapes.get(n) else {
            out.push(format!("new shape {n}"));
            continue;
        };
        let (Shape::Structure(a), Shape::Structure(b)) = (before, shape) else {
            continue;
        };
        for m in &b.members {
            match a.members.iter().find(|x| x.name == m.name) {
                None => out.push(format!("new member {n}.{} ({})", m.name, m.ty)),
                Some(x) if x.ty != m.ty => out.push(format!(
                    "member {n}.{} changed type: {} -> {}",
                    m.name, x.ty, m.ty
                )),
                Some(_) => {}
            }
        }
        for m in a
            .members
            .iter()
            .filter(|x| !b.members.iter().any(|m| m.name == x.name))
        {
            out.push(format!("removed member {n}.{}", m.name));
        }
    }
    for n in old.shapes.keys().filter(|n| !new.shapes.contains_key(*n)) {
        out.push(format!("removed shape {n}"));
    }
    out
}
