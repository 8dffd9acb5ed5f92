//! Problems found while loading: everything that does not stop loading.

use crate::node::Position;
use std::fmt;
use std::path::PathBuf;

/// Something wrong (or unresolvable offline) found while loading.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// A human-readable message, in ecspresso's words where it has them.
    pub message: String,
    /// Where, when known.
    pub position: Option<Position>,
}

impl Problem {
    pub(crate) fn new(
        kind: ProblemKind,
        message: impl Into<String>,
        position: Option<Position>,
    ) -> Self {
        Problem {
            kind,
            message: message.into(),
            position,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The kinds of [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A config, task-definition, container-definition or service-definition key unknown
    /// to ECS/ecspresso (ecspresso warns `json: unknown field "x"`). Keys that differ from a
    /// known key only in letter case are not reported: ecspresso's decoder accepts them.
    UnknownKey {
        /// The key as written.
        key: String,
    },
    /// A field of describe output that ecspresso warns about and ignores
    /// (`taskDefinitionArn`, `revision`, `status`, …).
    DescribeOnlyField {
        /// The key as written.
        key: String,
    },
    /// A referenced file (definition, tfstate path, envfile, import) does not exist or cannot be read.
    MissingFile {
        /// The resolved path.
        path: PathBuf,
    },
    /// `must_env` of an unset variable (ecspresso: `environment variable NAME is not defined`).
    UnsetVariable {
        /// The variable name.
        name: String,
    },
    /// A value that needs AWS (or a remote state) to resolve, or a tfstate address not in the local state.
    Unresolved {
        /// The template / native function.
        function: String,
        /// Its argument(s), space-separated.
        argument: String,
    },
    /// A template function that neither ecspresso nor any configured plugin provides.
    UnknownFunction {
        /// The function name.
        name: String,
    },
    /// Two tfstate plugins with the same `func_prefix`.
    DuplicatePlugin {
        /// The plugin name.
        name: String,
    },
    /// A plugin name ecspresso does not know.
    UnknownPlugin {
        /// The plugin name.
        name: String,
    },
    /// A config file extension other than .yml/.yaml/.json/.jsonnet.
    UnsupportedExtension {
        /// The extension (without dot; empty when none).
        extension: String,
    },
    /// `timeout` is not a valid Go duration (or is zero).
    InvalidTimeout,
    /// `timeout` is a bare number, which ecspresso v2 reads as nanoseconds.
    BareNumberTimeout,
    /// A deprecated config key (`filter_command`).
    DeprecatedKey {
        /// The key.
        key: String,
    },
    /// `required_version` is not a valid version constraint.
    InvalidRequiredVersion,
    /// A definition file (or envfile/import) that does not parse; the message has the parser's words.
    DefinitionSyntax,
    /// The config names no `service_definition` although it names a `service`.
    ServiceDefinitionNotDefined,
    /// The config or a definition is not an object (mapping).
    NotAnObject,
    /// A plugin entry ecspresso would reject (for example a tfstate plugin with neither
    /// `path` nor `url`: `tfstate plugin requires path or url for tfstate location`).
    InvalidPlugin {
        /// The plugin name.
        name: String,
    },
    /// A file the config refers to (definition, local tfstate) lies outside
    /// the [`crate::ReadBounds`]: not read.
    OutsideBounds {
        /// The resolved path.
        path: PathBuf,
    },
}
