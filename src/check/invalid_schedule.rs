//! ## What it checks
//! A job's `schedule` is a standard cron line (five fields: minute, hour, day of month,
//! month, day of week) or a descriptor (`@hourly`, `@daily`, …), without `TZ=` or
//! `CRON_TZ=` (the API server refuses those: use `timeZone`).
//!
//! ## Why
//! A bad schedule is refused at apply time, or never fires.
//!
//! ## Example
//! `schedule: "0 2 * *"` (four fields), `schedule: "0 25 * * *"`.
//!
//! ## Fix
//! Write five fields within their ranges, such as `0 2 * * *`.

use super::{Finding, Input, Origin};

const DESCRIPTORS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];
const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

pub(super) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, job) in &input.spec.jobs {
        let Some(schedule) = &job.schedule else {
            continue;
        };
        if let Err(problem) = validate(schedule) {
            out.push(
                Finding::new(format!("invalid schedule `{schedule}` of job `{name}`: {problem}"), Origin::value(&["jobs", name, "schedule"]), "not a cron schedule")
                    .help("write five fields (minute hour day-of-month month day-of-week), such as `0 2 * * *`, or `@daily`"),
            );
        }
    }
    out
}

pub(crate) fn validate(schedule: &str) -> Result<(), String> {
    let s = schedule.trim();
    if s.starts_with("TZ=") || s.starts_with("CRON_TZ=") {
        return Err("cannot use TZ or CRON_TZ in schedule, use timeZone field instead".into());
    }
    if s.starts_with('@') {
        return if DESCRIPTORS.contains(&s) || s.starts_with("@every ") {
            Ok(())
        } else {
            Err(format!("unknown descriptor `{s}`"))
        };
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}", fields.len()));
    }
    let specs: [(&str, u32, u32, &[&str]); 5] = [
        ("minute", 0, 59, &[]),
        ("hour", 0, 23, &[]),
        ("day of month", 1, 31, &[]),
        ("month", 1, 12, MONTHS),
        ("day of week", 0, 7, DAYS),
    ];
    for (field, (what, lo, hi, names)) in fields.iter().zip(specs) {
        field_ok(field, lo, hi, names).map_err(|e| format!("{what} `{field}`: {e}"))?;
    }
    Ok(())
}

fn field_ok(field: &str, lo: u32, hi: u32, names: &[&str]) -> Result<(), String> {
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(step) = step {
            if step.parse::<u32>().map_or(true, |n| n == 0) {
                return Err(format!("invalid step `{step}`"));
            }
        }
        if range == "*" || range == "?" {
            continue;
        }
        let value = |v: &str| -> Result<u32, String> {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
                return Ok(i as u32 + lo);
            }
            let n: u32 = v.parse().map_err(|_| format!("`{v}` is not a number"))?;
            if n < lo || n > hi {
                return Err(format!("{n} is out of range {lo}-{hi}"));
            }
            Ok(n)
        };
        match range.split_once('-') {
            Some((a, b)) => {
                if value(a)? > value(b)? {
                    return Err(format!("range `{range}` runs backwards"));
                }
            }
            None => {
                value(range)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_cron_lines_and_descriptors() {
        for ok in [
            "0 2 * * *",
            "*/15 * * * *",
            "0 0 1 JAN-MAR MON-FRI",
            "@daily",
            "5,35 9-17 * * 1-5",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_bad_ones() {
        for bad in [
            "0 2 * *",
            "0 25 * * *",
            "CRON_TZ=UTC 0 2 * * *",
            "@sometimes",
            "*/0 * * * *",
            "5-1 * * * *",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
    }
}
