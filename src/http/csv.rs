//! CSV for spreadsheets (RPT-1): RFC 4180 quoting with CRLF line ends, and any cell a
//! spreadsheet would run as a formula (a name starting with `=`, say) prefixed with an
//! apostrophe so it opens as text.

pub struct Csv {
    out: String,
}

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv { out: String::new() };
        csv.row(header.iter().map(|h| h.to_string()));
        csv
    }

    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_cell(&mut self.out, &cell);
        }
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

fn push_cell(out: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || cell.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

/// An optional value as a cell: empty when absent.
pub fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpt1_csv_quotes_and_defuses_formulas() {
        let mut csv = Csv::new(&["name", "note"]);
        csv.row(["Smith, Jo".to_string(), "said \"fine\"".to_string()]);
        csv.row(["=HYPERLINK(\"x\")".to_string(), "plain".to_string()]);
        csv.row([opt(None::<i32>), opt(Some(3))]);
        assert_eq!(
            csv.finish(),
            "name,note\r\n\"Smith, Jo\",\"said \"\"fine\"\"\"\r\n\"'=HYPERLINK(\"\"x\"\")\",plain\r\n,3\r\n"
        );
    }
}
