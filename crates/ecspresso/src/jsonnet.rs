//! Jsonnet evaluation with rsjsonnet-lang, ecspresso's native functions, and
//! approximate positions for the output.

use crate::funcs::{find_chars, FuncCtx};
use crate::node::{Node, NodeValue, Position, SourceText};
use rsjsonnet_lang::arena::Arena;
use rsjsonnet_lang::interner::InternedStr;
use rsjsonnet_lang::program::{
    Callbacks, EvalError, EvalErrorKind, EvalStackTraceItem, ImportError, LoadError, NativeError,
    Program, Thunk, Value,
};
use rsjsonnet_lang::span::{SpanContextId, SpanId};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Deepest nesting (brackets and prefix constructs, see `check_depth`) accepted in a
/// Jsonnet source (the parser and the evaluator are recursive).
const MAX_SOURCE_DEPTH: usize = 200;

/// A Jsonnet error with a position when one is known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonnetError {
    pub position: Option<Position>,
    pub message: String,
}

/// The manifested JSON and every source file that took part.
pub(crate) struct JsonnetOutput {
    pub json: String,
    pub sources: Vec<SourceText>,
}

struct File {
    ctx: SpanContextId,
    path: PathBuf,
    text: String,
}

struct Cb<'c, 'a, 'p> {
    funcs: &'c mut FuncCtx<'a>,
    files: Vec<File>,
    imports: Vec<(PathBuf, Thunk<'p>)>,
    /// Problems while importing (the callback cannot return details).
    import_errors: Vec<JsonnetError>,
    /// Which files imports may read.
    bounds: &'c crate::ReadBounds,
    /// Where they are read from.
    fs: &'c dyn crate::FileSystem,
}

impl Cb<'_, '_, '_> {
    fn file_of(&self, ctx: SpanContextId) -> Option<&File> {
        self.files.iter().find(|f| f.ctx == ctx)
    }

    fn span_position(&self, program: &Program<'_>, span: SpanId) -> Option<Position> {
        let (ctx, start, end) = program.span_manager().get_span(span);
        let f = self.file_of(ctx)?;
        let src = SourceText::new(&f.path, &f.text);
        let s = SourceText::char_index_of_byte(&f.text, start);
        let e = SourceText::char_index_of_byte(&f.text, end);
        Some(src.position(s, e.saturating_sub(s), true))
    }

    fn resolve(&self, program: &Program<'_>, from: SpanId, path: &str) -> PathBuf {
        let (ctx, _, _) = program.span_manager().get_span(from);
        let p = Path::new(path);
        if p.is_absolute() {
            return p.to_path_buf();
        }
        let dir = self
            .file_of(ctx)
            .and_then(|f| f.path.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        dir.join(p)
    }

    /// The error of an import out of bounds: its content is never read, so
    /// no message can quote it.
    fn outside(&self, program: &Program<'_>, from: SpanId, path: &str) -> JsonnetError {
        JsonnetError {
            position: self.span_position(program, from),
            message: format!("couldn't open import \"{path}\" (outside the project, not read)"),
        }
    }

    fn read_import(
        &mut self,
        program: &Program<'_>,
        from: SpanId,
        path: &str,
    ) -> Result<(PathBuf, String), ImportError> {
        let full = self.resolve(program, from, path);
        if !self.bounds.allows_in(&full, self.fs) {
            self.import_errors.push(self.outside(program, from, path));
            return Err(ImportError);
        }
        match crate::read_text_bounded(self.fs, &full) {
            Ok(t) => Ok((full, t)),
            Err(e) => {
                self.import_errors.push(JsonnetError {
                    position: self.span_position(program, from),
                    message: format!("couldn't open import \"{path}\": {e} ({})", full.display()),
                });
                Err(ImportError)
            }
        }
    }
}

fn arg_text(v: &Value<'_>) -> String {
    if let Some(s) = v.to_string() {
        return s;
    }
    if let Some(n) = v.as_number() {
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            return format!("{}", n as i64);
        }
        return n.to_string();
    }
    if let Some(b) = v.as_bool() {
        return b.to_string();
    }
    String::new()
}

