//! JMESPath as tccli reads it.
//!
//! tccli's Python `jmespath` still accepts the deprecated literal form of JEP-12: a backtick
//! literal whose text is not JSON is the string of that text (`` `RUNNING` `` is
//! `"RUNNING"`), read as Python reads it: the text with leading whitespace removed, between
//! double quotes, as JSON (so JSON escapes inside it work, and an unescaped `"` is still an
//! error). The `jmespath` crate requires JSON, so such literals are rewritten into JSON
//! string literals before compiling; JSON literals are left as they are.

use std::borrow::Cow;

/// Compiles `expr` with tccli's reading of non-JSON literals.
pub fn compile(expr: &str) -> Result<jmespath::Expression<'static>, jmespath::JmespathError> {
    jmespath::compile(&legacy_literals(expr))
}

/// `expr` with every backtick literal that is not JSON (and that Python's `jmespath` reads
/// as a string) rewritten into the JSON string literal of the same value. Raw strings
/// (`'...'`) and quoted identifiers (`"..."`) are copied as they are, backticks in them
/// included; an unclosed token is copied too, for the compiler to report.
pub fn legacy_literals(expr: &str) -> Cow<'_, str> {
    if !expr.contains('`') {
        return Cow::Borrowed(expr);
    }
    let mut out = String::with_capacity(expr.len() + 8);
    let mut rest = expr;
    while let Some(i) = rest.find(['`', '\'', '"']) {
        let delimiter = rest[i..].chars().next().unwrap_or('`');
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = closing(after, delimiter) else {
            out.push_str(&rest[i..]);
            return Cow::Owned(out);
        };
        let inside = &after[..end];
        match (delimiter, rewritten(inside)) {
            ('`', Some(json)) => {
                out.push('`');
                out.push_str(&json);
                out.push('`');
            }
            _ => {
                out.push(delimiter);
                out.push_str(inside);
                out.push(delimiter);
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The byte offset in `text` of the `delimiter` that closes a token, as the lexers of both
/// the crate and Python's `jmespath` find it: a backslash takes the character after it.
fn closing(text: &str, delimiter: char) -> Option<usize> {
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == delimiter {
            return Some(i);
        }
        if c == '\\' {
            chars.next();
        }
    }
    None
}

/// The JSON text to put between backticks for a literal whose raw text is `inside`, or
/// `None` to keep it: it is JSON already, or Python would refuse it too.
fn rewritten(inside: &str) -> Option<String> {
    let text = inside.replace("\\`", "`");
    if jmespath::Variable::from_json(&text).is_ok() {
        return None;
    }
    let quoted = format!("\"{}\"", text.trim_start());
    let serde_json::Value::String(value) = serde_json::from_str(&quoted).ok()? else {
        return None;
    };
    // A backtick in the value is written as \u0060, so the literal holds none to escape.
    let json = serde_json::Value::String(value).to_string();
    Some(json.replace('`', "\\u0060"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(expr: &str) -> serde_json::Value {
        let data = serde_json::json!({"a": "RUNNING", "b": 1});
        let v = compile(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
            .search(jmespath::Variable::from_serializable(&data).unwrap())
            .unwrap();
        serde_json::to_value(&*v).unwrap()
    }

    #[test]
    fn a_literal_that_is_not_json_becomes_a_json_string() {
        assert_eq!(
            legacy_literals("InstanceSet[?InstanceState==`RUNNING`].InstanceId"),
            "InstanceSet[?InstanceState==`\"RUNNING\"`].InstanceId"
        );
        assert_eq!(value("a == `RUNNING`"), serde_json::json!(true));
        assert_eq!(value("`foo bar`"), serde_json::json!("foo bar"));
    }

    #[test]
    fn json_literals_are_left_alone() {
        for expr in [
            "a == `\"RUNNING\"`",
            "b == `1`",
            "`true`",
            "`null`",
            "`[1, \"x\"]`",
            "`{\"k\": \"v\"}`",
            "` 2 `",
        ] {
            assert_eq!(legacy_literals(expr), expr);
        }
        assert!(matches!(legacy_literals("a.b[0]"), Cow::Borrowed(_)));
    }

    #[test]
    fn read_as_python_reads_it() {
        // Leading whitespace is dropped, trailing kept, JSON escapes apply.
        assert_eq!(value("`  foo `"), serde_json::json!("foo "));
        assert_eq!(value(r"`a\tb`"), serde_json::json!("a\tb"));
        assert_eq!(value(r"`a\u00e9`"), serde_json::json!("a\u{e9}"));
        // Words that are not JSON keywords, and text that only starts like JSON.
        assert_eq!(value("`True`"), serde_json::json!("True"));
        assert_eq!(value("`1 2`"), serde_json::json!("1 2"));
        assert_eq!(value("`[1`"), serde_json::json!("[1"));
        // Python refuses a bare `"` inside (not a JSON string then): so does this.
        assert_eq!(legacy_literals("`a\"b`"), "`a\"b`");
        assert!(compile("`a\"b`").is_err());
    }

    #[test]
    fn escaped_backticks_inside_literals() {
        assert_eq!(value(r"`a\`b`"), serde_json::json!("a`b"));
        assert_eq!(legacy_literals(r"`a\`b`"), r#"`"a\u0060b"`"#);
        // A JSON literal with an escaped backtick stays as written.
        assert_eq!(legacy_literals(r#"`"a\`b"`"#), r#"`"a\`b"`"#);
        assert_eq!(value(r#"`"a\`b"`"#), serde_json::json!("a`b"));
        // An escaped backslash before a backtick: the backtick inside the value.
        assert_eq!(value(r"`x\\\`y`"), serde_json::json!("x\\`y"));
    }

    #[test]
    fn backticks_in_raw_strings_and_quoted_identifiers_are_not_literals() {
        for expr in [
            "'`RUNNING`'",
            r"'it\'s `x`' == a",
            "\"`odd` key\"",
            r#""a\"`b`" == `1`"#,
        ] {
            assert_eq!(legacy_literals(expr), expr, "{expr}");
        }
        assert_eq!(value("'`RUNNING`'"), serde_json::json!("`RUNNING`"));
        assert_eq!(
            legacy_literals("'`x`' == `y` && \"`k`\" == `z`"),
            "'`x`' == `\"y\"` && \"`k`\" == `\"z\"`"
        );
    }

    #[test]
    fn unclosed_tokens_are_copied_for_the_compiler_to_report() {
        for expr in ["a == `RUNNING", "'`x` == `y`", "\"a`b"] {
            assert_eq!(legacy_literals(expr), expr);
            assert!(compile(expr).is_err(), "{expr}");
        }
        assert_eq!(legacy_literals("`x` == `y"), "`\"x\"` == `y");
    }

    #[test]
    fn non_ascii_text_around_and_inside_literals() {
        assert_eq!(legacy_literals("\"é\" == `ü`"), "\"é\" == `\"ü\"`");
        assert_eq!(value("`日本`"), serde_json::json!("日本"));
    }
}
