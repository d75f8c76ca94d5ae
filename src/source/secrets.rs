//! Values that look like secrets, masked wherever wfk prints source text or quotes a value:
//! the snippet of any error (a duplicate key, an unknown key, a type mismatch), in every
//! format. A key says a value is secret (`DB_PASSWORD`, `api-key`: see
//! [`crate::check::looks_secret`]); its value is masked in the short form
//! (`DB_PASSWORD: hunter2`, `{ TOKEN: x }`) and the long one (`DB_PASSWORD: { value: x }`, or
//! a `value:` line under it).
//!
//! The scan reads lines, not YAML, so it also covers a file that does not parse.

use std::ops::Range;

/// Byte ranges of the secret values in `text`, a spec, overlay or template file.
pub fn ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    // The indentation of a secret key whose value is on the lines below it.
    let mut open: Option<usize> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        if open.is_some_and(|at| indent <= at && !body.trim().is_empty()) {
            open = None;
        }
        scan(body, start, open.is_some(), &mut open, indent, &mut out);
        start += line.len();
    }
    out
}

/// Byte ranges of a secret value in a `--set` argument: `components.api.env.DB_PASSWORD=x`.
pub fn set_ranges(text: &str) -> Vec<Range<usize>> {
    let Some((path, _)) = text.split_once('=') else {
        return Vec::new();
    };
    let secret = path
        .split('.')
        .rev()
        .find(|s| *s != "value")
        .is_some_and(crate::check::looks_secret);
    let value = path.len() + 1..text.len();
    if secret && !value.is_empty() {
        Vec::from([value])
    } else {
        Vec::new()
    }
}

/// Finds `key: value` pairs on one line (block or flow) and records the secret values.
/// `under` says the line sits under a secret key, where a `value:` key is secret.
fn scan(
    line: &str,
    offset: usize,
    under: bool,
    open: &mut Option<usize>,
    indent: usize,
    out: &mut Vec<Range<usize>>,
) {
    let bytes = line.as_bytes();
    let mut i = indent;
    if line[i..].starts_with("- ") {
        i += 2;
    }
    // Secret keys whose value is a flow mapping still open on this line, by depth.
    let mut secret_maps: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    let mut key_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'{' => {
                depth += 1;
                secret_maps.push(false);
                i += 1;
                key_start = true;
                continue;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                secret_maps.pop();
                i += 1;
                continue;
            }
            b',' => {
                i += 1;
                key_start = true;
                continue;
            }
            b' ' | b'\t' => {
                i += 1;
                continue;
            }
            b'#' => return,
            _ => {}
        }
        if !key_start {
            i += 1;
            continue;
        }
        key_start = false;
        let Some((key, after)) = key_at(line, i) else {
            // Not a key: skip this value.
            i = value_end(line, i, depth > 0);
            continue;
        };
        let in_secret_map = secret_maps.last().copied().unwrap_or(under && depth == 0);
        let secret = names_secret(key) || (key == "value" && in_secret_map);
        let mut v = after;
        while v < bytes.len() && bytes[v] == b' ' {
            v += 1;
        }
        if v >= bytes.len() || bytes[v] == b'#' {
            // The value is on the lines below.
            if names_secret(key) && depth == 0 {
                *open = Some(indent);
            }
            return;
        }
        if bytes[v] == b'{' {
            depth += 1;
            secret_maps.push(names_secret(key));
            i = v + 1;
            key_start = true;
            continue;
        }
        let end = value_end(line, v, depth > 0);
        if secret && end > v {
            out.push(offset + v..offset + end);
        }
        i = end;
    }
}

/// Whether a key says its value is a secret. The spec's own `secret:` and `secrets:` name
/// Secret objects (`{ secret: db/password }`, `envFrom.secrets`) and `key:` a config key
/// (`{ config: shop-config, key: log-level }`): references, not values.
fn names_secret(key: &str) -> bool {
    !matches!(key, "secret" | "secrets" | "key") && crate::check::looks_secret(key)
}