impl<'p> Callbacks<'p> for Cb<'_, '_, 'p> {
    fn import(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<Thunk<'p>, ImportError> {
        let (full, text) = self.read_import(program, from, path)?;
        if let Some((_, t)) = self.imports.iter().find(|(p, _)| *p == full) {
            return Ok(t.clone());
        }
        if let Err(e) = check_depth(&full, &text) {
            self.import_errors.push(e);
            return Err(ImportError);
        }
        let (ctx, _) = program.span_manager_mut().insert_source_context(text.len());
        self.files.push(File {
            ctx,
            path: full.clone(),
            text: text.clone(),
        });
        match program.load_source(ctx, text.as_bytes(), true, &full.to_string_lossy()) {
            Ok(thunk) => {
                self.imports.push((full, thunk.clone()));
                Ok(thunk)
            }
            Err(e) => {
                let err = self.load_error(program, &e);
                self.import_errors.push(err);
                Err(ImportError)
            }
        }
    }

    fn import_str(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<String, ImportError> {
        Ok(self.read_import(program, from, path)?.1)
    }

    fn import_bin(
        &mut self,
        program: &mut Program<'p>,
        from: SpanId,
        path: &str,
    ) -> Result<Vec<u8>, ImportError> {
        let full = self.resolve(program, from, path);
        if !self.bounds.allows_in(&full, self.fs) {
            self.import_errors.push(self.outside(program, from, path));
            return Err(ImportError);
        }
        self.fs.read(&full, crate::MAX_FILE_BYTES).map_err(|e| {
            self.import_errors.push(JsonnetError {
                position: self.span_position(program, from),
                message: format!("couldn't open import \"{path}\": {e}"),
            });
            ImportError
        })
    }

    fn trace(&mut self, _program: &mut Program<'p>, _message: &str, _stack: &[EvalStackTraceItem]) {
    }

    fn native_call(
        &mut self,
        _program: &mut Program<'p>,
        name: InternedStr<'p>,
        args: &[Value<'p>],
    ) -> Result<Value<'p>, NativeError> {
        let name = name.value().to_string();
        let args: Vec<String> = args.iter().map(arg_text).collect();
        let sources: Vec<SourceText> = self
            .files
            .iter()
            .map(|f| SourceText::new(&f.path, &f.text))
            .collect();
        let pos = || native_position(&sources, &name, &args);
        let out = match self.funcs.call(&name, &args, &pos) {
            Some(Ok(s)) => s,
            Some(Err(_)) => return Err(NativeError),
            None => self.funcs.unknown(&name, &args, &pos),
        };
        Ok(Value::string(&out))
    }
}

/// Where a native call probably is: its first argument as a string literal.
fn native_position(sources: &[SourceText], name: &str, args: &[String]) -> Option<Position> {
    if let Some(arg) = args.first() {
        for quote in ['\'', '"'] {
            let needle: Vec<char> = format!("{quote}{arg}{quote}").chars().collect();
            for s in sources {
                if let Some(i) = find_chars(&s.chars, &needle, 0) {
                    return Some(s.position(i, needle.len(), false));
                }
            }
        }
    }
    let needle: Vec<char> = format!("'{name}'").chars().collect();
    for s in sources {
        if let Some(i) = find_chars(&s.chars, &needle, 0) {
            return Some(s.position(i, needle.len(), false));
        }
    }
    sources.first().map(|s| s.position(0, 0, false))
}

