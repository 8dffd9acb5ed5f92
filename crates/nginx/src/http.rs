//! The HTTP view of a configuration: the servers, the locations of each in
//! nginx's matching order, and where each location passes requests to.
//!
//! Values are inherited the way nginx inherits them: `set` variables and
//! `*_timeout` directives of `http` and `server` hold in every location
//! that does not set its own. A `proxy_pass` whose host names an
//! `upstream {}` pool becomes the pool's members.

use crate::{Arg, Directive, Position};
use std::collections::BTreeMap;

/// nginx's default for every `*_connect_timeout` and `*_read_timeout`.
pub const DEFAULT_TIMEOUT_MILLIS: u64 = 60_000;

/// The directives that pass a request on, with the scheme they imply.
const PASS_DIRECTIVES: [(&str, &str); 5] = [
    ("proxy_pass", "http"),
    ("fastcgi_pass", "fastcgi"),
    ("uwsgi_pass", "uwsgi"),
    ("scgi_pass", "scgi"),
    ("grpc_pass", "grpc"),
];

/// The timeouts that are kept per route.
const TIMEOUTS: [&str; 10] = [
    "proxy_connect_timeout",
    "proxy_read_timeout",
    "proxy_send_timeout",
    "fastcgi_connect_timeout",
    "fastcgi_read_timeout",
    "uwsgi_connect_timeout",
    "uwsgi_read_timeout",
    "grpc_connect_timeout",
    "grpc_read_timeout",
    "scgi_read_timeout",
];

#[derive(Debug, Clone, Default)]
pub struct HttpView {
    pub servers: Vec<Server>,
    pub pools: Vec<Pool>,
    /// `resolver` directives (needed when a pass holds variables).
    pub resolvers: Vec<Position>,
    /// Variables that `map` defines: known only at request time.
    pub mapped_variables: Vec<String>,
    /// Directives `nginx -t` rejects for their argument count, in nginx's words.
    pub errors: Vec<(Position, String)>,
}

/// An `upstream name { server …; }` pool.
#[derive(Debug, Clone)]
pub struct Pool {
    pub name: String,
    pub position: Position,
    pub members: Vec<Target>,
}

#[derive(Debug, Clone)]
pub struct Server {
    pub position: Position,
    pub listens: Vec<Listen>,
    pub names: Vec<Arg>,
    /// Every location (nested ones too), in file order.
    pub locations: Vec<Location>,
    pub routes: Vec<Route>,
    /// Locations of a file without a `server` around them (a SWAG
    /// `*.subfolder.conf` is included into a server elsewhere).
    pub implicit: bool,
}

#[derive(Debug, Clone)]
pub struct Listen {
    pub text: String,
    pub port: Option<u16>,
    pub ssl: bool,
    pub default_server: bool,
    pub position: Position,
}

#[derive(Debug, Clone)]
pub struct Location {
    /// `=`, `^~`, `~`, `~*`, `@`, or empty for a prefix.
    pub modifier: String,
    pub path: String,
    pub position: Position,
    /// Index in [`Server::routes`] of the route this location passes to.
    pub route: Option<usize>,
}

/// One step from the server down to the pass directive.
#[derive(Debug, Clone)]
pub struct Step {
    pub label: String,
    pub position: Position,
}

#[derive(Debug, Clone)]
pub struct Route {
    /// `location …` blocks, outermost first, then the pass directive.
    pub steps: Vec<Step>,
    pub pass: Pass,
    /// The timeouts in force: explicit ones of any family, and nginx's
    /// default for the pass's own family where none is set.
    pub timeouts: Vec<Timeout>,
    /// The `root` in force (inherited from the server or `http`), with its value's position.
    pub root: Option<(String, Position)>,
    /// The `fastcgi_param SCRIPT_FILENAME` in force, with its value's position.
    pub script_filename: Option<(String, Position)>,
    /// The `proxy_set_header` entries in force: (name, value, directive position).
    pub proxy_headers: Vec<(String, String, Position)>,
    /// The `proxy_http_version` in force (nginx speaks 1.0 to upstreams without it).
    pub proxy_http_version: Option<(String, Position)>,
    /// `include` files around the route that could not be read (what they
    /// set is unknown), as written.
    pub unread_includes: Vec<String>,
}