/// A key (plain or quoted) at `i`, followed by `:` and a space or the end of the line:
/// the key's text and the index after the colon.
fn key_at(line: &str, i: usize) -> Option<(&str, usize)> {
    let rest = &line[i..];
    let (key, len) = match rest.as_bytes().first()? {
        q @ (b'"' | b'\'') => {
            let close = rest[1..].find(*q as char)? + 1;
            (&rest[1..close], close + 1)
        }
        _ => {
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')))
                .unwrap_or(rest.len());
            (&rest[..len], len)
        }
    };
    let after = &rest[len..];
    let colon = after.strip_prefix(':')?;
    (colon.is_empty() || colon.starts_with([' ', '\t']) && !key.is_empty())
        .then_some((key, i + len + 1))
}

/// Where a scalar starting at `v` ends: its closing quote, else the next `,` or `}` in a
/// flow mapping, else a ` #` comment or the end of the line (trailing spaces left out).
fn value_end(line: &str, v: usize, flow: bool) -> usize {
    let bytes = line.as_bytes();
    match bytes.get(v) {
        Some(b'"') => {
            let mut j = v + 1;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' => j += 2,
                    b'"' => return j + 1,
                    _ => j += 1,
                }
            }
            bytes.len()
        }
        Some(b'\'') => {
            let mut j = v + 1;
            while j < bytes.len() {
                if bytes[j] == b'\'' {
                    if bytes.get(j + 1) == Some(&b'\'') {
                        j += 2;
                        continue;
                    }
                    return j + 1;
                }
                j += 1;
            }
            bytes.len()
        }
        _ => {
            let mut j = v;
            while j < bytes.len() {
                let b = bytes[j];
                if flow && matches!(b, b',' | b'}' | b']') {
                    break;
                }
                if b == b'#' && j > v && bytes[j - 1] == b' ' {
                    break;
                }
                j += 1;
            }
            while j > v && bytes[j - 1] == b' ' {
                j -= 1;
            }
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for r in ranges(text) {
            bytes[r].iter_mut().for_each(|b| *b = b'*');
        }
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn block_flow_quoted_and_long_forms_are_masked() {
        assert_eq!(
            masked("    DB_PASSWORD: hunter2\n"),
            "    DB_PASSWORD: *******\n"
        );
        assert_eq!(
            masked("    DB_PASSWORD: hunter2 # old\n"),
            "    DB_PASSWORD: ******* # old\n"
        );
        assert_eq!(
            masked("env: { TOKEN: abc, LOG: debug }\n"),
            "env: { TOKEN: ***, LOG: debug }\n"
        );
        assert_eq!(masked("  api-key: \"a\\\"b\"\n"), "  api-key: ******\n");
        assert_eq!(masked("  SECRET: 'it''s'\n"), "  SECRET: *******\n");
        assert_eq!(
            masked("  DB_PASSWORD: { value: hunter2 }\n"),
            "  DB_PASSWORD: { value: ******* }\n"
        );
        assert_eq!(
            masked("  DB_PASSWORD:\n    value: hunter2\n  LOG: { value: debug }\n"),
            "  DB_PASSWORD:\n    value: *******\n  LOG: { value: debug }\n"
        );
        assert_eq!(masked("  - password: x\n"), "  - password: *\n");
        let reference = "  DB_PASSWORD: { secret: db/password }\n  tls: { secret: web-tls }\n  /etc/a: { config: c, key: log-level }\n";
        assert_eq!(masked(reference), reference);
    }

    #[test]
    fn other_keys_and_references_are_not_masked() {
        let text = "  LOG_LEVEL: debug\n  KEYCLOAK_URL: https://k\n  image: a:b\n  value: x\n";
        assert_eq!(masked(text), text);
        assert_eq!(
            set_ranges("components.api.env.DB_PASSWORD=hunter2"),
            vec![31..38]
        );
        assert_eq!(
            set_ranges("components.api.env.DB_PASSWORD.value=x"),
            vec![37..38]
        );
        assert!(set_ranges("components.api.replicas=3").is_empty());
    }
}