impl Cb<'_, '_, '_> {
    fn load_error(&self, program: &Program<'_>, e: &LoadError) -> JsonnetError {
        let (span, message) = match e {
            LoadError::Lex(l) => (lex_span(l), format!("syntax error: {l:?}")),
            LoadError::Parse(rsjsonnet_lang::parser::ParseError::Expected {
                span,
                expected,
                instead,
            }) => (
                Some(*span),
                format!("syntax error: expected one of {expected:?}, got {instead:?}"),
            ),
            LoadError::Analyze(a) => (analyze_span(a), format!("{a:?}")),
        };
        JsonnetError {
            position: span.and_then(|s| self.span_position(program, s)),
            message: strip_span_noise(&message),
        }
    }

    fn eval_error(&self, program: &Program<'_>, e: &EvalError) -> JsonnetError {
        if let EvalErrorKind::ImportFailed { .. } = e.kind {
            if let Some(first) = self.import_errors.first() {
                return first.clone();
            }
        }
        let message = match &e.kind {
            EvalErrorKind::UnknownExtVar { name } => format!("undefined external variable: {name}"),
            EvalErrorKind::ExplicitError { message, .. } => format!("RUNTIME ERROR: {message}"),
            EvalErrorKind::UnknownObjectField { field_name, .. } => {
                format!("field does not exist: {field_name}")
            }
            EvalErrorKind::NativeCallFailed => {
                "native function call failed (wrong arguments?)".to_string()
            }
            EvalErrorKind::StackOverflow => "max stack frames exceeded".to_string(),
            other => strip_span_noise(&format!("{other:?}")),
        };
        let mut position = eval_span(&e.kind).and_then(|s| self.span_position(program, s));
        if position.is_none() {
            for item in &e.stack_trace {
                let span = match item {
                    EvalStackTraceItem::Expr { span }
                    | EvalStackTraceItem::Variable { span, .. }
                    | EvalStackTraceItem::Import { span } => Some(*span),
                    EvalStackTraceItem::Call { span, .. }
                    | EvalStackTraceItem::ArrayItem { span, .. }
                    | EvalStackTraceItem::ObjectField { span, .. } => *span,
                    _ => None,
                };
                if let Some(p) = span.and_then(|s| self.span_position(program, s)) {
                    position = Some(p);
                    break;
                }
            }
        }
        JsonnetError { position, message }
    }
}

fn strip_span_noise(s: &str) -> String {
    // Debug output of errors carries `span: SpanId(…)`; drop it.
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("span: SpanId(") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find(')').map(|j| j + 1).unwrap_or(after.len());
        rest = after[end..].trim_start_matches(", ");
    }
    out.push_str(rest);
    out
}

fn lex_span(e: &rsjsonnet_lang::lexer::LexError) -> Option<SpanId> {
    use rsjsonnet_lang::lexer::LexError as L;
    Some(match e {
        L::InvalidChar { span, .. }
        | L::InvalidUtf8 { span, .. }
        | L::UnfinishedMultilineComment { span }
        | L::LeadingZeroInNumber { span }
        | L::MissingFracDigits { span }
        | L::MissingExpDigits { span }
        | L::MissingDigitAfterUnderscore { span }
        | L::ExpOverflow { span }
        | L::InvalidEscapeInString { span, .. }
        | L::IncompleteUnicodeEscape { span }
        | L::InvalidUtf16EscapeSequence { span, .. }
        | L::UnfinishedString { span }
        | L::MissingLineBreakAfterTextBlockStart { span }
        | L::MissingWhitespaceTextBlockStart { span }
        | L::InvalidTextBlockTermination { span } => *span,
    })
}

fn analyze_span(e: &rsjsonnet_lang::program::AnalyzeError) -> Option<SpanId> {
    use rsjsonnet_lang::program::AnalyzeError as A;
    Some(match e {
        A::UnknownVariable { span, .. } => *span,
        A::SelfOutsideObject { self_span } => *self_span,
        A::SuperOutsideObject { super_span } => *super_span,
        A::DollarOutsideObject { dollar_span } => *dollar_span,
        A::RepeatedLocalName { repeated_span, .. }
        | A::RepeatedFieldName { repeated_span, .. }
        | A::RepeatedParamName { repeated_span, .. } => *repeated_span,
        A::PositionalArgAfterNamed { arg_span } => *arg_span,
        A::TextBlockAsImportPath { span } | A::ComputedImportPath { span } => *span,
    })
}