impl Route {
    pub fn timeout(&self, name: &str) -> Option<&Timeout> {
        self.timeouts.iter().find(|t| t.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeout {
    pub name: String,
    pub millis: u64,
    /// `None` when it is nginx's default.
    pub position: Option<Position>,
}

/// A `proxy_pass`-like directive and where it leads.
#[derive(Debug, Clone)]
pub struct Pass {
    /// `proxy_pass`, `fastcgi_pass`, …
    pub directive: String,
    /// The argument as written.
    pub text: String,
    pub position: Position,
    /// `http`, `https`, `fastcgi`, `grpcs`, …
    pub scheme: String,
    /// The argument with the `set` variables it uses filled in.
    pub resolved: String,
    /// Variables that no `set` in scope gives a value.
    pub unresolved: Vec<String>,
    pub targets: Vec<Target>,
}

impl Pass {
    /// TLS towards the upstream.
    pub fn tls(&self) -> bool {
        matches!(self.scheme.as_str(), "https" | "grpcs" | "suwsgi")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Host,
    Unix,
    /// Host or port known only at request time.
    Variable,
}

/// An address requests go to: the pass's own host, or a pool member.
#[derive(Debug, Clone)]
pub struct Target {
    /// The address with variables filled in (`https://nextcloud:443`).
    pub text: String,
    /// What is written at [`Target::position`] (the `set` value, the argument).
    pub written: String,
    pub host: String,
    pub port: Option<u16>,
    pub position: Position,
    pub kind: TargetKind,
    /// The pool it is a member of.
    pub pool: Option<String>,
    pub down: bool,
    pub backup: bool,
    pub weight: Option<u32>,
}

/// `include`s replaced by what they included.
fn flatten(directives: &[Directive]) -> Vec<&Directive> {
    let mut out = Vec::new();
    for d in directives {
        if d.name == "include" && !d.included.is_empty() {
            out.extend(flatten(&d.included));
            // Part of a glob was not read: what that part sets stays unknown.
            if d.unread {
                out.push(d);
            }
        } else {
            out.push(d);
        }
    }
    out
}

#[derive(Debug, Clone, Default)]
struct Scope {
    /// `set $name value;`: the value and where it is written.
    sets: BTreeMap<String, (String, Option<Position>)>,
    timeouts: BTreeMap<String, (u64, Position)>,
    root: Option<(String, Position)>,
    script_filename: Option<(String, Position)>,
    proxy_headers: Vec<(String, String, Position)>,
    proxy_http_version: Option<(String, Position)>,
    unread_includes: Vec<String>,
}

impl Scope {
    fn with(&self, directives: &[&Directive]) -> Scope {
        let mut scope = self.clone();
        // Like every array directive, `fastcgi_param` is inherited only by a
        // level that sets none of its own.
        if directives.iter().any(|d| d.name == "fastcgi_param") {
            scope.script_filename = None;
        }
        if directives.iter().any(|d| d.name == "proxy_set_header") {
            scope.proxy_headers.clear();
        }
        for d in directives {
            if d.name == "set" && d.args.len() >= 2 {
                let name = d.args[0].text.trim_start_matches('$').to_string();
                scope.sets.insert(
                    name,
                    (d.args[1].text.clone(), Some(d.args[1].position.clone())),
                );
            } else if d.name == "include" && d.unread {
                if let Some(file) = d.arg(0) {
                    scope.unread_includes.push(file.to_string());
                }
            } else if d.name == "proxy_set_header" && d.args.len() == 2 {
                scope.proxy_headers.push((
                    d.args[0].text.clone(),
                    d.args[1].text.clone(),
                    d.position.clone(),
                ));
            } else if d.name == "proxy_http_version" && d.args.len() == 1 {
                scope.proxy_http_version = Some((d.args[0].text.clone(), d.position.clone()));
            } else if d.name == "root" && d.args.len() == 1 {
                scope.root = Some((d.args[0].text.clone(), d.args[0].position.clone()));
            } else if d.name == "fastcgi_param"
                && d.args.len() >= 2
                && d.args[0].text == "SCRIPT_FILENAME"
            {
                let value = &d.args[1];
                scope.script_filename = Some((value.text.clone(), value.position.clone()));
            } else if TIMEOUTS.contains(&d.name.as_str()) {
                if let Some(millis) = d.arg(0).and_then(parse_time) {
                    scope
                        .timeouts
                        .insert(d.name.clone(), (millis, d.position.clone()));
                }
            }
        }
        scope
    }
}

impl HttpView {
    pub fn from_directives(directives: &[Directive]) -> HttpView {
        HttpView::from_template(directives, &[])
    }

    /// For a template that `envsubst` (or the image's `/etc/nginx/templates`
    /// step) fills from the environment before nginx reads it: `$VAR` of
    /// `environment` are known values.
    pub fn from_template(directives: &[Directive], environment: &[(String, String)]) -> HttpView {
        let mut view = HttpView::default();
        let top = flatten(directives);
        collect_pools(&top, &mut view);
        collect_resolvers(&top, &mut view.resolvers);
        let mut base = Scope::default();
        base.sets.extend(
            environment
                .iter()
                .map(|(k, v)| (k.clone(), (v.clone(), None))),
        );
        let scope = base.with(&top);
        view.walk_context(&top, &scope);
        check_arguments(&top, &mut view.errors);
        view
    }

    fn walk_context(&mut self, directives: &[&Directive], scope: &Scope) {
        let mut loose = Vec::new();
        for d in directives {
            match (d.name.as_str(), &d.block) {
                ("http", Some(block)) => {
                    let inner = flatten(block);
                    let scope = scope.with(&inner);
                    self.walk_context(&inner, &scope);
                }
                ("server", Some(block)) => {
                    let inner = flatten(block);
                    // `server` inside `upstream`/`stream` is something else.
                    let scope = scope.with(&inner);
                    let server = self.server(d.position.clone(), &inner, &scope, false);
                    self.servers.push(server);
                }
                ("location", Some(_)) => loose.push(*d),
                ("map", Some(_)) => {
                    if let Some(var) = d.arg(1) {
                        self.mapped_variables
                            .push(var.trim_start_matches('$').to_string());
                    }
                }
                _ => {}
            }
        }
        if let Some(first) = loose.first() {
            let server = self.server(first.position.clone(), &loose, scope, true);
            self.servers.push(server);
        }
    }

    fn server(
        &mut self,
        position: Position,
        inner: &[&Directive],
        scope: &Scope,
        implicit: bool,
    ) -> Server {
        let mut server = Server {
            position,
            listens: Vec::new(),
            names: Vec::new(),
            locations: Vec::new(),
            routes: Vec::new(),
            implicit,
        };
        for d in inner {
            match d.name.as_str() {
                "listen" => {
                    if let Some(arg) = d.args.first() {
                        server.listens.push(Listen {
                            text: arg.text.clone(),
                            port: listen_port(&arg.text),
                            ssl: d.args.iter().skip(1).any(|a| a.text == "ssl")
                                || d.args.iter().skip(1).any(|a| a.text == "http2")
                                    && listen_port(&arg.text) == Some(443),
                            default_server: d
                                .args
                                .iter()
                                .any(|a| a.text == "default_server" || a.text == "default"),
                            position: arg.position.clone(),
                        });
                    }
                }
                "server_name" => server.names.extend(d.args.iter().cloned()),
                _ => {}
            }
        }
        for d in inner {
            if d.name == "location" && d.block.is_some() {
                self.location(&mut server, d, scope, &[]);
            }
        }
        server
    }

    fn location(&self, server: &mut Server, d: &Directive, scope: &Scope, outer: &[Step]) {
        let (modifier, path) = match d.args.as_slice() {
            [m, p, ..] => (m.text.clone(), p.text.clone()),
            [p] => match p.text.as_str() {
                t if t.starts_with('=') && t.len() > 1 => ("=".into(), t[1..].to_string()),
                t if t.starts_with('@') => ("@".into(), t.to_string()),
                t => (String::new(), t.to_string()),
            },
            [] => (String::new(), String::new()),
        };
        let label = std::iter::once("location")
            .chain(d.args.iter().map(|a| a.text.as_str()))
            .collect::<Vec<_>>()
            .join(" ");
        let mut steps = outer.to_vec();
        steps.push(Step {
            label,
            position: d.position.clone(),
        });
        let inner = flatten(d.block.as_deref().unwrap_or_default());
        let scope = scope.with(&inner);
        let index = server.locations.len();
        server.locations.push(Location {
            modifier,
            path,
            position: d.position.clone(),
            route: None,
        });
        // A pass inside `if` or `limit_except` still belongs to this location.
        let mut candidates: Vec<&Directive> = inner.clone();
        for nested in &inner {
            if matches!(nested.name.as_str(), "if" | "limit_except") {
                if let Some(block) = &nested.block {
                    candidates.extend(flatten(block));
                }
            }
        }
        if let Some(pass) = candidates
            .iter()
            .find(|c| PASS_DIRECTIVES.iter().any(|(name, _)| *name == c.name))
        {
            if let Some(built) = self.pass(pass, &scope) {
                let mut route_steps = steps.clone();
                route_steps.push(Step {
                    label: format!("{} {}", pass.name, built.text),
                    position: pass.position.clone(),
                });
                let timeouts = route_timeouts(&built.directive, &scope);
                server.locations[index].route = Some(server.routes.len());
                server.routes.push(Route {
                    steps: route_steps,
                    pass: built,
                    timeouts,
                    root: scope.root.clone(),
                    script_filename: scope.script_filename.clone(),
                    proxy_headers: scope.proxy_headers.clone(),
                    proxy_http_version: scope.proxy_http_version.clone(),
                    unread_includes: scope.unread_includes.clone(),
                });
            }
        }
        for nested in &inner {
            if nested.name == "location" && nested.block.is_some() {
                self.location(server, nested, &scope, &steps);
            }
        }
    }

    fn pass(&self, d: &Directive, scope: &Scope) -> Option<Pass> {
        if d.args.len() != 1 {
            return None;
        }
        let arg = d.args.first()?;
        let default_scheme = PASS_DIRECTIVES
            .iter()
            .find(|(name, _)| *name == d.name)
            .map(|(_, s)| *s)?;
        let (resolved, unresolved) = substitute(&arg.text, scope, &self.mapped_variables);
        let (scheme, rest) = match resolved.split_once("://") {
            Some((s, rest)) if !s.contains(['/', '$']) => {
                (s.to_ascii_lowercase(), rest.to_string())
            }
            _ => (default_scheme.to_string(), resolved.clone()),
        };
        let mut pass = Pass {
            directive: d.name.clone(),
            text: arg.text.clone(),
            position: arg.position.clone(),
            scheme: scheme.clone(),
            resolved: resolved.clone(),
            unresolved: unresolved.clone(),
            targets: Vec::new(),
        };
        if !unresolved.is_empty() {
            let (host, port) = split_host_port(authority(&rest));
            pass.targets.push(Target {
                text: arg.text.clone(),
                written: arg.text.clone(),
                host: if host.contains('$') {
                    String::new()
                } else {
                    host
                },
                port: port.and_then(|p| p.parse().ok()),
                position: arg.position.clone(),
                kind: TargetKind::Variable,
                pool: None,
                down: false,
                backup: false,
                weight: None,
            });
            return Some(pass);
        }
        if let Some(path) = rest.strip_prefix("unix:") {
            pass.targets
                .push(unix_target(&arg.text, path, &arg.position));
            return Some(pass);
        }
        let (host, port) = split_host_port(authority(&rest));
        // SWAG's `set $upstream_app …;`: the name is written on the `set` line.
        let written = arg
            .text
            .split_once("://")
            .map_or(arg.text.as_str(), |(_, r)| r);
        let (host_word, _) = split_host_port(authority(written));
        let host_var = host_word
            .trim_start_matches('$')
            .trim_start_matches('{')
            .trim_end_matches('}');
        let from_set = (host_word.starts_with('$')
            && host_var
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| scope.sets.get(host_var))
        .flatten();
        if port.is_none() {
            if let Some(pool) = self.pools.iter().find(|p| p.name == host) {
                pass.targets = pool.members.clone();
                return Some(pass);
            }
        }
        let port = match port {
            Some(p) => p.parse().ok(),
            None => default_port(&scheme),
        };
        let (text, written, position) = match from_set {
            Some((value, Some(set_at))) => (resolved.clone(), value.clone(), set_at.clone()),
            _ => (arg.text.clone(), arg.text.clone(), arg.position.clone()),
        };
        pass.targets.push(Target {
            text,
            written,
            host,
            port,
            position,
            kind: TargetKind::Host,
            pool: None,
            down: false,
            backup: false,
            weight: None,
        });
        Some(pass)
    }
}

impl Server {
    /// The location nginx picks for `path`: an exact `=` match; else the
    /// longest prefix, unless a regex (in file order) matches and the
    /// longest prefix is not `^~`.
    pub fn match_location(&self, path: &str) -> Option<&Location> {
        if let Some(exact) = self
            .locations
            .iter()
            .find(|l| l.modifier == "=" && l.path == path)
        {
            return Some(exact);
        }
        let longest = self
            .locations
            .iter()
            .filter(|l| matches!(l.modifier.as_str(), "" | "^~") && path.starts_with(&l.path))
            .max_by_key(|l| l.path.len());
        if longest.is_some_and(|l| l.modifier == "^~") {
            return longest;
        }
        let regex = self.locations.iter().find(|l| {
            (l.modifier == "~" && simple_regex_match(&l.path, path, false))
                || (l.modifier == "~*" && simple_regex_match(&l.path, path, true))
        });
        regex.or(longest)
    }
}

/// A small subset of PCRE for location regexes: `^`, `$`, `.`, `\.`, `.*`,
/// `(a|b)` alternatives of literals. Anything else does not match.
fn simple_regex_match(pattern: &str, path: &str, ignore_case: bool) -> bool {
    let (pattern, path) = if ignore_case {
        (pattern.to_ascii_lowercase(), path.to_ascii_lowercase())
    } else {
        (pattern.to_string(), path.to_string())
    };
    if let (Some(open), Some(close)) = (pattern.find('('), pattern.find(')')) {
        if open < close {
            return pattern[open + 1..close].split('|').any(|alt| {
                let expanded = format!("{}{}{}", &pattern[..open], alt, &pattern[close + 1..]);
                simple_regex_match(&expanded, &path, false)
            });
        }
    }
    let anchored_start = pattern.starts_with('^');
    let anchored_end = pattern.ends_with('$') && !pattern.ends_with("\\$");
    let body = pattern.trim_start_matches('^');
    let body = if anchored_end {
        &body[..body.len() - 1]
    } else {
        body
    };
    // Tokens: literal chars, `.` any, `.*` any run.
    let mut tokens: Vec<Option<char>> = Vec::new(); // None = any char, Some(c) literal; '\u{0}' marks `.*`
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                tokens.push(Some(chars[i + 1]));
                i += 2;
            }
            '.' if chars.get(i + 1) == Some(&'*') => {
                tokens.push(Some('\u{0}'));
                i += 2;
            }
            '.' => {
                tokens.push(None);
                i += 1;
            }
            c if "[]+?*{}|".contains(c) => return false,
            c => {
                tokens.push(Some(c));
                i += 1;
            }
        }
    }
    fn go(t: &[Option<char>], s: &[char], anchored_end: bool) -> bool {
        match t.first() {
            None => !anchored_end || s.is_empty(),
            Some(Some('\u{0}')) => (0..=s.len()).any(|k| go(&t[1..], &s[k..], anchored_end)),
            Some(None) => !s.is_empty() && go(&t[1..], &s[1..], anchored_end),
            Some(Some(c)) => s.first() == Some(c) && go(&t[1..], &s[1..], anchored_end),
        }
    }
    let s: Vec<char> = path.chars().collect();
    if anchored_start {
        go(&tokens, &s, anchored_end)
    } else {
        (0..=s.len()).any(|k| go(&tokens, &s[k..], anchored_end))
    }
}

/// Argument counts of the directives the view relies on (nginx's own table).
fn check_arguments(directives: &[&Directive], out: &mut Vec<(Position, String)>) {
    for d in directives {
        let count = d.args.len();
        let wrong = match d.name.as_str() {
            "proxy_pass" | "fastcgi_pass" | "uwsgi_pass" | "scgi_pass" | "grpc_pass" => count != 1,
            "set" => count != 2,
            "listen" | "server_name" | "resolver" => count == 0,
            "proxy_read_timeout" | "proxy_connect_timeout" | "fastcgi_read_timeout" => count != 1,
            _ => false,
        };
        if wrong {
            out.push((
                d.position.clone(),
                format!("invalid number of arguments in \"{}\" directive", d.name),
            ));
        }
        if let Some(block) = &d.block {
            check_arguments(&flatten(block), out);
        }
    }
}

fn collect_resolvers(directives: &[&Directive], out: &mut Vec<Position>) {
    for d in directives {
        if d.name == "resolver" {
            out.push(d.position.clone());
        }
        if let Some(block) = &d.block {
            collect_resolvers(&flatten(block), out);
        }
    }
}

fn collect_pools(directives: &[&Directive], view: &mut HttpView) {
    for d in directives {
        match (d.name.as_str(), &d.block) {
            ("http", Some(block)) => collect_pools(&flatten(block), view),
            ("upstream", Some(block)) => {
                let Some(name) = d.arg(0) else { continue };
                let members = flatten(block)
                    .into_iter()
                    .filter(|m| m.name == "server")
                    .filter_map(|m| pool_member(name, m))
                    .collect();
                view.pools.push(Pool {
                    name: name.to_string(),
                    position: d.position.clone(),
                    members,
                });
            }
            _ => {}
        }
    }
}

fn pool_member(pool: &str, d: &Directive) -> Option<Target> {
    let arg = d.args.first()?;
    let mut target = if let Some(path) = arg.text.strip_prefix("unix:") {
        unix_target(&arg.text, path, &arg.position)
    } else {
        let (host, port) = split_host_port(&arg.text);
        Target {
            text: arg.text.clone(),
            written: arg.text.clone(),
            host,
            port: match port {
                Some(p) => p.parse().ok(),
                None => Some(80),
            },
            position: arg.position.clone(),
            kind: TargetKind::Host,
            pool: None,
            down: false,
            backup: false,
            weight: None,
        }
    };
    target.pool = Some(pool.to_string());
    for flag in d.args.iter().skip(1) {
        match flag.text.as_str() {
            "down" => target.down = true,
            "backup" => target.backup = true,
            t => {
                if let Some(w) = t.strip_prefix("weight=") {
                    target.weight = w.parse().ok();
                }
            }
        }
    }
    Some(target)
}

fn unix_target(text: &str, path: &str, position: &Position) -> Target {
    Target {
        text: text.to_string(),
        written: text.to_string(),
        host: path.trim_end_matches(':').to_string(),
        port: None,
        position: position.clone(),
        kind: TargetKind::Unix,
        pool: None,
        down: false,
        backup: false,
        weight: None,
    }
}

fn route_timeouts(directive: &str, scope: &Scope) -> Vec<Timeout> {
    let family = directive.trim_end_matches("_pass");
    let mut out: Vec<Timeout> = scope
        .timeouts
        .iter()
        .map(|(name, (millis, position))| Timeout {
            name: name.clone(),
            millis: *millis,
            position: Some(position.clone()),
        })
        .collect();
    for kind in ["connect", "read"] {
        let name = format!("{family}_{kind}_timeout");
        if !out.iter().any(|t| t.name == name) {
            out.push(Timeout {
                name,
                millis: DEFAULT_TIMEOUT_MILLIS,
                position: None,
            });
        }
    }
    out
}

/// Fills in `$var`/`${var}` from `set`; returns the text and the variables left open.
fn substitute(text: &str, scope: &Scope, mapped: &[String]) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut unresolved = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let braced = chars.get(i + 1) == Some(&'{');
        let start = if braced { i + 2 } else { i + 1 };
        let mut end = start;
        while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
            end += 1;
        }
        let name: String = chars[start..end].iter().collect();
        let after = if braced && chars.get(end) == Some(&'}') {
            end + 1
        } else {
            end
        };
        match scope.sets.get(&name) {
            // A value that itself holds a variable is still open.
            Some((value, _)) if !value.contains('$') && !mapped.contains(&name) => {
                out.push_str(value)
            }
            _ => {
                unresolved.push(name);
                out.extend(&chars[i..after]);
            }
        }
        i = after.max(i + 1);
    }
    (out, unresolved)
}

