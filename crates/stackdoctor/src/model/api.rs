//! The project's API error contracts (and, from the code, how its clients use them).

use super::{Origin, Sourced};
use serde::Serialize;
use std::path::PathBuf;

/// What the project says and does about its API's errors.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApiModel {
    /// Every contract document found in the project or named with `--contract`.
    pub contracts: Vec<ContractDoc>,
    /// What the project's client code does with API errors, per file.
    pub clients: Vec<ClientFile>,
    /// The index in `clients` of each client file, to follow imports.
    #[serde(skip)]
    pub client_index: std::collections::HashMap<PathBuf, usize>,
    /// What the project's server code answers on errors, per file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<ServerFile>,
    /// Requests the logs show answered 4xx again and again before the
    /// client gave up: retries of what cannot succeed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retried_rejections: Vec<RetriedRejection>,
    /// Answers of the API seen: to the conformance probes (`--probe-api`),
    /// and in HAR files or `curl -i` output given with `--logs`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<AnswerSeen>,
    /// Error bodies of the API seen in the logs: documented codes in use.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<ObservedCode>,
}

/// A log line that carries one of the contract's error codes as a JSON
/// string (`"code":"AI_SERVICE_ERROR"`): the API answered that error.
#[derive(Debug, Clone, Serialize)]
pub struct ObservedCode {
    pub code: String,
    pub origin: Origin,
    /// The line, secrets masked and shortened.
    pub text: String,
}

/// One contract document and what it holds.
#[derive(Debug, Clone, Serialize)]
pub struct ContractDoc {
    pub file: PathBuf,
    pub contract: contract::Contract,
}

impl ContractDoc {
    /// The origin of a position of the document, spanning `length` characters.
    pub fn origin(&self, at: contract::Position, length: usize) -> Origin {
        Origin::file(&self.file, at.line, at.column, length as u32)
    }
}

impl ApiModel {
    /// The client facts of `file`, when it has any.
    pub fn client(&self, file: &std::path::Path) -> Option<&ClientFile> {
        self.client_index.get(file).map(|&i| &self.clients[i])
    }

    /// The documented entry of `code` in any contract, with its document.
    pub fn code(&self, code: &str) -> Option<(&ContractDoc, &contract::ErrorCode)> {
        self.contracts
            .iter()
            .find_map(|doc| doc.contract.code(code).map(|c| (doc, c)))
    }
}

/// What one source file of client code does with API errors.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClientFile {
    pub file: PathBuf,
    pub functions: Vec<FunctionFacts>,
    pub imports: Vec<Import>,
    pub classes: Vec<ClassFacts>,
    pub retry_loops: Vec<RetryLoop>,
    pub early_json: Vec<EarlyJson>,
    pub code_lists: Vec<CodeList>,
    pub backoffs: Vec<Backoff>,
}

/// A named function (declaration, `const f = () => …`, method) and what it throws.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionFacts {
    pub name: String,
    pub origin: Origin,
    pub thrown: Vec<Thrown>,
    /// The variable a `fetch` response is kept in, when the function fetches.
    pub response_variable: Option<String>,
}