fn eval_span(k: &EvalErrorKind) -> Option<SpanId> {
    use EvalErrorKind as K;
    match k {
        K::InvalidIndexedType { span, .. }
        | K::InvalidSlicedType { span, .. }
        | K::SliceIndexOrStepIsNotNumber { span, .. }
        | K::StringIndexIsNotNumber { span, .. }
        | K::ArrayIndexIsNotNumber { span, .. }
        | K::NumericIndexIsNotValid { span, .. }
        | K::NumericIndexOutOfRange { span, .. }
        | K::ObjectIndexIsNotString { span, .. }
        | K::RepeatedFieldName { span, .. }
        | K::FieldNameIsNotString { span, .. }
        | K::UnknownObjectField { span, .. }
        | K::FieldOfNonObject { span }
        | K::SuperWithoutSuperObject { span }
        | K::ForSpecValueIsNotArray { span, .. }
        | K::CondIsNotBool { span, .. }
        | K::InvalidUnaryOpType { span, .. }
        | K::AssertFailed { span, .. }
        | K::ExplicitError { span, .. }
        | K::ImportFailed { span, .. } => Some(*span),
        K::CalleeIsNotFunction { span, .. }
        | K::TooManyCallArgs { span, .. }
        | K::UnknownCallParam { span, .. }
        | K::RepeatedCallParam { span, .. }
        | K::CallParamNotBound { span, .. }
        | K::InvalidBinaryOpTypes { span, .. }
        | K::NumberNotBitwiseSafe { span }
        | K::NumberOverflow { span }
        | K::NumberNan { span }
        | K::DivByZero { span }
        | K::ShiftByNegative { span }
        | K::Other { span, .. } => *span,
        _ => None,
    }
}

/// Rejects sources nested deeper than the recursive parser and evaluator can
/// take on a 2 MiB stack.
///
/// Brackets are not the only nesting: `if`, `local`, `function`, `assert`,
/// `error` and prefix operators (`!`, `~`, unary `-`/`+`) each open an
/// expression inside the one being parsed, so `if if if … ` or `!!!! … true`
/// a few thousand times overflowed the stack (an abort, not an error). Those
/// count as one level each until the `,` that ends the element or the bracket
/// that closes their level.
fn check_depth(path: &Path, text: &str) -> Result<(), JsonnetError> {
    let chars: Vec<char> = text.chars().collect();
    // Prefix constructs open in each bracket level (index 0: outside any).
    let mut prefixes: Vec<usize> = vec![0];
    let mut open_prefixes = 0usize;
    // Whether an operand is expected next (so `-`/`+` are unary).
    let mut operand_expected = true;
    let mut i = 0;
    let too_deep = |i: usize| {
        let src = SourceText::new(path, text);
        JsonnetError {
            position: Some(src.position(i, 1, true)),
            message: format!("nesting deeper than {MAX_SOURCE_DEPTH} levels"),
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let mut opens_prefix = false;
        match c {
            '\'' | '"' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                operand_expected = false;
            }
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 1;
            }
            '[' | '{' | '(' => {
                prefixes.push(0);
                operand_expected = true;
            }
            ']' | '}' | ')' => {
                if prefixes.len() > 1 {
                    open_prefixes -= prefixes.pop().unwrap_or(0);
                }
                operand_expected = false;
            }
            ',' => {
                if let Some(last) = prefixes.last_mut() {
                    open_prefixes -= *last;
                    *last = 0;
                }
                operand_expected = true;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                i += 1;
                operand_expected = true;
            }
            '!' | '~' => opens_prefix = true,
            '-' | '+' if operand_expected => opens_prefix = true,
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i + 1 < chars.len() && (chars[i + 1].is_alphanumeric() || chars[i + 1] == '_')
                {
                    i += 1;
                }
                let word: String = chars[start..=i].iter().collect();
                match word.as_str() {
                    "if" | "local" | "function" | "assert" | "error" => {
                        opens_prefix = true;
                    }
                    "then" | "else" | "in" | "for" | "tailstrict" | "import" | "importstr"
                    | "importbin" => operand_expected = true,
                    _ => operand_expected = false,
                }
            }
            c if c.is_whitespace() => {}
            _ => operand_expected = true,
        }
        if opens_prefix {
            open_prefixes += 1;
            if let Some(last) = prefixes.last_mut() {
                *last += 1;
            }
            operand_expected = true;
        }
        if prefixes.len() - 1 + open_prefixes > MAX_SOURCE_DEPTH {
            return Err(too_deep(i));
        }
        i += 1;
    }
    Ok(())
}

