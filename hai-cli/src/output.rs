//! tccli's `text` and `table` output formats.

use std::fmt::Write as _;

use crate::json::Json;

/// A value as Python's `str()` shows it, with control and bidirectional characters escaped
/// (tccli writes them raw; an escape sequence in a service answer must not drive the
/// terminal).
fn shown_str(v: &Json) -> String {
    let text = v.python_str();
    if !text.chars().any(crate::needs_escape) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if crate::needs_escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

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
            out.push_str(&shown_str(other));
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
                let _ = writeln!(out, "{}\t{}", id.to_uppercase(), shown_str(v));
            }
        }
        None => {
            let parts: Vec<String> = items.iter().map(|v| shown_str(v)).collect();
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
                    scalars.push(shown_str(v));
                } else {
                    others.push((k.clone(), v));
                }
            }
        }
        Some(keys) => {
            for k in keys {
                scalars.push(item.get(k).map(shown_str).unwrap_or_default());
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

/// `--output table`: tccli's table (the AWS CLI's renderer): one section per nested value,
/// scalar members as a header row and a value row, lists of objects as rows; columns scaled
/// to the widest section; wider than 80 columns (tccli's width when stdout is no terminal),
/// single-row sections turn vertical.
pub fn table(title: &str, value: &Json) -> String {
    let mut t = Table::default();
    if !t.build(Some(title), value, 0) {
        return String::new();
    }
    t.render()
}

#[derive(Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    max_widths: Vec<usize>,
}

/// Python's `len` of a string: code points.
fn plen(s: &str) -> usize {
    s.chars().count()
}

impl Section {
    fn update_widths(&mut self, row: &[String]) {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|c| plen(c)).collect();
        } else {
            for (i, c) in row.iter().enumerate() {
                if let Some(w) = self.max_widths.get_mut(i) {
                    *w = (*w).max(plen(c));
                }
            }
        }
    }

    fn column_widths(&self, padding: usize, max_width: Option<usize>) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + padding).collect();
        let Some(max_width) = max_width else {
            return unscaled;
        };
        if unscaled.is_empty() {
            return unscaled;
        }
        let scale = max_width as f64 / unscaled.iter().sum::<usize>() as f64;
        // Python's round(): ties to even.
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|w| (scale * *w as f64).round_ties_even() as i64)
            .collect();
        let mut off_by = scaled.iter().sum::<i64>() - max_width as i64;
        while off_by != 0 {
            let order: Vec<usize> = if off_by < 0 {
                (0..scaled.len()).rev().collect()
            } else {
                (0..scaled.len()).collect()
            };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self) -> usize {
        let total: usize = self
            .column_widths(0, None)
            .iter()
            .map(|w| w + 4)
            .sum::<usize>()
            + 2
            + 2 * self.indent;
        (plen(&self.title) + 2 + 2 * self.indent).max(total)
    }
}

#[derive(Default)]
struct Table {
    sections: Vec<Section>,
}

fn center(text: &str, length: usize, left: &str, right: &str) -> String {
    let tl = plen(text) as i64;
    let length = length as i64;
    let start = length / 2 - tl / 2 - 1;
    let mut out = format!("{left}{}{text}", " ".repeat(start.max(0) as usize));
    let so_far = plen(left) as i64 + start + tl;
    let right_spaces = length - plen(right) as i64 - so_far;
    out.push_str(&" ".repeat(right_spaces.max(0) as usize));
    out.push_str(right);
    out
}

fn align_left(text: &str, length: usize, left: &str, right: &str) -> String {
    let tl = plen(text);
    let computed = tl + 2 + plen(left) + plen(right);
    let padding = if length >= computed { 2 } else { 0 };
    let so_far = plen(left) + padding + tl;
    let fill = (length as i64 - so_far as i64 - plen(right) as i64).max(0) as usize;
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(padding),
        " ".repeat(fill)
    )
}

fn line_break(widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            let _ = write!(out, "+{}+", "-".repeat(w.saturating_sub(2)));
        } else {
            let _ = write!(out, "{}+", "-".repeat(w.saturating_sub(1)));
        }
    }
    out.push('\n');
    out
}