/// `host:port` of `host:port/uri`.
fn authority(rest: &str) -> &str {
    rest.split('/').next().unwrap_or(rest)
}

fn split_host_port(text: &str) -> (String, Option<String>) {
    if let Some(stripped) = text.strip_prefix('[') {
        if let Some((host, after)) = stripped.split_once(']') {
            let port = after.strip_prefix(':').map(str::to_string);
            return (host.to_string(), port);
        }
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host.to_string(), Some(port.to_string())),
        _ => (text.to_string(), None),
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "grpc" => Some(80),
        "https" | "grpcs" => Some(443),
        _ => None,
    }
}

fn listen_port(text: &str) -> Option<u16> {
    if text.starts_with("unix:") {
        return None;
    }
    let port = match text.rsplit_once(':') {
        Some((_, port)) => port,
        None if text.chars().all(|c| c.is_ascii_digit()) => text,
        None => return Some(80),
    };
    port.parse().ok()
}

/// nginx's time syntax: `60`, `60s`, `1m30s`, `500ms`, `1h`, `1d`.
pub fn parse_time(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    if text.chars().all(|c| c.is_ascii_digit()) {
        return text.parse::<u64>().ok()?.checked_mul(1000);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            number.push(c);
            i += 1;
            continue;
        }
        let value: u64 = number.parse().ok()?;
        number.clear();
        let (unit, width) = if c == 'm' && chars.get(i + 1) == Some(&'s') {
            (1, 2)
        } else {
            let factor = match c {
                's' => 1000,
                'm' => 60_000,
                'h' => 3_600_000,
                'd' => 86_400_000,
                'w' => 604_800_000,
                'M' => 2_592_000_000,
                'y' => 31_536_000_000,
                _ => return None,
            };
            (factor, 1)
        };
        total = total.checked_add(value.checked_mul(unit)?)?;
        i += width;
    }
    if !number.is_empty() {
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(1000)?)?;
    }
    Some(total)
}
