//! Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`), parsed as the API server does,
//! so `128mb` and `0.5Mi` of memory in millis are caught before an apply.

/// A parsed quantity: its value in base units, and whether it used the milli suffix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Parsed {
    pub value: f64,
    pub milli: bool,
}

/// Parses a quantity: a signed decimal number, then a binary suffix (Ki … Ei), a decimal
/// suffix (n, u, m, k, M, G, T, P, E) or an exponent (e3). None if it is not one.
pub fn parse(s: &str) -> Option<Parsed> {
    let split = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || ((c == '+' || c == '-') && i == 0)))
        .map_or(s.len(), |(i, _)| i);
    let (number, suffix) = s.split_at(split);
    if number.is_empty()
        || number == "+"
        || number == "-"
        || number.matches('.').count() > 1
        || number.ends_with('.') && number.len() == 1
    {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => {
            let exp: i32 = e[1..].parse().ok()?;
            10f64.powi(exp)
        }
        _ => return None,
    };
    Some(Parsed {
        value: value * scale,
        milli: suffix == "m",
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_what_the_api_server_accepts() {
        assert_eq!(parse("500m").unwrap().value, 0.5);
        assert_eq!(parse("1Gi").unwrap().value, 1073741824.0);
        assert_eq!(parse("2e3").unwrap().value, 2000.0);
        assert_eq!(parse("1.5").unwrap().value, 1.5);
        assert!(parse("500m").unwrap().milli);
    }

    #[test]
    fn refuses_what_it_refuses() {
        for bad in ["128mb", "1GB", "", "Mi", "1..5", "one", "1 Gi"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
