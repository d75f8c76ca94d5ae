#![allow(dead_code)] // the checks of `wfk validate` use the rest
//! Kubernetes' own name and value rules, ported from apimachinery with its
//! wording, so messages match what the API server says.
//!
//! This is a hand port of `k8s.io/apimachinery/pkg/util/validation`
//! (`validation.go`) as of Kubernetes 1.33, plus the few pieces of
//! `k8s.io/apimachinery/pkg/api/validation` (annotations) that
//! `k8s.io/kubernetes/pkg/apis/core/validation` relies on. The Go code
//! matches regular expressions; here every pattern is checked byte by byte,
//! which is equivalent because every character class involved is ASCII.
//! Lengths are byte lengths, as with Go's `len(string)`.
//!
//! Each check returns the list of problems found, in the order Go reports
//! them; an empty list means the value is valid. The regular expression
//! quoted in a message is the one Go uses, so the text stays identical.
//!
//! Image references are not Kubernetes' to check (the API server takes any
//! non-blank string), but every container runtime parses them with the grammar
//! of `github.com/distribution/reference`, ported here as [`image_reference`],
//! which says what is wrong in wfk's words rather than Go's.

/// Port of Go's `DNS1123LabelMaxLength`: a label's max length in DNS (RFC 1123).
pub(crate) const DNS1123_LABEL_MAX_LENGTH: usize = 63;
/// Port of Go's `DNS1123SubdomainMaxLength`: a subdomain's max length in DNS (RFC 1123).
pub(crate) const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
/// Port of Go's `DNS1035LabelMaxLength`: a label's max length in DNS (RFC 1035).
pub(crate) const DNS1035_LABEL_MAX_LENGTH: usize = 63;
/// Port of Go's `qualifiedNameMaxLength`: the max length of a qualified name's name part.
pub(crate) const QUALIFIED_NAME_MAX_LENGTH: usize = 63;
/// Port of Go's `LabelValueMaxLength`: a label value's max length.
pub(crate) const LABEL_VALUE_MAX_LENGTH: usize = 63;
/// The max length of an IANA_SVC_NAME, hard-coded as 15 in Go's `IsValidPortName`.
pub(crate) const PORT_NAME_MAX_LENGTH: usize = 15;
/// Port of Go's `TotalAnnotationSizeLimitB` (256 KiB): the limit on the summed
/// byte lengths of all annotation keys and values of one object.
pub(crate) const TOTAL_ANNOTATION_SIZE_LIMIT_B: usize = 256 * (1 << 10);

const MIN_USER_ID: i64 = 0;
const MAX_USER_ID: i64 = i32::MAX as i64;
const MIN_GROUP_ID: i64 = 0;
const MAX_GROUP_ID: i64 = i32::MAX as i64;

const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const C_IDENTIFIER_FMT: &str = "[A-Za-z_][A-Za-z0-9_]*";
const C_IDENTIFIER_ERR_MSG: &str = "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'";

const ENV_VAR_NAME_FMT: &str = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const ENV_VAR_NAME_ERR_MSG: &str = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const RELAXED_ENV_VAR_NAME_ERR_MSG: &str = "a valid environment variable name must consist only of printable ASCII characters other than '='";

const CONFIG_MAP_KEY_FMT: &str = "[-._a-zA-Z0-9]+";
const CONFIG_MAP_KEY_ERR_MSG: &str =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

/// Port of Go's `MaxLenError`: explains a "string too long" failure.
pub(crate) fn max_len_error(length: usize) -> String {
    format!("must be no more than {length} characters")
}

/// Port of Go's `RegexError`: explains a failed pattern match, quoting the
/// examples and the regular expression exactly as Go does (including the
/// double space Go leaves between examples).
pub(crate) fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = String::from(msg);
    out.push_str(" (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push('\'');
        out.push_str(example);
        out.push_str("', ");
    }
    out.push_str("regex used for validation is '");
    out.push_str(fmt);
    out.push_str("')");
    out
}

/// Port of Go's `EmptyError`: explains a "must not be empty" failure.
pub(crate) fn empty_error() -> String {
    "must be non-empty".to_string()
}

/// Port of Go's `InclusiveRangeError`: explains a numeric "must be between"
/// failure.
pub(crate) fn inclusive_range_error(lo: i64, hi: i64) -> String {
    format!("must be between {lo} and {hi}, inclusive")
}

