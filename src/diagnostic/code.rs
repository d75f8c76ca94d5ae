//! The codes of errors that stop a run before the checks (exit 2): bad YAML, a bad spec,
//! a bad command line. Together with the checks' table ([`crate::check::CHECKS`]) this is
//! every code wfk prints; a test keeps the two apart, so one code never means two things.

macro_rules! codes {
    ($($variant:ident = $text:literal: $doc:literal,)*) => {
        /// An error code: stable, kebab-case, printed as `error[<code>]`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in the order of this file.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// What the code means, in one line.
            pub const fn doc(self) -> &'static str {
                match self {
                    $(Code::$variant => $doc,)*
                }
            }
        }
    };
}

codes! {
    // Reading files.
    MissingFile = "missing-file": "A spec, overlay or template file that does not exist.",
    NotAFile = "not-a-file": "A path that is a folder, device or pipe where a file is expected.",
    OutsideProject = "outside-project": "A project file that is a symbolic link (or lies in a linked folder) leading outside the project folder.",
    FileTooLarge = "file-too-large": "A file over the size limit.",
    NulByte = "nul-byte": "A file with a NUL byte: not text.",
    UnreadableFile = "unreadable-file": "A file that cannot be read.",
    InvalidUtf8 = "invalid-utf8": "A file that is not UTF-8 text.",
    MisnamedFile = "misnamed-file": "A spec or overlay named `.yml` (or `.YAML`): wfk reads only `.yaml`.",
    // YAML.
    YamlSyntax = "yaml-syntax": "Text that is not valid YAML.",
    MultipleDocuments = "multiple-documents": "A spec file with more than one YAML document.",
    RootNotMapping = "root-not-mapping": "A spec file whose top level is not a mapping.",
    ComplexKey = "complex-key": "A mapping key that is a list or a mapping.",
    DuplicateKey = "duplicate-key": "A key written twice in one mapping.",
    AliasNotSupported = "alias-not-supported": "A YAML alias (`*name`): values are written out.",
    AnchorNotSupported = "anchor-not-supported": "A YAML anchor (`&name`): values are written out.",
    TagNotSupported = "tag-not-supported": "A YAML tag (`!!str`): the spec's types decide.",
    NestingTooDeep = "nesting-too-deep": "YAML nested deeper than the limit.",
    TooManyNodes = "too-many-nodes": "YAML with more values than the limit (an alias bomb, say).",
    // Environments and the command line.
    NoProject = "no-project": "A folder without `platform.yaml`: not a wfk project.",
    NoEnvironments = "no-environments": "A project without any `overlays/<env>.yaml`.",
    UnknownEnv = "unknown-env": "An environment with no overlay file.",
    InvalidEnvName = "invalid-env-name": "An environment name that is not a plain file name.",
    InvalidExtends = "invalid-extends": "An overlay's `extends` that names no environment.",
    ExtendsCycle = "extends-cycle": "Overlays that extend each other in a circle.",
    InvalidSet = "invalid-set": "A `--set` that is not `path=value`, or whose path names a component, job or other entity that does not exist.",
    UnknownPath = "unknown-path": "A spec path (in `explain`) that is not set.",
    // Merging.
    NullInBase = "null-in-base": "A key without a value in `platform.yaml`: a null removes keys only in overlays.",
    NothingToRemove = "nothing-to-remove": "An overlay's `null` for a name (a component, an env var…) that is not there.",
    // The typed spec.
    UnknownKey = "unknown-key": "A key the spec does not have (usually a misspelling).",
    MissingKey = "missing-key": "A required key that is not set.",
    TypeMismatch = "type-mismatch": "A value of the wrong type: a word for a number, a list for a string.",
    UnknownValue = "unknown-value": "A value outside a field's allowed set.",
    InvalidValue = "invalid-value": "A value the field's own grammar refuses.",
    InvalidImage = "invalid-image": "An image reference outside the grammar `[registry[:port]/]path[:tag][@digest]`.",
    TooManyErrors = "too-many-errors": "The run stopped after this many errors.",
    OverLimit = "over-limit": "A value past one of wfk's documented maxima (replicas, env vars, `extends` depth, templates).",
    // References between parts of the spec.
    UnknownComponent = "unknown-component": "A reference to a component that does not exist.",
    UnknownPort = "unknown-port": "A reference to a port the component does not declare.",
    UnknownConfig = "unknown-config": "A reference to a config map the spec does not declare.",
    UnknownConfigKey = "unknown-config-key": "A reference to a config key that does not exist.",
    AmbiguousConfigKey = "ambiguous-config-key": "A config key that two entries would both write.",
    SelfDependency = "self-dependency": "A component that uses itself.",
    InvalidPeers = "invalid-peers": "`peers` on a component that is not stateful.",
    InvalidFieldRef = "invalid-field-ref": "An env value from a pod field Kubernetes does not offer.",
    InvalidSecretRef = "invalid-secret-ref": "A secret reference that is not `name/key`.",
    EnvSourceCount = "env-source-count": "An env var with no source, or more than one.",
    MountSourceCount = "mount-source-count": "A mount with no source, or more than one.",
    ProbeActionCount = "probe-action-count": "A probe with no action, or more than one.",
    DuplicateContainer = "duplicate-container": "Two containers of one pod with the same name.",
    MissingResources = "missing-resources": "A container without requests and limits, and no default.",
    // Templates and patches.
    TemplateError = "template-error": "A template that fails to evaluate.",
    TemplateInvalidYaml = "template-invalid-yaml": "A template whose output is not YAML.",
    TemplateAmbiguousScalar = "template-ambiguous-scalar": "A template value that YAML 1.1 and 1.2 read differently.",
    InvalidObject = "invalid-object": "A template object that is not a valid Kubernetes object.",
    InvalidObjectKind = "invalid-object-kind": "A template object whose custom kind the API server refuses.",
    InvalidObjectName = "invalid-object-name": "A template object whose name the API server refuses.",
    SecretWithData = "secret-with-data": "A Secret with values: wfk never writes secret values.",
    InvalidPatch = "invalid-patch": "A patch that is not a mapping, or that breaks its object.",
    InvalidPatchTarget = "invalid-patch-target": "A patch key that is not `Kind/name`.",
    PatchTargetMissing = "patch-target-missing": "A patch whose `Kind/name` matches no object.",
    PatchUnknownField = "patch-unknown-field": "A patch field the object's kind does not have.",
    // Suppressions and live objects.
    UnknownCheck = "unknown-check": "A suppression of a check that does not exist.",
    SuppressionNotAllowed = "suppression-not-allowed": "A suppression of a check that cannot be suppressed.",
    SuppressionWithoutReason = "suppression-without-reason": "A suppression without a reason.",
    InvalidReason = "invalid-reason": "A reason that a scanner's skip annotation cannot carry (checkov splits its annotation at `=`).",
    RelaxTargetMissing = "relax-target-missing": "A `relax` entry whose `Kind/name` matches no rendered object, or that nothing refuses.",
    ImmutableField = "immutable-field": "A change to a field the API server will not update in place.",
    UnknownField = "unknown-field": "A field a live object's kind does not have.",
    Internal = "internal": "A bug in wfk: please report it.",
}

#[cfg(test)]
mod tests {
    use super::Code;
    use foldhash::{HashSet, HashSetExt};

    #[test]
    fn codes_are_kebab_case_distinct_and_never_a_check_code() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "`{text}` twice");
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "`{text}` is not kebab-case"
            );
            assert!(
                !crate::check::CHECKS.iter().any(|c| c.code == text),
                "`{text}` is both an error code and a check code"
            );
            assert!(code.doc().ends_with('.'), "`{text}`: {}", code.doc());
        }
    }
}
