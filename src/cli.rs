//! The command line: one `…Args` struct per command. Names are fixed: scripts and CI
//! depend on them.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Typed platform specs with per-environment overlays, rendered to Kubernetes manifests.
#[derive(Debug, Parser)]
#[command(name = "wfk", version, about, max_term_width = 100)]
pub struct Cli {
    /// The project folder: it holds platform.yaml and overlays/<env>.yaml.
    #[arg(long, global = true, default_value = ".", value_name = "PATH")]
    pub dir: PathBuf,
    /// When to colour diagnostics: on a terminal without NO_COLOR (auto), always or never.
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: Color,
    /// Print nothing on stderr but errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: `validate` shows notes too.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The project folder a command line names with `--dir` (else the current folder), read
/// from the raw arguments without parsing them: to complete an environment's name in it.
pub fn dir_named(args: impl IntoIterator<Item = std::ffi::OsString>) -> PathBuf {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match dir_value(args.iter().map(|a| a.as_bytes())) {
        Some(dir) => PathBuf::from(String::from_utf8_lossy(dir).into_owned()),
        None => PathBuf::from("."),
    }
}

/// The value of the last `--dir` among raw arguments (`--dir PATH` or `--dir=PATH`), as
/// bytes and without allocating: the `wfk` binary reads it before its first allocation,
/// to size the project ([`crate::huge_pages_pay_off`]).
pub fn dir_value<'a>(args: impl IntoIterator<Item = &'a [u8]>) -> Option<&'a [u8]> {
    let mut args = args.into_iter();
    let mut dir = None;
    while let Some(arg) = args.next() {
        if let Some(value) = arg.strip_prefix(b"--dir=") {
            dir = Some(value);
        } else if arg == b"--dir" {
            if let Some(value) = args.next() {
                dir = Some(value);
            }
        }
    }
    dir
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_last_dir_in_either_form_with_its_value() {
        let dir =
            |args: &[&str]| super::dir_value(args.iter().map(|a| a.as_bytes())).map(|d| d.to_vec());
        assert_eq!(dir(&["wfk", "render", "prod"]), None);
        assert_eq!(
            dir(&["wfk", "--dir", "a b", "render"]),
            Some(b"a b".to_vec())
        );
        assert_eq!(
            dir(&["wfk", "--dir=x", "render", "--dir", "y"]),
            Some(b"y".to_vec())
        );
        assert_eq!(dir(&["wfk", "render", "--dir"]), None);
        // A value that looks like the flag is the value.
        assert_eq!(dir(&["wfk", "--dir", "--dir=z"]), Some(b"--dir=z".to_vec()));
        assert_eq!(
            super::dir_named(["wfk", "--dir=p"].map(Into::into)),
            std::path::PathBuf::from("p")
        );
        assert_eq!(
            super::dir_named(["wfk"].map(Into::into)),
            std::path::PathBuf::from(".")
        );
    }
}

/// When diagnostics are coloured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Render(RenderArgs),
    Validate(ValidateArgs),
    Diff(DiffArgs),
    Envs(EnvsArgs),
    Explain(ExplainArgs),
    Graph(GraphArgs),
    Schema(SchemaArgs),
    Completions(CompletionsArgs),
    Init(InitArgs),
    Version(VersionArgs),
    Import(ImportArgs),
}

/// Print the merged, checked manifests of an environment, in apply order.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk render prod | kubectl apply -f -\n  wfk render prod | kubectl apply --prune -l app.kubernetes.io/part-of=gorax -f -\n  wfk render prod --set components.api.image=gorax/api:v1.2.4\n  wfk render staging --output-dir manifests/staging\n  wfk render dev -o json"
)]
pub struct RenderArgs {
    /// The environment: the name of an overlays/<env>.yaml file.
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::commands::complete_env))]
    pub env: String,
    /// Set a value after the overlays, e.g. components.api.image=gorax/api:v2 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Deploy to this namespace instead of the environment's (as `--set namespace=NS`).
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Output format, as kubectl's `-o`: a `---` YAML stream, or a JSON `v1` List.
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value_t,
        value_name = "FORMAT"
    )]
    pub output: crate::emit::Format,
    /// Write one file per object into DIR instead of stdout, with a kustomization.yaml that
    /// lists them. DIR is wfk's own: it is replaced as a whole, and only if it is empty or
    /// holds nothing but what wfk wrote there.
    #[arg(long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// Check every environment (or the ones named): Kubernetes' own rules and policy checks,