/// Port of the detail text of Go's `field.TooLong` (from
/// `k8s.io/apimachinery/pkg/util/validation/field`).
pub(crate) fn too_long_error(max_length: usize) -> String {
    format!("must have at most {max_length} bytes")
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Matches Go's `^` + `pattern` + `$` for patterns of the shape
/// `first(middle*last)?`, where a single byte must satisfy `first` only.
fn matches_edges(
    value: &str,
    first: impl Fn(u8) -> bool,
    middle: impl Fn(u8) -> bool,
    last: impl Fn(u8) -> bool,
) -> bool {
    let bytes = value.as_bytes();
    let Some((&head, rest)) = bytes.split_first() else {
        return false;
    };
    if !first(head) {
        return false;
    }
    match rest.split_last() {
        None => true,
        Some((&tail, inner)) => last(tail) && inner.iter().all(|&b| middle(b)),
    }
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
fn matches_dns1123_label_fmt(value: &str) -> bool {
    matches_edges(
        value,
        is_lower_alnum,
        |b| is_lower_alnum(b) || b == b'-',
        is_lower_alnum,
    )
}

/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
fn matches_dns1123_subdomain_fmt(value: &str) -> bool {
    value.split('.').all(matches_dns1123_label_fmt)
}

/// `^[a-z]([-a-z0-9]*[a-z0-9])?$`
fn matches_dns1035_label_fmt(value: &str) -> bool {
    matches_edges(
        value,
        |b| b.is_ascii_lowercase(),
        |b| is_lower_alnum(b) || b == b'-',
        is_lower_alnum,
    )
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`
fn matches_qualified_name_fmt(value: &str) -> bool {
    matches_edges(
        value,
        |b| b.is_ascii_alphanumeric(),
        |b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'),
        |b| b.is_ascii_alphanumeric(),
    )
}

/// `^[A-Za-z_][A-Za-z0-9_]*$`
fn matches_c_identifier_fmt(value: &str) -> bool {
    let bytes = value.as_bytes();
    match bytes.split_first() {
        None => false,
        Some((&head, rest)) => {
            (head.is_ascii_alphabetic() || head == b'_')
                && rest.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
        }
    }
}

/// `^[-._a-zA-Z][-._a-zA-Z0-9]*$`
fn matches_env_var_name_fmt(value: &str) -> bool {
    let bytes = value.as_bytes();
    match bytes.split_first() {
        None => false,
        Some((&head, rest)) => {
            (head.is_ascii_alphabetic() || matches!(head, b'-' | b'.' | b'_'))
                && rest
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        }
    }
}

/// `^[-._a-zA-Z0-9]+$`
fn matches_config_map_key_fmt(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// Port of Go's unexported `hasChDirPrefix`.
fn has_ch_dir_prefix(value: &str) -> Vec<String> {
    if value == "." {
        vec!["must not be '.'".to_string()]
    } else if value == ".." {
        vec!["must not be '..'".to_string()]
    } else if value.starts_with("..") {
        vec!["must not start with '..'".to_string()]
    } else {
        Vec::new()
    }
}

/// Port of Go's `IsQualifiedName`: an optional DNS-1123 subdomain prefix and
/// `/`, then a name of at most 63 characters from `[-A-Za-z0-9_.]` that starts
/// and ends with an alphanumeric character. Label keys, annotation keys and
/// finalizers use this format.
pub(crate) fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push(format!("prefix part {}", empty_error()));
            } else {
                errs.extend(
                    is_dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|msg| format!("prefix part {msg}")),
                );
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(
                    QUALIFIED_NAME_ERR_MSG,
                    QUALIFIED_NAME_FMT,
                    &["MyName", "my.name", "123-abc"],
                ),
            ));
            return errs;
        }
    };

    if name.is_empty() {
        errs.push(format!("name part {}", empty_error()));
    } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
        errs.push(format!(
            "name part {}",
            max_len_error(QUALIFIED_NAME_MAX_LENGTH)
        ));
    }
    if !matches_qualified_name_fmt(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_ERR_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"],
            )
        ));
    }
    errs
}

/// Port of Go's `IsValidLabelValue`: empty, or at most 63 characters from
/// `[-A-Za-z0-9_.]` starting and ending with an alphanumeric character.
pub(crate) fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_error(LABEL_VALUE_MAX_LENGTH));
    }
    if !value.is_empty() && !matches_qualified_name_fmt(value) {
        errs.push(regex_error(
            LABEL_VALUE_ERR_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// Port of Go's `IsDNS1123Label`: a DNS label (RFC 1123) of at most 63
/// characters. A value that would be a valid subdomain gets the shorter
/// "must not contain dots" message, as in Go.
pub(crate) fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_LABEL_MAX_LENGTH));
    }
    if !matches_dns1123_label_fmt(value) {
        if matches_dns1123_subdomain_fmt(value) {
            // It was a valid subdomain and not a valid label. Since the length
            // was already checked, it must be dots.
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_ERR_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// Port of Go's `IsDNS1123Subdomain`: a DNS subdomain (RFC 1123) of at most
/// 253 characters. Most object names use this format.
pub(crate) fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !matches_dns1123_subdomain_fmt(value) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_ERR_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// Port of Go's `IsDNS1035Label`: a DNS label (RFC 1035) of at most 63
/// characters, which unlike an RFC 1123 label must start with a letter.
/// Service names use this format.
pub(crate) fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1035_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1035_LABEL_MAX_LENGTH));
    }
    if !matches_dns1035_label_fmt(value) {
        errs.push(regex_error(
            DNS1035_LABEL_ERR_MSG,
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// Port of Go's `IsCIdentifier`: an identifier in C. This checks the format,
/// but not the length.
pub(crate) fn is_c_identifier(value: &str) -> Vec<String> {
    if matches_c_identifier_fmt(value) {
        return Vec::new();
    }
    vec![regex_error(
        C_IDENTIFIER_ERR_MSG,
        C_IDENTIFIER_FMT,
        &["my_name", "MY_NAME", "MyName"],
    )]
}

/// Port of Go's `IsValidPortNum`: a valid, non-zero port number (1 to 65535).
pub(crate) fn is_valid_port_num(port: i64) -> Vec<String> {
    if (1..=65535).contains(&port) {
        return Vec::new();
    }
    vec![inclusive_range_error(1, 65535)]
}

/// Port of Go's `IsInRange`: the value lies in the inclusive range `min..=max`.
pub(crate) fn is_in_range(value: i64, min: i64, max: i64) -> Vec<String> {
    if value >= min && value <= max {
        return Vec::new();
    }
    vec![inclusive_range_error(min, max)]
}

/// Port of Go's `IsValidGroupID`: a Unix GID from 0 to 2147483647.
pub(crate) fn is_valid_group_id(gid: i64) -> Vec<String> {
    if (MIN_GROUP_ID..=MAX_GROUP_ID).contains(&gid) {
        return Vec::new();
    }
    vec![inclusive_range_error(MIN_GROUP_ID, MAX_GROUP_ID)]
}

/// Port of Go's `IsValidUserID`: a Unix UID from 0 to 2147483647.
pub(crate) fn is_valid_user_id(uid: i64) -> Vec<String> {
    if (MIN_USER_ID..=MAX_USER_ID).contains(&uid) {
        return Vec::new();
    }
    vec![inclusive_range_error(MIN_USER_ID, MAX_USER_ID)]
}

/// Port of Go's `IsValidPortName`: an IANA_SVC_NAME (RFC 6335). It must be
/// non-empty and at most 15 characters long, contain only `[-a-z0-9]`, contain
/// at least one letter, not start or end with a hyphen, and not contain two
/// hyphens in a row. Only lower case is allowed, although RFC 6335 is case
/// insensitive.
pub(crate) fn is_valid_port_name(port: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if port.len() > PORT_NAME_MAX_LENGTH {
        errs.push(max_len_error(PORT_NAME_MAX_LENGTH));
    }
    if port.is_empty() || !port.bytes().all(|b| is_lower_alnum(b) || b == b'-') {
        errs.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string(),
        );
    }
    if !port.bytes().any(|b| b.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

/// Port of Go's `IsEnvVarName`: `[-._a-zA-Z][-._a-zA-Z0-9]*`, and not `.`,
/// `..`, or anything starting with `..`.
///
/// Since Kubernetes 1.32 the API server validates container environment
/// variable names with [`is_relaxed_env_var_name`] instead (feature gate
/// `RelaxedEnvironmentVariableValidation`, beta and on by default in 1.32 and
/// 1.33, GA in 1.34); this stricter rule is what older servers enforce.
pub(crate) fn is_env_var_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if !matches_env_var_name_fmt(value) {
        errs.push(regex_error(
            ENV_VAR_NAME_ERR_MSG,
            ENV_VAR_NAME_FMT,
            &["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        ));
    }
    errs.extend(has_ch_dir_prefix(value));
    errs
}

/// Port of Go's `IsRelaxedEnvVarName`: non-empty, and only printable ASCII
/// characters (space to `~`) other than `=`.
pub(crate) fn is_relaxed_env_var_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.is_empty() {
        errs.push(format!("environment variable name {}", empty_error()));
    }
    // Go walks runes and rejects any rune above U+007F; in valid UTF-8 every
    // byte of such a rune is above 0x7F, so a byte walk finds the same thing.
    if value
        .bytes()
        .any(|b| !(b' '..=b'~').contains(&b) || b == b'=')
    {
        errs.push(RELAXED_ENV_VAR_NAME_ERR_MSG.to_string());
    }
    errs
}

/// Port of Go's `IsConfigMapKey`: a key of a ConfigMap or Secret. At most 253
/// characters from `[-._a-zA-Z0-9]`, and not `.`, `..`, or anything starting
/// with `..`.
pub(crate) fn is_config_map_key(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if !matches_config_map_key_fmt(value) {
        errs.push(regex_error(
            CONFIG_MAP_KEY_ERR_MSG,
            CONFIG_MAP_KEY_FMT,
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    errs.extend(has_ch_dir_prefix(value));
    errs
}

/// Port of the per-key check in Go's `ValidateAnnotations`
/// (`k8s.io/apimachinery/pkg/api/validation`): an annotation key is a
/// qualified name, except that case does not matter, so Go lower-cases the key
/// with `strings.ToLower` before calling `IsQualifiedName`.
pub(crate) fn is_annotation_key(key: &str) -> Vec<String> {
    is_qualified_name(&go_to_lower(key))
}

/// Go's `strings.ToLower`, which maps each rune with its simple lower-case
/// mapping. Rust's `char::to_lowercase` uses the full mapping, which differs
/// only for U+0130 (capital I with dot above): Rust gives two characters, Go
/// gives `i`.
fn go_to_lower(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == '\u{130}' {
            out.push('i');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Port of the size check in Go's `ValidateAnnotations` and
/// `ValidateAnnotationsSize` (`k8s.io/apimachinery/pkg/api/validation`): the
/// byte lengths of all keys and values together must not exceed
/// `TotalAnnotationSizeLimitB` (256 KiB). The message is the detail of the
/// `field.TooLong` error the API server reports.
pub(crate) fn validate_annotations_size<I, K, V>(annotations: I) -> Vec<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let total = annotations.into_iter().fold(0usize, |sum, (k, v)| {
        sum.saturating_add(k.as_ref().len())
            .saturating_add(v.as_ref().len())
    });
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_B {
        return vec![too_long_error(TOTAL_ANNOTATION_SIZE_LIMIT_B)];
    }
    Vec::new()
}

// Container image references: not apimachinery, but the grammar every container runtime
// parses an image with.

/// The longest image name (registry host, port and path) distribution/reference accepts
/// (`NameTotalLengthMax`).
pub(crate) const IMAGE_NAME_MAX_LENGTH: usize = 255;
/// The longest image tag: `[\w][\w.-]{0,127}`.
pub(crate) const IMAGE_TAG_MAX_LENGTH: usize = 128;
/// The form of an image reference, for help texts.
pub(crate) const IMAGE_FORM: &str = "[registry[:port]/]path[:tag][@digest]";

/// Port of `github.com/distribution/reference`'s grammar (`reference.go`, `regexp.go`)
/// and of the digest check of `github.com/opencontainers/go-digest` it calls:
///
/// ```text
/// reference  := name [ ":" tag ] [ "@" digest ]
/// name       := [ host [ ":" port ] "/" ] path           at most 255 characters
/// host       := domain-component ( "." domain-component )* | "[" IPv6 "]"
/// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
/// port       := [0-9]+
/// path       := component ( "/" component )*
/// component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
/// tag        := [\w][\w.-]{0,127}
/// digest     := algorithm ":" hex    sha256, sha384, sha512: 64, 96, 128 of [a-f0-9]
/// ```
///
/// The first component is the registry host only when it has a `.` or a `:` or is
/// `localhost`, as Docker decides (`splitDockerDomain`). Docker also takes an uppercase
/// first component for a host, so `Gorax/api` would be pulled from a host named `Gorax`;
/// that is never what was meant, so here it is part of the path, which is lowercase.
///
/// Returns what is wrong as a phrase that follows "image `…`", such as "has an empty
/// tag"; the first problem found, reading left to right.
pub(crate) fn image_reference(image: &str) -> Result<(), String> {
    if image.is_empty() {
        return Err("is empty".to_string());
    }
    if let Some(c) = image.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(match c {
            ' ' => "contains a space".to_string(),
            c if c.is_whitespace() => "contains whitespace".to_string(),
            c => format!("contains the control character {}", c.escape_unicode()),
        });
    }
    let (name_tag, digest) = match image.split_once('@') {
        Some((name_tag, digest)) => (name_tag, Some(digest)),
        None => (image, None),
    };
    // A `:` after the last `/` starts the tag; one before it is a registry port.
    let (name, tag) = match name_tag.rfind(':') {
        Some(i) if !name_tag[i..].contains('/') => (&name_tag[..i], Some(&name_tag[i + 1..])),
        _ => (name_tag, None),
    };
    image_name(name)?;
    if let Some(tag) = tag {
        image_tag(tag)?;
    }
    if let Some(digest) = digest {
        image_digest(digest)?;
    }
    Ok(())
}

/// `[host[:port]/]path`.
fn image_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("has no name before its tag or digest".to_string());
    }
    if name.len() > IMAGE_NAME_MAX_LENGTH {
        return Err(format!(
            "has a name of {} characters, more than {IMAGE_NAME_MAX_LENGTH}",
            name.len()
        ));
    }
    if name.starts_with('/') {
        return Err("starts with `/`".to_string());
    }
    if name.ends_with('/') {
        return Err("has a name that ends with `/`".to_string());
    }
    if name.contains("//") {
        return Err("has an empty path component (`//`)".to_string());
    }
    let path = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':']) || first == "localhost" || first.starts_with('[') =>
        {
            image_host(first)?;
            rest
        }
        _ => name,
    };
    if path.bytes().any(|b| b.is_ascii_uppercase())
        && path
            .split('/')
            .all(|c| path_component(&c.to_ascii_lowercase()).is_ok())
    {
        return Err(format!("has uppercase letters in its path `{path}`"));
    }
    for component in path.split('/') {
        if let Err(problem) = path_component(component) {
            return Err(format!("has a path component `{component}` {problem}"));
        }
    }
    Ok(())
}

