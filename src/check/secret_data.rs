//! ## What it checks
//! No Secret in the output holds values (`data` or `stringData`), whatever wrote it: a
//! template (which is refused earlier, `secret-with-data`), or a patch that adds values to a
//! template's empty Secret.
//!
//! ## Why
//! The output goes to git, to CI logs and to `kubectl diff`: a value in it is a leaked
//! secret. Secrets come from the cluster (an operator, External Secrets, Sealed Secrets) and
//! the spec only names them.
//!
//! ## Example
//! `patches: { Secret/shop-db: { stringData: { password: hunter2 } } }`
//!
//! ## Fix
//! Remove the values; create the Secret in the cluster and reference it
//! (`env: { DB_PASSWORD: { secret: shop-db/password } }`).

use super::{Finding, Input, field_origin};

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for object in input.objects.iter().filter(|o| o.kind() == "Secret") {
        let Ok(value) = serde_json::to_value(object) else {
            continue;
        };
        for field in ["data", "stringData"] {
            if value[field].as_object().is_some_and(|m| !m.is_empty()) {
                out.push(
                    Finding::new(
                        format!(
                            "Secret `{}` holds values (`{field}`): wfk never writes secret values, since its output is printed, diffed and committed; no reason relaxes this",
                            object.name()
                        ),
                        field_origin(input, object, field),
                        format!("sets `{field}`"),
                    )
                    .help("remove the values; create the Secret in the cluster and reference it from the spec (`{ secret: name/key }`)"),
                );
            }
        }
    }
    out
}