/// each finding at the spec line that caused it. Exit 1 on errors.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk validate\n  wfk validate prod --deny warnings\n  wfk validate --format github    # annotations in a GitHub Actions step\n  wfk validate --format sarif > wfk.sarif\n  wfk validate --format gitlab > gl-code-quality-report.json\n  wfk validate --format json | jq '.findings[] | select(.severity == \"error\")'"
)]
pub struct ValidateArgs {
    /// Environments to check; all of them by default.
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::commands::complete_env))]
    pub envs: Vec<String>,
    /// How findings are written: text (stderr); json, github, sarif or gitlab (stdout).
    #[arg(long, value_enum, default_value_t)]
    pub format: FindingsFormat,
    /// Treat warnings as errors.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<Deny>,
    /// Set a value after the overlays of every environment checked (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

/// Output formats of `validate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FindingsFormat {
    /// rustc-like text with the source line, on stderr.
    #[default]
    Text,
    /// One JSON document with every finding, notes included.
    Json,
    /// GitHub Actions workflow commands: annotations on the spec lines.
    Github,
    /// A SARIF 2.1.0 log, for GitHub code scanning (`upload-sarif`) and SARIF viewers.
    Sarif,
    /// A GitLab Code Quality report, for `artifacts: reports: codequality:`.
    Gitlab,
}

/// What `--deny` turns into errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    Warnings,
}

/// Compare two environments object by object, or one against an earlier render; each
/// changed field names the spec line that makes each side what it is. Exit 1 if they differ.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk diff dev prod\n  wfk diff staging prod --unified\n  wfk diff dev prod --spec\n  wfk render prod > before.yaml    # then change the spec\n  wfk diff prod --against before.yaml\n  wfk diff prod --against manifests/prod   # a `wfk render --output-dir` folder"
)]
pub struct DiffArgs {
    /// The environment to compare (the "before" side with a second environment).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::commands::complete_env))]
    pub env: String,
    /// The environment to compare it with (the "after" side).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::commands::complete_env))]
    pub other: Option<String>,
    /// Compare the render of ENV with an earlier render: a YAML stream, a JSON List, or a
    /// folder written by `wfk render --output-dir`.
    #[arg(long, value_name = "FILE|DIR", conflicts_with = "other")]
    pub against: Option<PathBuf>,
    /// Compare the merged specs instead of the rendered objects.
    #[arg(long, conflicts_with = "against")]
    pub spec: bool,
    /// Also print a unified YAML diff of each changed object.
    #[arg(long)]
    pub unified: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
    /// Set a value after the overlays of both sides (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    #[default]
    Text,
    Json,
}

/// List the environments the project defines, sorted, one per line.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk envs\n  wfk envs --dir examples/apparatus\n  wfk envs --format json"
)]
pub struct EnvsArgs {
    /// Output format: one name per line, or JSON.
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
}

/// Output formats of `envs` and `explain`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DataFormat {
    #[default]
    Text,
    Json,
}

/// Show a merged value, the file:line:col that set it, and every value it overrode.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk explain prod components.api.replicas\n  wfk explain prod components.api --set components.api.replicas=5\n  wfk explain prod Deployment/gorax-api spec.template.spec.containers[0].resources\n  wfk explain dev config.gorax-config.log-level"
)]
pub struct ExplainArgs {
    /// The environment: the name of an overlays/<env>.yaml file.
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::commands::complete_env))]
    pub env: String,
    /// A dotted path in the merged spec, e.g. components.api.replicas; or a rendered object,
    /// `Kind/name` (e.g. Deployment/gorax-api), followed by one of its fields.
    pub path: String,
    /// With a `Kind/name`: a field of the rendered object, e.g.
    /// spec.template.spec.containers[0].resources (list entries by index or by name). The
    /// spec, template or patch lines that produced it are shown.
    pub field: Option<String>,
    /// Set a value after the overlays, e.g. components.api.image=gorax/api:v2 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Output format: text, or JSON with the value and its chain of origins.
    #[arg(long, value_enum, default_value_t)]
    pub format: DataFormat,
}