/// `component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*`, or what is
/// wrong with it.
fn path_component(component: &str) -> Result<(), &'static str> {
    let bytes = component.as_bytes();
    if let Some(b) = bytes
        .iter()
        .find(|&&b| !is_lower_alnum(b) && !matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(if b.is_ascii_uppercase() {
            "with uppercase letters"
        } else {
            "with characters other than lowercase letters, digits, `.`, `_` and `-`"
        });
    }
    if !bytes.first().is_some_and(|&b| is_lower_alnum(b))
        || !bytes.last().is_some_and(|&b| is_lower_alnum(b))
    {
        return Err("that does not start and end with a letter or digit");
    }
    for run in component.split(|c: char| c.is_ascii_alphanumeric()) {
        let ok =
            run.is_empty() || matches!(run, "." | "_" | "__") || run.bytes().all(|b| b == b'-');
        if !ok {
            return Err("with a separator other than `.`, `_`, `__` or dashes");
        }
    }
    Ok(())
}

/// `host[:port]`: a domain name, an IPv4 address or a bracketed IPv6 address.
fn image_host(host_port: &str) -> Result<(), String> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return Err(format!("has a registry `{host_port}` with no closing `]`"));
        };
        if v6.is_empty() || !v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err(format!(
                "has a registry `{host_port}` that is not an IPv6 address"
            ));
        }
        match after {
            "" => (host_port, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (&host_port[..host_port.len() - port.len() - 1], Some(port)),
                None => return Err(format!("has a registry `{host_port}` with text after `]`")),
            },
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if !host.starts_with('[') {
        let label_ok = |l: &str| {
            let b = l.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        };
        if !host.split('.').all(label_ok) {
            return Err(format!(
                "has a registry host `{host}` that is not a domain name"
            ));
        }
    }
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("has a registry port `{port}` that is not a number"));
        }
    }
    Ok(())
}

