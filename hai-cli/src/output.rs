//! tccli's `text` and `table` output formats.

use std::fmt::Write as _;

use crate::json::Json;

fn is_scalar(v: &Json) -> bool {
    !matches!(v, Json::Array(_) | Json::Object(_))
}

/// `--output text`: tab-separated scalars; nested values on lines of their own, prefixed
/// by their upper-cased key (tccli's format, itself the AWS CLI's).
pub fn text(value: &Json) -> String {
    let mut out = String::new();
    text_item(value, &mut out, None, None);
    out
}

fn text_item(item: &Json, out: &mut String, id: Option<&str>, keys: Option<&[String]>) {
    match item {
        Json::Object(_) => text_dict(item, out, id, keys),
        Json::Array(items) => text_list(items, out, id),
        other => {
            out.push_str(&other.python_str());
            out.push('\n');
        }
    }
}

fn text_list(items: &[Json], out: &mut String, id: Option<&str>) {
    if items.is_empty() {
        return;
    }
    if items.iter().any(|v| matches!(v, Json::Object(_))) {
        let keys = scalar_keys(items);
        for v in items {
            text_item(v, out, id, Some(&keys));
        }
    } else if items.iter().any(|v| matches!(v, Json::Array(_))) {
        let (scalars, others): (Vec<&Json>, Vec<&Json>) = items.iter().partition(|v| is_scalar(v));
        if !scalars.is_empty() {
            scalar_list(&scalars, out, id);
        }
        for v in others {
            text_item(v, out, id, None);
        }
    } else {
        scalar_list(&items.iter().collect::<Vec<_>>(), out, id);
    }
}

fn scalar_list(items: &[&Json], out: &mut String, id: Option<&str>) {
    match id {
        Some(id) => {
            for v in items {
                let _ = writeln!(out, "{}\t{}", id.to_uppercase(), v.python_str());
            }
        }
        None => {
            let parts: Vec<String> = items.iter().map(|v| v.python_str()).collect();
            out.push_str(&parts.join("\t"));
            out.push('\n');
        }
    }
}