/// Native functions ecspresso registers (plus the prefixed tfstate ones).
fn native_funcs(funcs: &FuncCtx<'_>) -> Vec<(String, Vec<&'static str>)> {
    let mut out: Vec<(String, Vec<&'static str>)> = vec![
        ("env".into(), vec!["name", "default"]),
        ("must_env".into(), vec!["name"]),
        ("json_escape".into(), vec!["s"]),
        ("ssm".into(), vec!["path"]),
        ("secretsmanager_arn".into(), vec!["name"]),
        ("cfn_output".into(), vec!["stack", "key"]),
        ("cfn_export".into(), vec!["name"]),
        ("tfstate".into(), vec!["address"]),
    ];
    for p in funcs.tfstate {
        out.push((format!("{}tfstate", p.prefix), vec!["address"]));
    }
    let mut seen = HashSet::new();
    out.retain(|(n, _)| seen.insert(n.clone()));
    out
}

/// Evaluates the Jsonnet file `path` (text `text`) and manifests it as JSON.
pub(crate) fn evaluate(
    path: &Path,
    text: &str,
    options: &crate::LoadOptions,
    files: &dyn crate::FileSystem,
    funcs: &mut FuncCtx<'_>,
) -> Result<JsonnetOutput, JsonnetError> {
    check_depth(path, text)?;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        evaluate_inner(path, text, options, files, funcs)
    }));
    match result {
        Ok(r) => r,
        Err(_) => Err(JsonnetError {
            position: None,
            message: "the Jsonnet evaluator failed unexpectedly".to_string(),
        }),
    }
}

fn evaluate_inner(
    path: &Path,
    text: &str,
    options: &crate::LoadOptions,
    files: &dyn crate::FileSystem,
    funcs: &mut FuncCtx<'_>,
) -> Result<JsonnetOutput, JsonnetError> {
    let (ext_str, ext_code) = (&options.ext_str, &options.ext_code);
    let arena = Arena::new();
    let mut program = Program::new(&arena);
    for (name, params) in native_funcs(funcs) {
        let name = program.intern_str(&name);
        let params: Vec<InternedStr<'_>> = params.iter().map(|p| program.intern_str(p)).collect();
        program.register_native_func(name, &params);
    }
    let mut cb = Cb {
        funcs,
        files: Vec::new(),
        imports: Vec::new(),
        import_errors: Vec::new(),
        bounds: &options.bounds,
        fs: files,
    };
    let mut seen = HashSet::new();
    for (name, value) in ext_str {
        if seen.insert(name.clone()) {
            let thunk = program.value_to_thunk(&Value::string(value));
            let n = program.intern_str(name);
            program.add_ext_var(n, &thunk);
        }
    }
    for (name, code) in ext_code {
        if !seen.insert(name.clone()) {
            continue;
        }
        let label = format!("<ext-code {name}>");
        let (ctx, _) = program.span_manager_mut().insert_source_context(code.len());
        cb.files.push(File {
            ctx,
            path: PathBuf::from(&label),
            text: code.clone(),
        });
        check_depth(Path::new(&label), code)?;
        match program.load_source(ctx, code.as_bytes(), true, &label) {
            Ok(thunk) => {
                let n = program.intern_str(name);
                program.add_ext_var(n, &thunk);
            }
            Err(e) => {
                let mut err = cb.load_error(&program, &e);
                err.message = format!("--ext-code {name}: {}", err.message);
                return Err(err);
            }
        }
    }
    let (ctx, _) = program.span_manager_mut().insert_source_context(text.len());
    cb.files.push(File {
        ctx,
        path: path.to_path_buf(),
        text: text.to_string(),
    });
    let thunk = match program.load_source(ctx, text.as_bytes(), true, &path.to_string_lossy()) {
        Ok(t) => t,
        Err(e) => return Err(cb.load_error(&program, &e)),
    };
    let value = program
        .eval_value(&thunk, &mut cb)
        .map_err(|e| cb.eval_error(&program, &e))?;
    let json = program
        .manifest_json(&value, false)
        .map_err(|e| cb.eval_error(&program, &e))?;
    // The main file first, then imports (ext-code snippets are not files).
    let mut sources: Vec<SourceText> = Vec::new();
    for f in cb.files.iter().filter(|f| f.path == path) {
        sources.push(SourceText::new(&f.path, &f.text));
    }
    for f in cb
        .files
        .iter()
        .filter(|f| f.path != path && !f.path.starts_with("<ext-code"))
    {
        sources.push(SourceText::new(&f.path, &f.text));
    }
    Ok(JsonnetOutput { json, sources })
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(is_ident_char)
        && s.chars().next().is_some_and(|c| !c.is_ascii_digit())
}