/// `[\w][\w.-]{0,127}`.
fn image_tag(tag: &str) -> Result<(), String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    if tag.is_empty() {
        return Err("has an empty tag".to_string());
    }
    if tag.len() > IMAGE_TAG_MAX_LENGTH {
        return Err(format!(
            "has a tag of {} characters, more than {IMAGE_TAG_MAX_LENGTH}",
            tag.len()
        ));
    }
    if !tag.bytes().all(|b| word(b) || b == b'.' || b == b'-') {
        return Err(format!(
            "has a tag `{tag}` with characters other than letters, digits, `_`, `.` and `-`"
        ));
    }
    if !word(tag.as_bytes()[0]) {
        return Err(format!(
            "has a tag `{tag}` that starts with `{}`",
            &tag[..1]
        ));
    }
    Ok(())
}

/// `algorithm:hex`, with an algorithm container runtimes know and its length of hex.
fn image_digest(digest: &str) -> Result<(), String> {
    if digest.is_empty() {
        return Err("has `@` but no digest".to_string());
    }
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(format!(
            "has a digest `{digest}` that is not `algorithm:hex`"
        ));
    };
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(format!(
                "has a digest of algorithm `{algorithm}`, which is not `sha256`, `sha384` or `sha512`"
            ));
        }
    };
    if !hex
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!(
            "has a {algorithm} digest with characters other than lowercase hex digits"
        ));
    }
    if hex.len() != length {
        return Err(format!(
            "has a {algorithm} digest of {} hex digits, not {length}",
            hex.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn rep(c: char, n: usize) -> String {
        std::iter::repeat_n(c, n).collect()
    }

    /// Runs `check` over every case, reporting all wrong verdicts at once.
    fn run(name: &str, check: fn(&str) -> Vec<String>, valid: &[&str], invalid: &[&str]) {
        let mut failures = Vec::new();
        for v in valid {
            let errs = check(v);
            if !errs.is_empty() {
                failures.push(format!("{name}({v:?}) should be valid, got {errs:?}"));
            }
        }
        for v in invalid {
            if check(v).is_empty() {
                failures.push(format!("{name}({v:?}) should be invalid"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    const LABEL_REGEX_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    const SUBDOMAIN_REGEX_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const QNAME_REGEX_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    #[test]
    fn error_helpers_match_go() {
        assert_eq!(max_len_error(63), "must be no more than 63 characters");
        assert_eq!(empty_error(), "must be non-empty");
        assert_eq!(
            inclusive_range_error(1, 65535),
            "must be between 1 and 65535, inclusive"
        );
        assert_eq!(too_long_error(262144), "must have at most 262144 bytes");
        assert_eq!(
            regex_error("bad", "x+", &[]),
            "bad (regex used for validation is 'x+')"
        );
        assert_eq!(
            regex_error("bad", "x+", &["x"]),
            "bad (e.g. 'x', regex used for validation is 'x+')"
        );
        assert_eq!(
            regex_error("bad", "x+", &["x", "xx", "xxx"]),
            "bad (e.g. 'x',  or 'xx',  or 'xxx', regex used for validation is 'x+')"
        );
    }

    #[test]
    fn dns1123_label() {
        let max = rep('a', 63);
        let max_digits = rep('1', 63);
        let too_long = rep('a', 64);
        run(
            "is_dns1123_label",
            is_dns1123_label,
            &[
                "a",
                "ab",
                "abc",
                "a1",
                "a-1",
                "a--1--2--b",
                "0",
                "01",
                "0-1",
                "1-2-3",
                &max,
                &max_digits,
            ],
            &[
                "", "A", "ABC", "aBc", "A1", "a-1-B", "1-2-3-", "-", "a-", "-a", "1-", "-1", "_",
                "a_b", "1_2", ".", "a.", ".a", "a.b", "1.2", " ", "a ", " a", "a b", "A.a", "aB.a",
                "a@b", "a,b", "a;b", "a:b", "a%b", "a?b", "a$b", "é", &too_long,
            ],
        );
    }

    #[test]
    fn dns1123_label_messages() {
        assert_eq!(is_dns1123_label("A"), vec![LABEL_REGEX_MSG]);
        assert_eq!(is_dns1123_label(""), vec![LABEL_REGEX_MSG]);
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots"]);
        assert_eq!(
            is_dns1123_label(&rep('a', 64)),
            vec!["must be no more than 63 characters"]
        );
        // Too long and dotted: both problems, and the dots message still wins
        // over the pattern message because the value is a valid subdomain.
        let long_dotted = format!("{}.ab", rep('a', 62));
        assert_eq!(
            is_dns1123_label(&long_dotted),
            vec![
                "must be no more than 63 characters",
                "must not contain dots"
            ]
        );
        assert_eq!(
            is_dns1123_label(&rep('A', 64)),
            vec!["must be no more than 63 characters", LABEL_REGEX_MSG]
        );
    }

    #[test]
    fn dns1123_subdomain() {
        let max = rep('a', 253);
        let max_dotted = format!(
            "{}.{}.{}.{}",
            rep('a', 63),
            rep('b', 63),
            rep('c', 63),
            rep('d', 61)
        );
        assert_eq!(max_dotted.len(), 253);
        let too_long = rep('a', 254);
        let too_long_dotted = format!("{max_dotted}e");
        run(
            "is_dns1123_subdomain",
            is_dns1123_subdomain,
            &[
                "a",
                "ab",
                "abc",
                "a1",
                "a-1",
                "a--1--2--b",
                "0",
                "01",
                "0-1",
                "1-2-3",
                "a.a",
                "ab.a",
                "a.b.c.d.e",
                "aa.bb.cc.dd.ee",
                "1.2.3.4.5",
                "11.22.33.44.55",
                "a-1.b-2",
                "0.a",
                "a--1.b",
                &rep('a', 64),
                &max,
                &max_dotted,
            ],
            &[
                "",
                "A",
                "ABC",
                "aBc",
                "A1",
                "-",
                "a-",
                "-a",
                "_",
                "a_b",
                ".",
                "a.",
                ".a",
                "a..b",
                "a.-b",
                "a-.b",
                "a.B",
                "a b",
                "a@b",
                "example.com/",
                "*.example.com",
                &too_long,
                &too_long_dotted,
            ],
        );
    }

    #[test]
    fn dns1123_subdomain_messages() {
        assert_eq!(is_dns1123_subdomain("a..b"), vec![SUBDOMAIN_REGEX_MSG]);
        assert_eq!(
            is_dns1123_subdomain(&rep('a', 254)),
            vec!["must be no more than 253 characters"]
        );
        assert_eq!(
            is_dns1123_subdomain(&rep('_', 254)),
            vec!["must be no more than 253 characters", SUBDOMAIN_REGEX_MSG]
        );
    }

    #[test]
    fn dns1035_label() {
        let max = rep('a', 63);
        let max_mixed = format!("a{}", rep('1', 62));
        let too_long = rep('a', 64);
        run(
            "is_dns1035_label",
            is_dns1035_label,
            &[
                "a",
                "ab",
                "abc",
                "a1",
                "a-1",
                "a--1--2--b",
                "z9",
                &max,
                &max_mixed,
            ],
            &[
                "", "0", "01", "0-1", "1-2", "-", "a-", "-a", "A", "aB", "a_b", "a.b", "a b",
                &too_long,
            ],
        );
        assert_eq!(
            is_dns1035_label("0"),
            vec![
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
            ]
        );
        assert_eq!(
            is_dns1035_label(&too_long),
            vec!["must be no more than 63 characters"]
        );
    }

    #[test]
    fn qualified_name() {
        let max_name = rep('a', 63);
        let max_both = format!("{}/{}", rep('a', 253), rep('b', 63));
        let name_too_long = rep('a', 64);
        let prefix_too_long = format!("{}/b", rep('a', 254));
        run(
            "is_qualified_name",
            is_qualified_name,
            &[
                "simple",
                "now-with-dashes",
                "1-starts-with-num",
                "1234",
                "simple/simple",
                "now-with-dashes/simple",
                "now-with-dashes/now-with-dashes",
                "now.with.dots/simple",
                "now-with.dashes-and.dots/simple",
                "1-num.2-num/3-num",
                "1234/5678",
                "1.2.3.4/5678",
                "Uppercase_Is_OK_123",
                "example.com/Uppercase_Is_OK_123",
                "requests.storage-foo",
                "a",
                "A",
                "a.b_c-d",
                &max_name,
                &max_both,
            ],
            &[
                "",
                "/",
                "nospecialchars%^=@",
                "cantendwithadash-",
                "-cantstartwithadash-",
                "_underscore",
                "only/one/slash",
                "Example.com/abc",
                "example_com/abc",
                "example.com/",
                "/simple",
                "a b",
                &name_too_long,
                &prefix_too_long,
            ],
        );
    }

    #[test]
    fn qualified_name_messages() {
        assert_eq!(
            is_qualified_name("/simple"),
            vec!["prefix part must be non-empty"]
        );
        assert_eq!(
            is_qualified_name("example.com/"),
            vec![
                "name part must be non-empty".to_string(),
                format!("name part {QNAME_REGEX_MSG}"),
            ]
        );
        assert_eq!(
            is_qualified_name(""),
            vec![
                "name part must be non-empty".to_string(),
                format!("name part {QNAME_REGEX_MSG}"),
            ]
        );
        assert_eq!(
            is_qualified_name("a/b/c"),
            vec![format!(
                "a qualified name {QNAME_REGEX_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )]
        );
        assert_eq!(
            is_qualified_name(&rep('a', 64)),
            vec!["name part must be no more than 63 characters"]
        );
        assert_eq!(
            is_qualified_name("-a"),
            vec![format!("name part {QNAME_REGEX_MSG}")]
        );
        assert_eq!(
            is_qualified_name("Example.com/abc"),
            vec![format!("prefix part {SUBDOMAIN_REGEX_MSG}")]
        );
        assert_eq!(
            is_qualified_name(&format!("{}/-", rep('a', 254))),
            vec![
                "prefix part must be no more than 253 characters".to_string(),
                format!("name part {QNAME_REGEX_MSG}"),
            ]
        );
    }

    #[test]
    fn label_value() {
        let max = rep('a', 63);
        let too_long = rep('a', 64);
        run(
            "is_valid_label_value",
            is_valid_label_value,
            &[
                "",
                "simple",
                "now-with-dashes",
                "1-starts-with-num",
                "end-with-num-1",
                "1234",
                "A",
                "AZ",
                "a.b",
                "a_b",
                "Upper_and.lower-1",
                &max,
            ],
            &[
                "nospecialchars%^=@",
                "Tama-nui-te-rā.is.Māori.sun",
                "\\backslashes\\are\\bad",
                "-starts-with-dash",
                "ends-with-dash-",
                ".starts.with.dot",
                "ends.with.dot.",
                "with/slash",
                "a b",
                &too_long,
            ],
        );
        assert_eq!(
            is_valid_label_value("-a"),
            vec![
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
            ]
        );
        assert_eq!(
            is_valid_label_value(&too_long),
            vec!["must be no more than 63 characters"]
        );
    }

    #[test]
    fn port_name() {
        let max = rep('a', 15);
        let too_long = rep('a', 16);
        run(
            "is_valid_port_name",
            is_valid_port_name,
            &[
                "telnet",
                "re-mail-ck",
                "pop3",
                "a",
                "a-1",
                "1-a",
                "a-1-b-2-c",
                "1-2-a-3-4",
                "http",
                &max,
            ],
            &[
                "", "-", "A", "Http", "1", "12345", "1-2", "abc-", "-abc", "a--b", "a_b", "a.b",
                "a b", "é", &too_long,
            ],
        );
        assert_eq!(
            is_valid_port_name(""),
            vec![
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)",
            ]
        );
        assert_eq!(
            is_valid_port_name("-"),
            vec![
                "must contain at least one letter (a-z)",
                "must not begin or end with a hyphen",
            ]
        );
        assert_eq!(
            is_valid_port_name("a--b"),
            vec!["must not contain consecutive hyphens"]
        );
        assert_eq!(
            is_valid_port_name(&too_long),
            vec!["must be no more than 15 characters"]
        );
    }

    #[test]
    fn port_num() {
        for p in [1, 2, 1000, 16384, 32768, 65535] {
            assert!(is_valid_port_num(p).is_empty(), "{p} should be valid");
        }
        for p in [0, -1, 65536, 100_000, i64::MIN, i64::MAX] {
            assert_eq!(
                is_valid_port_num(p),
                vec!["must be between 1 and 65535, inclusive"],
                "{p} should be invalid"
            );
        }
    }

    #[test]
    fn in_range() {
        assert!(is_in_range(1, 1, 10).is_empty());
        assert!(is_in_range(10, 1, 10).is_empty());
        assert_eq!(
            is_in_range(11, 1, 10),
            vec!["must be between 1 and 10, inclusive"]
        );
        assert_eq!(
            is_in_range(0, 1, 10),
            vec!["must be between 1 and 10, inclusive"]
        );
    }

    #[test]
    fn user_and_group_ids() {
        type IdCheck = fn(i64) -> Vec<String>;
        let checks: [(&str, IdCheck); 2] = [
            ("is_valid_user_id", is_valid_user_id),
            ("is_valid_group_id", is_valid_group_id),
        ];
        for (name, check) in checks {
            for id in [0, 1, 1000, 65535, 2_147_483_647] {
                assert!(check(id).is_empty(), "{name}({id}) should be valid");
            }
            for id in [-1, -1000, 2_147_483_648, 4_294_967_295, i64::MIN, i64::MAX] {
                assert_eq!(
                    check(id),
                    vec!["must be between 0 and 2147483647, inclusive"],
                    "{name}({id}) should be invalid"
                );
            }
        }
    }

    #[test]
    fn env_var_name() {
        run(
            "is_env_var_name",
            is_env_var_name,
            &[
                "A",
                "AB",
                "AbC",
                "A1",
                "a",
                "_a",
                "A_1",
                "a-1",
                "a.1",
                "-",
                "_",
                ".a",
                "a..b",
                "my.env-name",
                "MY_ENV.NAME",
                "MyEnvName1",
            ],
            &[
                "", "1", "1A", "A=B", "A B", "$A", "a$", ".", "..", "..a", "...", "a\n", "é",
            ],
        );
        let regex_msg = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
        assert_eq!(is_env_var_name("1"), vec![regex_msg]);
        assert_eq!(is_env_var_name(""), vec![regex_msg]);
        assert_eq!(is_env_var_name("."), vec!["must not be '.'"]);
        assert_eq!(is_env_var_name(".."), vec!["must not be '..'"]);
        assert_eq!(is_env_var_name("..a"), vec!["must not start with '..'"]);
        assert_eq!(
            is_env_var_name("..$"),
            vec![regex_msg, "must not start with '..'"]
        );
    }

    #[test]
    fn relaxed_env_var_name() {
        run(
            "is_relaxed_env_var_name",
            is_relaxed_env_var_name,
            &[
                "A",
                "1A",
                "A B",
                " ",
                "$A",
                "a.b",
                "~",
                ".",
                "..",
                "..a",
                "!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~",
            ],
            &["", "A=B", "=", "a\tb", "a\nb", "é", "a\u{7f}", "\u{0}"],
        );
        assert_eq!(
            is_relaxed_env_var_name(""),
            vec!["environment variable name must be non-empty"]
        );
        assert_eq!(
            is_relaxed_env_var_name("A=B"),
            vec![
                "a valid environment variable name must consist only of printable ASCII characters other than '='"
            ]
        );
    }

    #[test]
    fn config_map_key() {
        let max = rep('a', 253);
        let too_long = rep('a', 254);
        run(
            "is_config_map_key",
            is_config_map_key,
            &[
                "a", "ab", "abc", "a1", "-", "_", "a-", "a_", "-a", "_a", "a-b", "a_b", "a.b", "A",
                "KEY_NAME", ".a", "a.", ".a.", "a..b", "1", &max,
            ],
            &[
                "", ".", "..", "..a", "...", "a b", "a/b", "a:b", "a=b", "é", &too_long,
            ],
        );
        assert_eq!(is_config_map_key("."), vec!["must not be '.'"]);
        assert_eq!(is_config_map_key(".."), vec!["must not be '..'"]);
        assert_eq!(is_config_map_key("..a"), vec!["must not start with '..'"]);
        let regex_msg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
        assert_eq!(is_config_map_key("a/b"), vec![regex_msg]);
        assert_eq!(is_config_map_key(""), vec![regex_msg]);
        assert_eq!(
            is_config_map_key(&too_long),
            vec!["must be no more than 253 characters"]
        );
    }

    #[test]
    fn c_identifier() {
        run(
            "is_c_identifier",
            is_c_identifier,
            &[
                "a",
                "ab",
                "abc",
                "a1",
                "_a",
                "a_",
                "a_b",
                "a_1",
                "__123_abc",
                "_abc_123",
                "A",
                "AB",
                "AbC",
                "A1",
                "_A",
                "A_",
                "A_B",
                "A_1",
                "__123_ABC",
                "_ABC_123",
                "_",
            ],
            &[
                "", "1", "123", "123abc", "-", "a-", "-a", "1-", "a.b", "a b", "a@b", "a,b", "a;b",
                "a:b", "a%b", "a?b", "a$b", "é",
            ],
        );
        assert_eq!(
            is_c_identifier("1a"),
            vec![
                "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')"
            ]
        );
    }

    #[test]
    fn annotation_key() {
        run(
            "is_annotation_key",
            is_annotation_key,
            &[
                "simple",
                "example.com/Foo",
                // Case does not matter for annotation keys, prefix included.
                "Example.COM/Foo",
                // Go's simple lower-case mapping: KELVIN SIGN -> 'k',
                // CAPITAL I WITH DOT ABOVE -> 'i'.
                "\u{212A}ey",
                "\u{130}",
            ],
            &["", "a/b/c", "example_com/foo", "-a", "é"],
        );
        assert!(!is_qualified_name("Example.COM/Foo").is_empty());
    }

    #[test]
    fn annotations_size() {
        let none: [(&str, &str); 0] = [];
        assert!(validate_annotations_size(none).is_empty());

        let key = "example.com/big";
        let at_limit = rep('x', TOTAL_ANNOTATION_SIZE_LIMIT_B - key.len());
        let over_limit = rep('x', TOTAL_ANNOTATION_SIZE_LIMIT_B - key.len() + 1);
        assert!(validate_annotations_size([(key, at_limit.as_str())]).is_empty());
        assert_eq!(
            validate_annotations_size([(key, over_limit.as_str())]),
            vec!["must have at most 262144 bytes"]
        );

        // The limit is on the total, not on any one entry, and keys count.
        let mut map = BTreeMap::new();
        let half = rep('y', TOTAL_ANNOTATION_SIZE_LIMIT_B / 2);
        map.insert("a".to_string(), half.clone());
        map.insert("b".to_string(), half.clone());
        assert_eq!(
            validate_annotations_size(&map),
            vec!["must have at most 262144 bytes"]
        );
        map.remove("b");
        assert!(validate_annotations_size(&map).is_empty());
    }
}

#[cfg(test)]
mod image_tests {
    use super::image_reference;

    const HEX64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn valid_image_references() {
        let digest = format!("ghcr.io/x/y@sha256:{HEX64}");
        let tagged_digest = format!("gorax/api:v1.2.3@sha256:{HEX64}");
        let sha512 = format!("x@sha512:{HEX64}{HEX64}");
        let longest_tag = format!("x:{}", "t".repeat(128));
        for image in [
            "nginx",
            "nginx:1.27",
            "registry:5000/a/b:v1",
            digest.as_str(),
            tagged_digest.as_str(),
            sha512.as_str(),
            "localhost/x",
            "localhost:5000/x",
            "[::1]:5000/x:v1",
            "a/b_c__d-e.f:tag",
            "a---b:_tag.1-X",
            "Registry.Example.com/team/app",
            "docker.io/library/nginx:latest",
            "true",
            longest_tag.as_str(),
        ] {
            assert_eq!(image_reference(image), Ok(()), "{image}");
        }
    }

    #[test]
    fn invalid_image_references_say_what_is_wrong() {
        let long_tag = format!("x:{}", "t".repeat(129));
        let long_name = format!("a/{}", "b".repeat(254));
        let upper_hex = format!("x@sha256:{}", HEX64.to_uppercase());
        for (image, problem) in [
            ("gorax/api:", "has an empty tag"),
            (
                "Gorax/api:v1",
                "has uppercase letters in its path `Gorax/api`",
            ),
            (
                "ghcr.io/Gorax/api",
                "has uppercase letters in its path `Gorax/api`",
            ),
            ("gorax/ api", "contains a space"),
            ("gorax/api\t", "contains whitespace"),
            ("gorax/api@", "has `@` but no digest"),
            (
                "x@sha256:abc",
                "has a sha256 digest of 3 hex digits, not 64",
            ),
            (
                long_tag.as_str(),
                "has a tag of 129 characters, more than 128",
            ),
            ("/gorax/api", "starts with `/`"),
            ("", "is empty"),
            (":v1", "has no name before its tag or digest"),
            ("gorax//api", "has an empty path component (`//`)"),
            ("gorax/", "has a name that ends with `/`"),
            (
                long_name.as_str(),
                "has a name of 256 characters, more than 255",
            ),
            (
                "a..b",
                "has a path component `a..b` with a separator other than `.`, `_`, `__` or dashes",
            ),
            (
                "a___b",
                "has a path component `a___b` with a separator other than `.`, `_`, `__` or dashes",
            ),
            (
                "gorax/-api",
                "has a path component `-api` that does not start and end with a letter or digit",
            ),
            (
                "gorax/api!",
                "has a path component `api!` with characters other than lowercase letters, digits, `.`, `_` and `-`",
            ),
            (
                "gorax/api:v1!",
                "has a tag `v1!` with characters other than letters, digits, `_`, `.` and `-`",
            ),
            ("gorax/api:-v1", "has a tag `-v1` that starts with `-`"),
            (
                "registry:abc/x",
                "has a registry port `abc` that is not a number",
            ),
            (
                "bad_host.io/x",
                "has a registry host `bad_host.io` that is not a domain name",
            ),
            (
                "x@sha256",
                "has a digest `sha256` that is not `algorithm:hex`",
            ),
            (
                "x@md5:0123456789abcdef0123456789abcdef",
                "has a digest of algorithm `md5`, which is not `sha256`, `sha384` or `sha512`",
            ),
            (
                upper_hex.as_str(),
                "has a sha256 digest with characters other than lowercase hex digits",
            ),
        ] {
            assert_eq!(
                image_reference(image),
                Err(problem.to_string()),
                "{image:?}"
            );
        }
    }
}