/// A `throw` and what it throws.
#[derive(Debug, Clone, Serialize)]
pub struct Thrown {
    pub origin: Origin,
    /// The thrown expression as written (`new Error(error.message)`).
    pub text: String,
    pub kind: ThrownKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThrownKind {
    /// `new Error(…)`, `new TypeError(…)`: carries only `message`, `name`, `stack`, `cause`.
    BuiltinError {
        class: String,
        message: Option<String>,
    },
    /// `new ApiError(…)` of another class.
    Instance { class: String },
    /// An object literal: `throw { error, status }`.
    Object { keys: Vec<String> },
    /// The value the enclosing `catch` caught, thrown again.
    Rethrow,
    /// Anything else (a variable, a call): not followed.
    Unknown,
}

/// `import { a as b } from './x'`: `b` is `a` of the file `./x` resolves to.
#[derive(Debug, Clone, Serialize)]
pub struct Import {
    pub local: String,
    pub imported: String,
    pub from: Option<PathBuf>,
}

/// A class and the properties its instances get.
#[derive(Debug, Clone, Serialize)]
pub struct ClassFacts {
    pub name: String,
    pub extends: Option<String>,
    pub properties: Vec<String>,
}

/// A loop that calls functions in a `try` and decides in its `catch` whether to go on.
#[derive(Debug, Clone, Serialize)]
pub struct RetryLoop {
    pub origin: Origin,
    /// Functions called (by name) in the `try` block.
    pub called: Vec<Sourced<String>>,
    /// Properties of the caught value read in the `catch` block's conditions.
    pub reads: Vec<PropertyRead>,
    /// A call in the `try` itself that raises for every error status
    /// (Python's `response.raise_for_status()`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raises_here: Option<Origin>,
    /// Python: `tenacity`, `backoff` or `loop`; TypeScript loops have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
}

/// `errorResponse.error?.retryable`: the path `error.retryable` of the caught value.
#[derive(Debug, Clone, Serialize)]
pub struct PropertyRead {
    pub origin: Origin,
    pub path: Vec<String>,
    pub text: String,
}

/// `response.json()` before the response's status or content type is looked at.
#[derive(Debug, Clone, Serialize)]
pub struct EarlyJson {
    pub origin: Origin,
    pub variable: String,
    /// The first look at `ok`/`status`/`headers`, after the parse; none at all when absent.
    pub checked: Option<Origin>,
    /// The statement that parses, as written (`const data = await response.json();`).
    pub statement: String,
    /// Python (`requests`/`httpx`), else TypeScript or JavaScript (`fetch`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub python: bool,
}

/// A hard-coded list of error codes or statuses that decides a retry.
#[derive(Debug, Clone, Serialize)]
pub struct CodeList {
    pub origin: Origin,
    /// What is compared (`errorCode`, `error.code`, `response.status`).
    pub subject: String,
    pub codes: Vec<Sourced<String>>,
    pub statuses: Vec<Sourced<u16>>,
    /// Where the retry is offered (`<button onClick={retry}>`, `showRetryDialog`).
    pub retry: Origin,
    /// Written as `case` labels of a `switch`.
    pub switch_cases: bool,
    /// Written in Python (`if code in ("A", "B"): continue`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub python: bool,
}

/// An exponential delay (`Math.pow(2, attempt) * 1000`, `2 ** n * base`).
#[derive(Debug, Clone, Serialize)]
pub struct Backoff {
    pub origin: Origin,
    pub text: String,
    pub jitter: bool,
    pub cap: bool,
    pub retry_after: bool,
    /// Written in Python (`time.sleep(2 ** n)`, `wait_exponential(…)`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub python: bool,
}

/// A web framework whose error answers the server checks know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Express,
    Hono,
    Fastify,
    NextJs,
    FastApi,
    Flask,
}

impl Framework {
    pub fn name(self) -> &'static str {
        match self {
            Framework::Express => "Express",
            Framework::Hono => "Hono",
            Framework::Fastify => "Fastify",
            Framework::NextJs => "Next.js",
            Framework::FastApi => "FastAPI",
            Framework::Flask => "Flask",
        }
    }
}

/// What one source file of server code does when it answers an error.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ServerFile {
    pub file: PathBuf,
    /// Applications created here (`express()`, `FastAPI()`).
    pub apps: Vec<ServerApp>,
    /// Error handlers registered here, by what they handle.
    pub handlers: Vec<ErrorHandler>,
    /// Every error answer: literal ones, and those a helper builds at each of its calls.
    pub responses: Vec<ErrorResponse>,
}

/// An application object of a framework, where it is created.
#[derive(Debug, Clone, Serialize)]
pub struct ServerApp {
    pub framework: Framework,
    pub origin: Origin,
}