fn sorted_keys(m: &[(String, Json)]) -> (Vec<String>, Vec<String>) {
    let mut headers = Vec::new();
    let mut more = Vec::new();
    for (k, v) in m {
        if is_scalar(v) {
            headers.push(k.clone());
        } else {
            more.push(k.clone());
        }
    }
    headers.sort();
    more.sort();
    (headers, more)
}

impl Table {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section {
            title: title.to_owned(),
            indent,
            ..Section::default()
        });
    }

    fn add_header(&mut self, headers: Vec<String>) {
        let s = self.current();
        s.update_widths(&headers);
        s.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        let s = self.current();
        s.update_widths(&row);
        s.rows.push(row);
    }

    fn build(&mut self, title: Option<&str>, current: &Json, indent: usize) -> bool {
        if matches!(current, Json::Null) {
            return false;
        }
        if let Some(t) = title {
            self.new_section(t, indent);
        }
        match current {
            Json::Array(items) if !items.is_empty() => {
                if matches!(items[0], Json::Object(_)) {
                    self.list_section(items, indent, title);
                } else {
                    for item in items {
                        match item {
                            v if is_scalar(v) => self.add_row(vec![shown_str(v)]),
                            Json::Array(inner) if inner.iter().all(is_scalar) => {
                                self.add_row(inner.iter().map(shown_str).collect())
                            }
                            Json::Object(m) if m.iter().all(|(_, v)| is_scalar(v)) => {
                                // Python iterates a dict's keys.
                                self.add_row(m.iter().map(|(k, _)| k.clone()).collect())
                            }
                            other => {
                                self.build(None, other, 0);
                            }
                        }
                    }
                }
            }
            // Python's str() of an empty list.
            Json::Array(_) => self.add_row(vec!["[]".to_owned()]),
            Json::Object(m) => {
                let (headers, more) = sorted_keys(m);
                if headers.len() == 1 {
                    let v = current.get(&headers[0]).map(shown_str).unwrap_or_default();
                    self.add_row(vec![headers[0].clone(), v]);
                } else if !headers.is_empty() {
                    let row = headers
                        .iter()
                        .map(|h| current.get(h).map(shown_str).unwrap_or_default())
                        .collect();
                    self.add_header(headers);
                    self.add_row(row);
                }
                for k in more {
                    if let Some(v) = current.get(&k) {
                        self.build(Some(&k), v, indent + 1);
                    }
                }
            }
            other => self.add_row(vec![shown_str(other)]),
        }
        true
    }

    fn list_section(&mut self, items: &[Json], indent: usize, title: Option<&str>) {
        let mut headers: Vec<String> = Vec::new();
        let mut more: Vec<String> = Vec::new();
        for item in items {
            if let Json::Object(m) = item {
                let (h, r) = sorted_keys(m);
                for k in h {
                    if !headers.contains(&k) {
                        headers.push(k);
                    }
                }
                for k in r {
                    if !more.contains(&k) {
                        more.push(k);
                    }
                }
            }
        }
        headers.sort();
        more.sort();
        self.add_header(headers.clone());
        for (i, element) in items.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.new_section(title.unwrap_or_default(), indent);
                self.add_header(headers.clone());
            }
            let row = headers
                .iter()
                .map(|h| element.get(h).map(shown_str).unwrap_or_default())
                .collect();
            self.add_row(row);
            for k in &more {
                if let Some(v) = element.get(k) {
                    self.build(Some(k), v, indent + 1);
                }
            }
        }
    }

    fn max_width(&self) -> usize {
        self.sections
            .iter()
            .map(Section::total_width)
            .max()
            .unwrap_or(0)
    }

    fn render(mut self) -> String {
        let mut max_width = self.max_width();
        if max_width > 80 {
            for s in &mut self.sections {
                if s.rows.len() == 1 && !s.headers.is_empty() {
                    let mut v = Section {
                        title: std::mem::take(&mut s.title),
                        indent: s.indent,
                        ..Section::default()
                    };
                    for (h, e) in s.headers.iter().zip(&s.rows[0]) {
                        let row = vec![h.clone(), e.clone()];
                        v.update_widths(&row);
                        v.rows.push(row);
                    }
                    *s = v;
                }
            }
            max_width = self.max_width();
        }
        let mut out = format!("{}\n", "-".repeat(max_width));
        for s in &self.sections {
            let bars = "|".repeat(s.indent);
            let mut write = |line: String| {
                out.push_str(&bars);
                out.push_str(line.strip_suffix('\n').unwrap_or(&line));
                out.push_str(&bars);
                out.push('\n');
            };
            let width = max_width.saturating_sub(s.indent * 2);
            if !s.title.is_empty() {
                write(center(&s.title, width, "|", "|"));
                if s.headers.is_empty() && s.rows.is_empty() {
                    write(format!("+{}+", "-".repeat(width.saturating_sub(2))));
                }
            }
            if !s.headers.is_empty() {
                let widths = s.column_widths(4, Some(width));
                let mut line = String::new();
                for (i, (w, h)) in widths.iter().zip(&s.headers).enumerate() {
                    line.push_str(&center(h, *w, if i == 0 { "|" } else { "" }, "|"));
                }
                write(line_break(&widths));
                write(line);
            }
            if !s.rows.is_empty() {
                let widths = s.column_widths(4, Some(width));
                if widths.is_empty() {
                    continue;
                }
                write(line_break(&widths));
                for row in &s.rows {
                    let mut line = String::new();
                    for (i, (w, e)) in widths.iter().zip(row).enumerate() {
                        line.push_str(&align_left(e, *w, if i == 0 { "|" } else { "" }, "|"));
                    }
                    write(line);
                }
                write(line_break(&widths));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_output_as_tccli() {
        let v = Json::parse(r#"{"TotalCount": 2, "InstanceSet": [{"InstanceId": "a", "GPUCount": 1, "Ips": ["1", "2"]}, {"InstanceId": "b", "GPUCount": null}], "RequestId": "r"}"#).unwrap();
        assert_eq!(
            text(&v),
            "r\t2\nINSTANCESET\t1\ta\nIPS\t1\nIPS\t2\nINSTANCESET\tNone\tb\n"
        );
    }

    #[test]
    fn terminal_controls_in_values_are_escaped() {
        let v = Json::parse(r#"{"Name": "a\u001b[31mred\u202e"}"#).unwrap();
        assert_eq!(text(&v), "a\\u{1b}[31mred\\u{202e}\n");
        assert!(!table("action", &v).contains('\u{1b}'));
    }

    #[test]
    fn table_output_as_tccli() {
        // Expected texts printed by tccli 3.1.189.1's TableResult for the same values.
        let v = Json::parse(r#"{"TaskId": 7, "RequestId": "abc"}"#).unwrap();
        assert_eq!(
            table("action", &v),
            "-------------------------\n|        action         |\n+------------+----------+\n|  RequestId | TaskId   |\n+------------+----------+\n|  abc       |  7       |\n+------------+----------+\n"
        );
        let v = Json::parse(r#"{"TotalCount": 2, "InstanceSet": [{"InstanceId": "a", "GPUCount": 1, "Ips": ["1", "2"]}, {"InstanceId": "b", "GPUCount": null}], "RequestId": "r"}"#).unwrap();
        assert_eq!(
            table("action", &v),
            "------------------------------\n|           action           |\n+------------+---------------+\n|  RequestId |  TotalCount   |\n+------------+---------------+\n|  r         |  2            |\n+------------+---------------+\n||        InstanceSet       ||\n|+-----------+--------------+|\n|| GPUCount  | InstanceId   ||\n|+-----------+--------------+|\n||  1        |  a           ||\n|+-----------+--------------+|\n|||           Ips          |||\n||+------------------------+||\n|||  1                     |||\n|||  2                     |||\n||+------------------------+||\n||        InstanceSet       ||\n|+-----------+--------------+|\n|| GPUCount  | InstanceId   ||\n|+-----------+--------------+|\n||  None     |  b           ||\n|+-----------+--------------+|\n"
        );
    }
}