fn scalar_keys(items: &[Json]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for v in items {
        if let Json::Object(m) = v {
            for (k, v) in m {
                if is_scalar(v) && !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    keys.sort();
    keys
}

fn text_dict(item: &Json, out: &mut String, id: Option<&str>, keys: Option<&[String]>) {
    let Json::Object(m) = item else { return };
    let mut scalars: Vec<String> = Vec::new();
    let mut others: Vec<(String, &Json)> = Vec::new();
    match keys {
        None => {
            let mut sorted: Vec<&(String, Json)> = m.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, v) in sorted {
                if is_scalar(v) {
                    scalars.push(v.python_str());
                } else {
                    others.push((k.clone(), v));
                }
            }
        }
        Some(keys) => {
            for k in keys {
                scalars.push(item.get(k).map(Json::python_str).unwrap_or_default());
            }
            let mut rest: Vec<&(String, Json)> =
                m.iter().filter(|(k, _)| !keys.contains(k)).collect();
            rest.sort_by(|a, b| a.0.cmp(&b.0));
            others.extend(rest.into_iter().map(|(k, v)| (k.clone(), v)));
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = id {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (k, v) in others {
        text_item(v, out, Some(&k), None);
    }
}

/// `--output table`: sections titled by key, scalar members as a header row and a value
/// row, lists of objects as rows, nested values as indented sub-sections. Column widths
/// fit the widest cell; a simplified rendering of tccli's (same sections and cells, plain
/// borders).
pub fn table(title: &str, value: &Json) -> String {
    let mut sections = Vec::new();
    build(&mut sections, Some(title), value, 0);
    let mut out = String::new();
    for s in sections {
        render(&s, &mut out);
    }
    out
}

struct Section {
    title: String,
    indent: usize,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn new_section(sections: &mut Vec<Section>, title: &str, indent: usize) {
    sections.push(Section {
        title: title.to_owned(),
        indent,
        header: Vec::new(),
        rows: Vec::new(),
    });
}

fn current(sections: &mut Vec<Section>) -> &mut Section {
    if sections.is_empty() {
        new_section(sections, "", 0);
    }
    let last = sections.len() - 1;
    &mut sections[last]
}

fn cell(v: &Json) -> String {
    match v {
        Json::Str(s) => s.clone(),
        other => other.python_str(),
    }
}

fn build(sections: &mut Vec<Section>, title: Option<&str>, value: &Json, indent: usize) {
    if let Some(t) = title {
        new_section(sections, t, indent);
    }
    match value {
        Json::Array(items) if !items.is_empty() => {
            if matches!(items[0], Json::Object(_)) {
                let mut headers: Vec<String> = Vec::new();
                let mut more: Vec<String> = Vec::new();
                for v in items {
                    if let Json::Object(m) = v {
                        for (k, v) in m {
                            let list = if is_scalar(v) {
                                &mut headers
                            } else {
                                &mut more
                            };
                            if !list.contains(k) {
                                list.push(k.clone());
                            }
                        }
                    }
                }
                headers.sort();
                more.sort();
                current(sections).header = headers.clone();
                for (i, v) in items.iter().enumerate() {
                    if i > 0 && !more.is_empty() {
                        new_section(sections, title.unwrap_or_default(), indent);
                        current(sections).header = headers.clone();
                    }
                    let row = headers
                        .iter()
                        .map(|h| v.get(h).map(cell).unwrap_or_default())
                        .collect();
                    current(sections).rows.push(row);
                    for k in &more {
                        if let Some(sub) = v.get(k) {
                            build(sections, Some(k), sub, indent + 1);
                        }
                    }
                }
            } else {
                for v in items {
                    match v {
                        Json::Array(inner) if inner.iter().all(is_scalar) => current(sections)
                            .rows
                            .push(inner.iter().map(cell).collect()),
                        v if is_scalar(v) => current(sections).rows.push(vec![cell(v)]),
                        v => build(sections, None, v, indent),
                    }
                }
            }
        }
        Json::Object(m) => {
            let mut headers: Vec<&String> = Vec::new();
            let mut more: Vec<&String> = Vec::new();
            for (k, v) in m {
                if is_scalar(v) {
                    headers.push(k);
                } else {
                    more.push(k);
                }
            }
            headers.sort();
            more.sort();
            if headers.len() == 1 {
                let h = headers[0];
                current(sections)
                    .rows
                    .push(vec![h.clone(), value.get(h).map(cell).unwrap_or_default()]);
            } else if !headers.is_empty() {
                current(sections).header = headers.iter().map(|h| (*h).clone()).collect();
                let row = headers
                    .iter()
                    .map(|h| value.get(h).map(cell).unwrap_or_default())
                    .collect();
                current(sections).rows.push(row);
            }
            for k in more {
                if let Some(sub) = value.get(k) {
                    build(sections, Some(k), sub, indent + 1);
                }
            }
        }
        Json::Array(_) => {}
        other => current(sections).rows.push(vec![cell(other)]),
    }
}

fn width(s: &str) -> usize {
    // East Asian wide characters take two columns.
    s.chars()
        .map(|c| if matches!(c as u32, 0x1100..=0x115f | 0x2e80..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff | 0xfe30..=0xfe4f | 0xff00..=0xff60 | 0xffe0..=0xffe6) { 2 } else { 1 })
        .sum()
}

fn render(s: &Section, out: &mut String) {
    if s.header.is_empty() && s.rows.is_empty() && s.title.is_empty() {
        return;
    }
    let pad = " ".repeat(s.indent * 2);
    let cols = s
        .rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(s.header.len()))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut widths = vec![0usize; cols];
    for row in std::iter::once(&s.header).chain(s.rows.iter()) {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let inner: usize = widths.iter().map(|w| w + 2).sum::<usize>() + cols - 1;
    let inner = inner.max(width(&s.title) + 2);
    let total = widths_sum(&widths, cols);
    if let Some(last) = widths.last_mut() {
        if total < inner {
            *last += inner - total;
        }
    }
    let line = format!("{pad}+{}+\n", "-".repeat(inner));
    out.push_str(&line);
    if !s.title.is_empty() {
        let t = &s.title;
        let left = (inner - width(t)) / 2;
        let right = inner - width(t) - left;
        let _ = writeln!(out, "{pad}|{}{t}{}|", " ".repeat(left), " ".repeat(right));
        out.push_str(&line);
    }
    let row_text = |row: &[String]| {
        let mut r = format!("{pad}|");
        for (i, w) in widths.iter().enumerate() {
            let c = row.get(i).map(String::as_str).unwrap_or("");
            let _ = write!(r, " {c}{} |", " ".repeat(w - width(c)));
        }
        r.push('\n');
        r
    };
    if !s.header.is_empty() {
        out.push_str(&row_text(&s.header));
        out.push_str(&line);
    }
    for row in &s.rows {
        out.push_str(&row_text(row));
    }
    if !s.rows.is_empty() {
        out.push_str(&line);
    }
}

fn widths_sum(widths: &[usize], cols: usize) -> usize {
    widths.iter().map(|w| w + 2).sum::<usize>() + cols - 1
}
