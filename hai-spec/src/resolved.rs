//! A validated spec with every type reference parsed once (see [`Spec::resolve`]).

use std::collections::BTreeMap;

use crate::model::{EnumShape, ListShape, MapShape, Member, Spec, Structure};
use crate::types::TypeRef;

/// A spec that passed validation, with the type of every member, list element and map
/// value parsed once. Only [`Spec::resolve`] makes one; it borrows the spec, so the spec
/// cannot change under it. Every [`TypeRef`] it holds is valid: a shape it names exists and
/// is no action's input or output.
#[derive(Debug, Clone)]
pub struct ResolvedSpec<'a> {
    pub(crate) spec: &'a Spec,
    /// Every shape, by name (the order of [`Spec::shapes`]).
    pub(crate) shapes: BTreeMap<&'a str, ResolvedShape<'a>>,
}

/// A shape of a [`ResolvedSpec`], with its type references parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum ResolvedShape<'a> {
    /// A structure and its members in wire order, each with its type.
    Structure(&'a Structure, Vec<ResolvedMember<'a>>),
    /// An enum.
    Enum(&'a EnumShape),
    /// A list shape and the type of its elements.
    List(&'a ListShape, TypeRef),
    /// A map shape and the type of its values.
    Map(&'a MapShape, TypeRef),
}

/// A structure member with its parsed type.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedMember<'a> {
    /// The member as the spec has it.
    pub member: &'a Member,
    /// [`Member::ty`], parsed.
    pub ty: TypeRef,
}

impl<'a> ResolvedSpec<'a> {
    /// The spec this was resolved from.
    pub fn spec(&self) -> &'a Spec {
        self.spec
    }

    /// Every shape with its name, in name order (the order of [`Spec::shapes`]).
    pub fn shapes(&self) -> impl Iterator<Item = (&'a str, &ResolvedShape<'a>)> + '_ {
        self.shapes.iter().map(|(name, shape)| (*name, shape))
    }

    /// The shape called `name`, if there is one. Every shape a [`TypeRef`] of this spec
    /// names is there.
    pub fn shape(&self, name: &str) -> Option<&ResolvedShape<'a>> {
        self.shapes.get(name)
    }

    /// The members of structure `name` in wire order, each with its type; empty when
    /// `name` is no structure.
    pub fn members(&self, name: &str) -> &[ResolvedMember<'a>] {
        match self.shapes.get(name) {
            Some(ResolvedShape::Structure(_, members)) => members,
            _ => &[],
        }
    }

    /// Member `member` of structure `structure`, if both exist.
    pub fn member(&self, structure: &str, member: &str) -> Option<&ResolvedMember<'a>> {
        self.members(structure)
            .iter()
            .find(|m| m.member.name == member)
    }

    /// The element type of a list type: `T` of `list<T>`, or the element type of a named
    /// list shape. `None` for any other type.
    pub fn list_element<'s>(&'s self, ty: &'s TypeRef) -> Option<&'s TypeRef> {
        match ty {
            TypeRef::List(t) => Some(t),
            TypeRef::Shape(n) => match self.shapes.get(n.as_str()) {
                Some(ResolvedShape::List(_, t)) => Some(t),
                _ => None,
            },
            _ => None,
        }
    }
}