/// Finds where `key` is defined as an object field in `src` at or after `from`.
fn find_field(src: &SourceText, key: &str, from: usize) -> Option<usize> {
    let chars = &src.chars;
    let followed_by_colon = |mut j: usize| {
        while chars.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        if chars.get(j) == Some(&'+') {
            j += 1;
        }
        chars.get(j) == Some(&':')
    };
    let mut candidates: Vec<Vec<char>> = vec![
        format!("'{key}'").chars().collect(),
        format!("\"{key}\"").chars().collect(),
    ];
    if is_ident(key) {
        candidates.push(key.chars().collect());
    }
    let mut best: Option<usize> = None;
    for needle in &candidates {
        let mut at = from;
        while let Some(i) = find_chars(chars, needle, at) {
            let before_ok = i == 0
                || !chars
                    .get(i - 1)
                    .is_some_and(|c| is_ident_char(*c) || *c == '.');
            let after = i + needle.len();
            let after_ok = !chars.get(after).is_some_and(|c| is_ident_char(*c));
            if before_ok && after_ok && followed_by_colon(after) {
                best = Some(best.map_or(i, |b: usize| b.min(i)));
                break;
            }
            at = i + 1;
        }
    }
    best
}

/// Gives every node of a tree evaluated from Jsonnet an approximate position:
/// each key is searched (as a field name followed by `:`) after its parent's
/// location, in the main file and then in imported files.
pub(crate) fn locate_tree(node: &mut Node, sources: &[SourceText]) {
    let Some(main) = sources.first() else {
        return;
    };
    let start = main.position(0, 0, false);
    relocate(node, sources, (0, 0), &start, 0);
}

fn relocate(
    node: &mut Node,
    sources: &[SourceText],
    at: (usize, usize),
    pos: &Position,
    depth: usize,
) {
    node.position = pos.clone();
    if depth > crate::json::MAX_DEPTH {
        return;
    }
    match &mut node.value {
        NodeValue::Array(items) => {
            for item in items {
                relocate(item, sources, at, pos, depth + 1);
            }
        }
        NodeValue::Object(entries) => {
            for (key, value) in entries.iter_mut() {
                let mut found = None;
                if let Some(src) = sources.get(at.0) {
                    if let Some(i) = find_field(src, &key.name, at.1) {
                        found = Some((at.0, i));
                    }
                }
                if found.is_none() {
                    for (fi, src) in sources.iter().enumerate() {
                        if fi == at.0 {
                            continue;
                        }
                        if let Some(i) = find_field(src, &key.name, 0) {
                            found = Some((fi, i));
                            break;
                        }
                    }
                }
                match found.and_then(|(fi, i)| sources.get(fi).map(|s| (fi, i, s))) {
                    Some((fi, i, src)) => {
                        let p = src.position(i, 0, false);
                        key.position = p.clone();
                        relocate(value, sources, (fi, i), &p, depth + 1);
                    }
                    None => {
                        key.position = pos.clone();
                        relocate(value, sources, at, pos, depth + 1);
                    }
                }
            }
        }
        _ => {}
    }
}
