//! `cargo bench`: `wfk render prod` of the 1,000-component platform, stage by stage, so a
//! regression shows in the stage that has it.
//!
//! The platform is the one `bench/generate 1000` writes (1,000 stateless components, each a
//! Deployment, Service, HPA, PDB and NetworkPolicy, and a production overlay that changes
//! every one of them); the bench writes it itself into a temporary folder, so it runs from
//! a clean clone. Keep the two in step.
//!
//! ```text
//! cargo bench --bench stages                # every stage
//! cargo bench --bench stages -- emit        # one stage
//! WFK_BENCH_COMPONENTS=100 cargo bench --bench stages
//! ```

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wfk::check::Input;
use wfk::load::Layers;
use wfk::platform::Platform;
use wfk::source::SourceMap;
use wfk::{build, check, emit, load, merge};

const ENV: &str = "prod";

fn components() -> usize {
    std::env::var("WFK_BENCH_COMPONENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

fn name(i: usize, n: usize) -> String {
    format!("svc-{i:0width$}", width = n.to_string().len())
}

/// `platform.yaml` of `bench/generate N`.
fn platform(n: usize) -> String {
    let mut out = format!(
        "# {n} generated components: `bench/generate {n}`.\nplatform: bench\n\nconfig:\n  \
         bench-config:\n    log-level: info\n    request-timeout: \"30\"\n\ncomponents:\n"
    );
    for i in 0..n {
        let c = name(i, n);
        let peer = name((i + 1) % n, n);
        out.push_str(&format!(
            "  {c}:\n    image: registry.example.com/bench/{c}:v1.0.{}\n    replicas: 2\n    \
             ports: {{ http: {{ port: 8080, scrape: true }} }}\n    \
             probes: {{ liveness: /health/live, readiness: /health/ready }}\n    \
             resources: {{ cpu: 100m/200m, memory: 128Mi/256Mi }}\n    \
             autoscale: {{ max: 6, cpu: 70 }}\n    disruption: {{ minAvailable: 1 }}\n    \
             env:\n      LOG_LEVEL: {{ config: log-level }}\n      \
             REQUEST_TIMEOUT: {{ config: request-timeout }}\n      \
             PEER_URL: http://bench-{peer}:8080\n",
            i % 10
        ));
        if n > 1 {
            out.push_str(&format!("    uses: [{peer}]\n"));
        }
        out.push('\n');
    }
    out
}

/// `overlays/prod.yaml` of `bench/generate N`: changes every component.
fn prod(n: usize) -> String {
    let mut out = String::from(
        "# Production: 3 pods each, larger, HPA 3-20, PDB 2, spread across zones.\n\
         namespace: bench-prod\nconfig: { bench-config: { log-level: warn } }\ncomponents:\n",
    );
    for i in 0..n {
        out.push_str(&format!(
            "  {}: {{ replicas: 3, resources: {{ cpu: 250m/500m, memory: 256Mi/512Mi }}, \
             autoscale: {{ max: 20 }}, disruption: {{ minAvailable: 2 }}, spread: zone }}\n",
            name(i, n)
        ));
    }
    out
}

/// The project in a fresh temporary folder, removed on drop.
struct Project(PathBuf);

impl Project {
    fn new(n: usize) -> Project {
        let dir = std::env::temp_dir().join(format!("wfk-bench-stages-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("overlays")).expect("create the bench project");
        std::fs::write(dir.join("platform.yaml"), platform(n)).expect("write platform.yaml");
        std::fs::write(dir.join("overlays").join("prod.yaml"), prod(n)).expect("write prod.yaml");
        Project(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn layers(dir: &Path) -> Layers {
    let mut map = SourceMap::default();
    match load::environment(dir, ENV, &mut map) {
        Ok(layers) => layers,
        Err(ds) => panic!("the bench project does not load: {} diagnostics", ds.len()),
    }
}

fn copy(layers: &Layers) -> Layers {
    Layers {
        base: layers.base.clone(),
        base_nulls: layers.base_nulls,
        overlays: layers.overlays.clone(),
    }
}

fn stages(c: &mut Criterion) {
    let n = components();
    let project = Project::new(n);
    let dir = project.path();

    // Each stage's input, made once by the stages before it.
    let loaded = layers(dir);
    let merged = merge::environment(copy(&loaded), &[], &mut SourceMap::default())
        .unwrap_or_else(|ds| panic!("the bench project does not merge: {} diagnostics", ds.len()));
    let spec = Platform::from_tree(&merged)
        .unwrap_or_else(|ds| panic!("the bench project is not a spec: {} diagnostics", ds.len()));
    let (objects, origins) = build::build(&spec);
    let input = Input {
        spec: &spec,
        objects: &objects,
        merged: &merged,
        origins: &origins,
        memo: Default::default(),
    };
    let errors = check::all(&input)
        .iter()
        .filter(|d| d.severity == wfk::diagnostic::Severity::Error)
        .count();
    assert_eq!(errors, 0, "the bench project has check errors");
    let text = emit::to_string(&objects, emit::Format::Yaml).expect("emit");
    eprintln!(
        "stages: {n} components, {} objects, {} lines of YAML",
        objects.len(),
        text.lines().count()
    );

    let mut group = c.benchmark_group(format!("render {n} components"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("load", |b| {
        b.iter(|| {
            let mut map = SourceMap::default();
            black_box(load::environment(black_box(dir), ENV, &mut map).is_ok())
        })
    });
    group.bench_function("merge", |b| {
        b.iter_batched(
            || copy(&loaded),
            |layers| {
                let mut map = SourceMap::default();
                black_box(merge::environment(layers, &[], &mut map).is_ok())
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("spec", |b| {
        b.iter(|| black_box(Platform::from_tree(black_box(&merged)).is_ok()))
    });
    group.bench_function("build", |b| b.iter(|| build::all(black_box(&spec))));
    // A fresh input each time: the checks make the pods' JSON once per input.
    group.bench_function("check", |b| {
        b.iter(|| {
            check::all(black_box(&Input {
                memo: Default::default(),
                ..input
            }))
        })
    });
    group.bench_function("emit", |b| {
        b.iter(|| emit::to_string(black_box(&objects), emit::Format::Yaml).map(|s| s.len()))
    });
    group.bench_function("all stages", |b| {
        b.iter(|| {
            let mut map = SourceMap::default();
            let layers = load::environment(dir, ENV, &mut map).ok()?;
            let merged = merge::environment(layers, &[], &mut map).ok()?;
            let spec = Platform::from_tree(&merged).ok()?;
            let (objects, origins) = build::build(&spec);
            let findings = check::all(&Input {
                spec: &spec,
                objects: &objects,
                merged: &merged,
                origins: &origins,
                memo: Default::default(),
            });
            let text = emit::to_string(&objects, emit::Format::Yaml).ok()?;
            Some((findings.len(), text.len()))
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