/// Draw the platform's network: components, jobs, endpoints, ingress hosts, monitoring, DNS
/// and the API server, with every path the network policy opens and its ports.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk graph prod\n  wfk graph prod --format dot | dot -Tsvg > platform.svg"
)]
pub struct GraphArgs {
    /// The environment: the name of an overlays/<env>.yaml file.
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::commands::complete_env))]
    pub env: String,
    /// Set a value after the overlays, e.g. components.api.uses.cache=true (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Mermaid (renders in GitHub Markdown) or Graphviz DOT.
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::graph::Format,
}

/// Print the JSON Schema of the spec, for editor completion and validation.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk schema > wfk.schema.json\n  wfk schema --overlay > wfk.overlay.schema.json\n  # then, first line of platform.yaml (and of each overlay, with the overlay schema):\n  # yaml-language-server: $schema=wfk.schema.json"
)]
pub struct SchemaArgs {
    /// The schema of an overlay: every field optional, `extends`, and `null` wherever it
    /// removes a key.
    #[arg(long)]
    pub overlay: bool,
}

/// Start a project: a small, valid platform.yaml and overlays for dev, staging and prod,
/// with comments that teach the format, in `--dir` (default: here), which must be empty.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk init shop --dir shop\n  mkdir shop && cd shop && wfk init\n  wfk --dir shop validate"
)]
pub struct InitArgs {
    /// The platform's name (a DNS-1123 label); default: the folder's name.
    pub name: Option<String>,
}

/// Print the version and the commit it was built from.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  wfk version")]
pub struct VersionArgs {}

/// Print shell completions: commands, flags, and the environments of the project at hand
/// (the script asks `wfk` for them as you type).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk completions bash > /etc/bash_completion.d/wfk\n  wfk completions zsh > \"${fpath[1]}/_wfk\"\n  source <(wfk completions bash)"
)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

/// Turn existing manifests into a new wfk project (written to `--dir`, which must be new or
/// empty): one YAML stream or folder per environment, such as the output of
/// `kubectl kustomize overlays/prod`, `helm template` or `kubectl get -o yaml`. Deployments
/// and StatefulSets with their Services, autoscalers, disruption budgets, config maps and
/// Ingress become components, `config` and `ingress`; what every environment shares goes
/// to platform.yaml, the differences to overlays/<env>.yaml. Secrets become references,
/// never values. What the spec cannot say becomes a template, with a note on stderr.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  wfk import dev.yaml staging.yaml prod.yaml --envs dev,staging,prod --dir gorax\n  kubectl kustomize overlays/prod > prod.yaml && wfk import prod.yaml --envs prod --dir new\n  helm template gorax ./chart | wfk import - --dir new     # one input: the environment `dev`\n  wfk import rendered/dev rendered/prod --dir new          # folders; environments from their names"
)]
pub struct ImportArgs {
    /// The manifests, one file or folder of .yaml/.yml/.json files per environment; `-`
    /// reads stdin.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub inputs: Vec<PathBuf>,
    /// The environment of each input, in order, comma-separated. Default: `dev` for a
    /// single input; for several, each input's file or folder name without its extension
    /// (`prod.yaml` → `prod`).
    #[arg(long, value_delimiter = ',', value_name = "ENV,...")]
    pub envs: Vec<String>,
    /// The platform's name. Default: the `app.kubernetes.io/part-of` label every workload
    /// has, else the name prefix every workload shares (`gorax-api`, `gorax-worker` →
    /// `gorax`), else the project folder's name.
    #[arg(long, value_name = "NAME")]
    pub platform: Option<String>,
}
