//! Identifier sanitising: wire names -> valid, idiomatic Rust identifiers.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that can be used as raw identifiers (`r#type`).
const RAW_OK: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];
/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NO_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Keeps ASCII letters, digits and underscores; everything else separates words.
fn clean(wire: &str) -> String {
    wire.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// `InstanceId` -> `instance_id`, `GPUCount` -> `gpu_count`, `type` -> `r#type`, `3D` -> `_3d`.
pub fn snake(wire: &str) -> String {
    let mut s = clean(wire).to_snake_case();
    if s.is_empty() {
        return String::new();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    escape_keyword(s)
}

/// `STOP_CHARGE` -> `StopCharge`, `instance-state` -> `InstanceState`, `1Day` -> `V1day`.
pub fn camel(wire: &str) -> String {
    let mut s = clean(wire).to_upper_camel_case();
    if s.is_empty() {
        return String::new();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    escape_keyword(s)
}

/// An error code as one variant name: `UnsupportedOperation.InstanceStateArrears` ->
/// `UnsupportedOperationInstanceStateArrears` (each dotted part keeps its own camel case).
pub fn code_variant(code: &str) -> String {
    let joined: String = code.split('.').map(camel_part).collect();
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{joined}")
    } else {
        joined
    }
}

fn camel_part(part: &str) -> String {
    // Error codes are already UpperCamel (`IPLimitExceeded`); keep their letters, drop punctuation.
    let cleaned: String = part.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let mut chars = cleaned.chars();
    match chars.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn escape_keyword(s: String) -> String {
    if NO_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if RAW_OK.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// Whether `s` parses as one Rust identifier (raw identifiers included).
pub fn is_valid_ident(s: &str) -> bool {
    syn::parse_str::<syn::Ident>(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_cases() {
        assert_eq!(snake("InstanceId"), "instance_id");
        assert_eq!(snake("GPUCount"), "gpu_count");
        assert_eq!(snake("DryRun"), "dry_run");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("Type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("3DModel"), "_3d_model");
        assert_eq!(snake("instance-id"), "instance_id");
        assert_eq!(snake("a.b/c"), "a_b_c");
        assert_eq!(snake("!!"), "");
        for s in ["InstanceId", "type", "self", "3DModel", "match"] {
            assert!(is_valid_ident(&snake(s)), "{s}");
        }
    }

    #[test]
    fn camel_cases() {
        assert_eq!(camel("STOP_CHARGE"), "StopCharge");
        assert_eq!(camel("LAUNCH_FAILED"), "LaunchFailed");
        assert_eq!(camel("instance-state"), "InstanceState");
        assert_eq!(camel("1Day"), "V1day");
        assert_eq!(camel("Self"), "Self_");
        assert_eq!(camel("PREPAID_BY_MONTH"), "PrepaidByMonth");
        assert!(is_valid_ident(&camel("Self")));
    }

    #[test]
    fn code_variants() {
        assert_eq!(
            code_variant("UnsupportedOperation.InstanceStateArrears"),
            "UnsupportedOperationInstanceStateArrears"
        );
        assert_eq!(
            code_variant("RequestLimitExceeded.IPLimitExceeded"),
            "RequestLimitExceededIPLimitExceeded"
        );
        assert_eq!(code_variant("InternalError"), "InternalError");
    }
}