/// What an error handler registered with the framework takes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handles {
    /// Every uncaught error (Express's `(err, req, res, next)` middleware,
    /// Hono's `onError`, Fastify's `setErrorHandler`, `Exception`/`500` handlers).
    Errors,
    /// FastAPI's request validation errors (`RequestValidationError`).
    Validation,
    /// The framework's HTTP exceptions (`HTTPException`, Flask's `abort`).
    HttpExceptions,
}

/// An error handler registered with the framework.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorHandler {
    pub handles: Handles,
    pub origin: Origin,
}

/// How the body of an error answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// A JSON body written out (`res.status(400).json({…})`, `JSONResponse`).
    Json,
    /// A text or HTML body (`res.sendStatus(404)`, Flask's `abort(404)`).
    Text,
    /// FastAPI's/Starlette's `HTTPException`: `{"detail": …}` unless a handler rewrites it.
    HttpException,
    /// An instance of the project's own error class thrown with its code and
    /// status (`throw new AppError('NOT_FOUND', 404)`); its body is the error handler's.
    Thrown,
}

/// One error answer of the server.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorResponse {
    pub origin: Origin,
    pub kind: ResponseKind,
    pub status: Option<Sourced<u16>>,
    /// The body, when it is JSON written in the code.
    pub body: Option<ResponseBody>,
    /// The error code, for thrown errors (bodies carry theirs).
    pub code: Option<Sourced<String>>,
    /// The helper that builds this answer, when it comes from a call of one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The statement as written (first line).
    pub text: String,
}

/// A JSON body written in code: literals kept, everything else unknown.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseBody {
    pub value: serde_json::Value,
    /// Paths (`error.message`) whose value is not a literal (kept as `null`).
    pub unknown: Vec<String>,
    /// A spread (`...rest`, `**extra`) adds fields not known here.
    pub open: bool,
    /// Where each literal value is written, by path.
    pub positions: Vec<(String, Origin)>,
}

impl ResponseBody {
    /// The origin of the value at `path`.
    pub fn origin_of(&self, path: &str) -> Option<&Origin> {
        self.positions
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, o)| o)
    }
}

/// What a conformance probe tried (`--probe-api`), and so what the contract
/// says the answer should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbePurpose {
    /// No credentials: the documented 401 answer, when the API has one.
    Unauthenticated,
    /// A body that is not JSON: the documented 400 answer.
    Malformed,
    /// With credentials, an ID that does not exist: the documented 404 answer.
    UnknownId,
}

impl ProbePurpose {
    pub fn name(self) -> &'static str {
        match self {
            ProbePurpose::Unauthenticated => "unauthenticated",
            ProbePurpose::Malformed => "malformed",
            ProbePurpose::UnknownId => "unknown-id",
        }
    }

    pub fn from_name(name: &str) -> Option<ProbePurpose> {
        [
            ProbePurpose::Unauthenticated,
            ProbePurpose::Malformed,
            ProbePurpose::UnknownId,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }

    /// The status HTTP's semantics give the answer.
    pub fn expected_status(self) -> u16 {
        match self {
            ProbePurpose::Unauthenticated => 401,
            ProbePurpose::Malformed => 400,
            ProbePurpose::UnknownId => 404,
        }
    }
}

/// One answer of the API: to a conformance probe, or saved in a file.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerSeen {
    /// What the probe tried; none for an answer saved in a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<ProbePurpose>,
    /// The probe (`GET http://…/api/items → 404`), or the file position of the status.
    pub origin: Origin,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The body, when it is JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// The start of the body as text (masked), for the reader.
    pub excerpt: String,
    /// Whether the request carried the `--header` values.
    pub authenticated: bool,
}

/// One request answered the same 4xx at least twice in a log, followed by
/// a line that says the retries gave up (`RetryError`, `Max retries`).
#[derive(Debug, Clone, Serialize)]
pub struct RetriedRejection {
    /// `POST http://api/items`.
    pub request: String,
    pub status: u16,
    /// The answers, in log order (at most a few).
    pub answers: Vec<Origin>,
    pub gave_up: Origin,
}
