//! The module tree as one file for `include!`.
//!
//! `include!` accepts items only: an inner attribute (`#![doc]`, written `//!`) is an error
//! there. Each file's inner docs become outer docs on its inline `mod` item, after the docs
//! of the declaration that mounted it, which is the order rustdoc shows for the tree form.
//! The root's own inner docs are dropped: the includer documents the module it includes
//! into. Paths between modules need no change: they are `super::...` from a module of the
//! tree to the root, which is the module holding the `include!` in this form.

use std::collections::BTreeMap;

use syn::{AttrStyle, File, Item};

use crate::CodegenError;

pub fn inline(files: Vec<(String, File)>) -> Result<File, CodegenError> {
    let mut by_path: BTreeMap<String, File> = files.into_iter().collect();
    let mut root = by_path
        .remove("mod.rs")
        .ok_or_else(|| CodegenError::new("mod.rs", "the tree has no root"))?;
    root.attrs.clear();
    for item in &mut root.items {
        let Item::Mod(m) = item else { continue };
        if m.content.is_some() {
            continue;
        }
        let path = format!("{}.rs", m.ident);
        let file = by_path.remove(&path).ok_or_else(|| {
            CodegenError::new(path.clone(), "declared by the root but not generated")
        })?;
        for mut attr in file.attrs {
            attr.style = AttrStyle::Outer;
            m.attrs.push(attr);
        }
        m.content = Some((Default::default(), file.items));
        m.semi = None;
    }
    if let Some(path) = by_path.keys().next() {
        return Err(CodegenError::new(
            path.clone(),
            "generated but not declared by the root",
        ));
    }
    Ok(root)
}
