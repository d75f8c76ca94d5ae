//! Factoring per-environment specs into one base and an overlay per environment, so that
//! merging the base with an environment's overlay (wfk's merge rules: maps merge deeply,
//! scalars and lists are replaced, `null` removes) gives back exactly that environment.
//!
//! The rules:
//! - a key goes to the base when more than half of the environments have it; an
//!   environment without it removes it in its overlay with `null`;
//! - a value that is not a map goes to the base as the value most environments share (ties:
//!   the first environment's); the others set theirs in their overlay;
//! - maps are factored key by key, so an overlay holds only what differs.

use super::tree::{Map, Tree};

/// The base of `envs` (one tree per environment, in order) and each environment's overlay.
pub fn factor(envs: &[&Map]) -> (Map, Vec<Map>) {
    let base = base_map(envs);
    let overlays = envs.iter().map(|env| overlay_map(&base, env)).collect();
    (base, overlays)
}

fn base_map(envs: &[&Map]) -> Map {
    // Every environment's keys in one order: a key one environment adds goes after the
    // key it follows there, so `autoscale` stays beside `resources` even when the first
    // environment has none.
    let mut keys: Vec<&String> = Vec::new();
    for env in envs {
        let mut at = 0;
        for key in env.keys() {
            match keys.iter().position(|k| *k == key) {
                Some(found) => at = found + 1,
                None => {
                    keys.insert(at, key);
                    at += 1;
                }
            }
        }
    }
    let mut base = Map::new();
    for key in keys {
        let values: Vec<&Tree> = envs.iter().filter_map(|e| e.get(key)).collect();
        if values.len() * 2 <= envs.len() {
            continue;
        }
        base.insert(key.clone(), base_value(&values));
    }
    base
}

fn base_value(values: &[&Tree]) -> Tree {
    let maps: Vec<&Map> = values
        .iter()
        .filter_map(|v| match v {
            Tree::Map(m) => Some(m),
            _ => None,
        })
        .collect();
    if maps.len() == values.len() {
        return Tree::Map(base_map(&maps));
    }
    // The most common value; the first of the most common on a tie.
    let mut best = values[0];
    let mut best_count = 0;
    for v in values {
        let count = values.iter().filter(|w| *w == v).count();
        if count > best_count {
            best = v;
            best_count = count;
        }
    }
    best.clone()
}

/// What `env` must say on top of `base`.
fn overlay_map(base: &Map, env: &Map) -> Map {
    let mut out = Map::new();
    for (key, value) in env {
        match (base.get(key), value) {
            (Some(Tree::Map(b)), Tree::Map(e)) => {
                let inner = overlay_map(b, e);
                if !inner.is_empty() {
                    out.insert(key.clone(), Tree::Map(inner));
                }
            }
            (Some(b), e) if b == e => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    for key in base.keys() {
        if !env.contains_key(key) {
            out.insert(key.clone(), Tree::Null);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Tree)]) -> Map {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// wfk's merge, as README states it.
    fn merge(base: &Map, overlay: &Map) -> Map {
        let mut out = base.clone();
        for (k, v) in overlay {
            match (out.get(k), v) {
                (_, Tree::Null) => {
                    out.shift_remove(k);
                }
                (Some(Tree::Map(b)), Tree::Map(o)) => {
                    let merged = merge(b, o);
                    out.insert(k.clone(), Tree::Map(merged));
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        out
    }

    #[test]
    fn shared_values_go_to_the_base_and_differences_to_overlays() {
        let api = |replicas: i64, autoscale: bool| {
            let mut m = map(&[
                ("image", Tree::str("api:1")),
                ("replicas", Tree::Int(replicas)),
            ]);
            if autoscale {
                m.insert("autoscale".into(), Tree::Map(map(&[("max", Tree::Int(6))])));
            }
            Tree::Map(m)
        };
        let dev = map(&[("api", api(1, false))]);
        let staging = map(&[("api", api(2, true))]);
        let prod = map(&[("api", api(2, true))]);
        let (base, overlays) = factor(&[&dev, &staging, &prod]);
        assert_eq!(
            base,
            map(&[("api", api(2, true))]),
            "the majority's values are the base"
        );
        assert_eq!(
            overlays[0],
            map(&[(
                "api",
                Tree::Map(map(&[
                    ("replicas", Tree::Int(1)),
                    ("autoscale", Tree::Null)
                ]))
            )])
        );
        assert!(overlays[1].is_empty() && overlays[2].is_empty());
        let keys: Vec<&String> = match &base["api"] {
            Tree::Map(m) => m.keys().collect(),
            _ => unreachable!("api is a map"),
        };
        assert_eq!(
            keys,
            ["image", "replicas", "autoscale"],
            "keys keep their order"
        );
        for (env, overlay) in [&dev, &staging, &prod].iter().zip(&overlays) {
            assert_eq!(&merge(&base, overlay), *env);
        }
    }

    #[test]
    fn a_key_of_a_minority_stays_in_its_overlay() {
        let dev = map(&[("a", Tree::Int(1))]);
        let prod = map(&[("b", Tree::Int(2))]);
        let (base, overlays) = factor(&[&dev, &prod]);
        assert!(base.is_empty());
        assert_eq!(overlays, vec![dev.clone(), prod.clone()]);
    }
}
