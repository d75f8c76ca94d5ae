//! "Did you mean …?": the nearest valid name for a misspelled one.

/// The candidate closest to `input`: an exact match ignoring case first, then the nearest
/// by edit distance, if it is within 3 edits and closer than the word is long.
pub fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(input)) {
        return Some(c);
    }
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(input, c), c))
        .filter(|&(d, c)| d <= 3 && d < input.chars().count().max(c.chars().count()))
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the candidate closest to `input`, if one is close; `prefix` is
/// written before it (`Deployment/`, `components.`), so the help shows what to type.
pub fn did_you_mean<'a, I>(prefix: &str, input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(input, candidates).map(|near| ask(&format!("{prefix}{near}")))
}

/// The words of every suggestion: "did you mean `x`?".
pub fn ask(suggestion: &str) -> String {
    format!("did you mean `{suggestion}`?")
}

#[cfg(test)]
mod tests {
    use super::{closest, did_you_mean};

    #[test]
    fn did_you_mean_names_what_to_type() {
        assert_eq!(
            did_you_mean("Deployment/", "gorax-apu", ["gorax-api", "gorax-worker"]).as_deref(),
            Some("did you mean `Deployment/gorax-api`?")
        );
        assert_eq!(did_you_mean("", "zzzzzz", ["api"]), None);
    }

    #[test]
    fn finds_a_transposition() {
        assert_eq!(closest("replcas", ["image", "replicas"]), Some("replicas"));
    }

    #[test]
    fn prefers_a_case_insensitive_match() {
        assert_eq!(
            closest("Replicas", ["replica", "replicas"]),
            Some("replicas")
        );
    }

    #[test]
    fn gives_up_beyond_three_edits() {
        assert_eq!(closest("autoscaling", ["image", "ports"]), None);
    }
}
