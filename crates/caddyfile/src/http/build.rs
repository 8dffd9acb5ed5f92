//! From server blocks to sites and routes, like Caddy's `httpcaddyfile`.

use super::proxy::parse_proxy;
use super::{GlobalOptions, HttpConfig, Matcher, Route, Site, SiteAddress};
use crate::address::parse_site_address;
use crate::parser::{Directive, ServerBlock};
use crate::{Caddyfile, Error, Token};
use std::collections::{HashMap, HashSet};

/// Caddy's default order of handler directives (directives.go).
const DEFAULT_ORDER: &[&str] = &[
    "tracing",
    "map",
    "vars",
    "fs",
    "root",
    "log_append",
    "skip_log",
    "log_skip",
    "log_name",
    "header",
    "copy_response_headers",
    "request_body",
    "redir",
    "method",
    "rewrite",
    "uri",
    "try_files",
    "basicauth",
    "basic_auth",
    "forward_auth",
    "request_header",
    "encode",
    "push",
    "intercept",
    "templates",
    "invoke",
    "handle",
    "handle_path",
    "route",
    "abort",
    "error",
    "copy_response",
    "respond",
    "metrics",
    "reverse_proxy",
    "php_fastcgi",
    "file_server",
    "acme_server",
];

/// Directives that configure the site rather than handle requests.
const SITE_DIRECTIVES: &[&str] = &["bind", "tls", "log", "handle_errors"];

/// Global options of a standard Caddy build (options.go and the tls/pki apps).
const GLOBAL_OPTIONS: &[&str] = &[
    "debug",
    "http_port",
    "https_port",
    "default_bind",
    "grace_period",
    "shutdown_delay",
    "default_sni",
    "fallback_sni",
    "order",
    "storage",
    "storage_check",
    "storage_clean_interval",
    "renew_interval",
    "ocsp_interval",
    "acme_ca",
    "acme_ca_root",
    "acme_dns",
    "acme_eab",
    "cert_issuer",
    "skip_install_trust",
    "email",
    "admin",
    "on_demand_tls",
    "local_certs",
    "key_type",
    "auto_https",
    "metrics",
    "servers",
    "ocsp_stapling",
    "cert_lifetime",
    "log",
    "preferred_chains",
    "persist_config",
    "dns",
    "ech",
    "tls_resolvers",
    "renewal_window_ratio",
    "pki",
    "events",
    "filesystem",
];

/// Directives whose lone argument is a value, never a matcher (`root /srv`).
const LONE_ARG_IS_VALUE: &[&str] = &["root", "redir", "rewrite", "respond", "uri", "try_files"];

fn is_registered(name: &str) -> bool {
    DEFAULT_ORDER.contains(&name) || SITE_DIRECTIVES.contains(&name)
}

fn at(token: &Token, message: impl Into<String>) -> Error {
    Error::Syntax {
        position: token.position.clone(),
        message: message.into(),
    }
}

/// Prefixes the message the way Caddy reports an error inside a directive.
fn within(directive: &str, error: Error) -> Error {
    match error {
        Error::Syntax { position, message } => Error::Syntax {
            position,
            message: format!("parsing caddyfile tokens for '{directive}': {message}"),
        },
        other => other,
    }
}

/// Named matchers visible in a scope: name (with `@`) to what they test.
type MatcherDefs = HashMap<String, (Vec<String>, Vec<String>)>;

struct Context {
    order: Vec<String>,
    named_routes: HashSet<String>,
}

pub(super) fn http_config(file: &Caddyfile) -> Result<HttpConfig, Error> {
    let global = global_options(&file.global_options)?;
    let order = directive_order(&file.global_options)?;
    let mut named_routes = HashSet::new();
    for route in &file.named_routes {
        if let Some(key) = route.keys.first() {
            if !named_routes.insert(key.text.clone()) {
                return Err(at(
                    key,
                    format!("cannot have duplicate named_routes: {}", key.text),
                ));
            }
        }
    }
    let context = Context {
        order,
        named_routes,
    };
    for route in &file.named_routes {
        build_routes(&route.directives, &MatcherDefs::new(), &context, true, None)?;
    }

    let https_port = global.https_port.unwrap_or(443);
    let mut seen_keys = HashSet::new();
    let mut sites = Vec::new();
    for block in &file.server_blocks {
        sites.push(site(block, https_port, &context, &mut seen_keys)?);
    }
    Ok(HttpConfig { global, sites })
}

fn global_options(options: &[Directive]) -> Result<GlobalOptions, Error> {
    let mut global = GlobalOptions::default();
    for option in options {
        let name = option.name.text.as_str();
        if !GLOBAL_OPTIONS.contains(&name) {
            return Err(at(
                &option.name,
                format!("unrecognized global option: {name}"),
            ));
        }
        let port = |option: &Directive| -> Result<Option<u16>, Error> {
            match option.args.first() {
                Some(arg) => arg.text.parse().map(Some).map_err(|_| {
                    at(
                        arg,
                        format!("converting port '{}' to integer value", arg.text),
                    )
                }),
                None => Ok(None),
            }
        };
        match name {
            "http_port" => global.http_port = port(option)?,
            "https_port" => global.https_port = port(option)?,
            "auto_https" => global.auto_https = option.args.first().map(|t| t.text.clone()),
            _ => {}
        }
        global
            .present
            .push((name.to_string(), option.name.position.clone()));
    }
    Ok(global)
}

/// The default directive order changed by `order X first|last|before Y|after Y`.
fn directive_order(options: &[Directive]) -> Result<Vec<String>, Error> {
    let mut order: Vec<String> = DEFAULT_ORDER.iter().map(|s| s.to_string()).collect();
    for option in options.iter().filter(|o| o.name.text == "order") {
        let args: Vec<&str> = option.args.iter().map(|t| t.text.as_str()).collect();
        let (directive, rest) = match args.split_first() {
            Some((d, rest)) if !rest.is_empty() => (d.to_string(), rest),
            _ => {
                return Err(at(
                    &option.name,
                    "wrong argument count or unexpected line ending after 'order'",
                ))
            }
        };
        order.retain(|d| *d != directive);
        match rest {
            ["first"] => order.insert(0, directive),
            ["last"] => order.push(directive),
            [position @ ("before" | "after"), other] => {
                let index = order
                    .iter()
                    .position(|d| d == other)
                    .ok_or_else(|| at(&option.name, format!("directive '{other}' not found")))?;
                let index = if *position == "after" {
                    index + 1
                } else {
                    index
                };
                order.insert(index, directive);
            }
            _ => {
                return Err(at(
                    &option.name,
                    "ordering position must be before, after, first or last",
                ))
            }
        }
    }
    Ok(order)
}

fn site(
    block: &ServerBlock,
    https_port: u16,
    context: &Context,
    seen_keys: &mut HashSet<String>,
) -> Result<Site, Error> {
    let binds: Vec<&str> = block
        .directives
        .iter()
        .filter(|d| d.name.text == "bind")
        .flat_map(|d| d.args.iter().map(|t| t.text.as_str()))
        .collect();
    let mut addresses = Vec::new();
    for key in &block.keys {
        if is_registered(&key.text) {
            return Err(at(key, format!("parsed '{}' as a site address, but it is a known directive; directives must appear in a site block", key.text)));
        }
        // the same address may be served twice on different `bind` addresses
        if !seen_keys.insert(format!("{} {}", key.text, binds.join(" "))) {
            return Err(at(key, format!("ambiguous site definition: {}", key.text)));
        }
        let parsed = parse_site_address(&key.text, https_port).map_err(|m| at(key, m))?;
        addresses.push(SiteAddress {
            token: key.clone(),
            scheme: parsed.scheme,
            host: parsed.host,
            port: parsed.port,
            path: parsed.path,
        });
    }
    let routes = build_routes(
        &block.directives,
        &MatcherDefs::new(),
        context,
        true,
        Some(block.has_braces),
    )?;
    // A stray `}` after a site becomes a site of its own, which Caddy refuses
    // when it plans certificates, after its directives were read.
    if let Some(key) = block.keys.iter().find(|k| k.text == "}" && !k.quoted) {
        return Err(at(key, "subject does not qualify for certificate: '}'"));
    }
    Ok(Site {
        addresses,
        routes,
        position: block.position.clone(),
    })
}

/// Builds the routes of a site (`site_braces` is set) or of a block such as
/// `handle { … }`; `sort` puts them in Caddy's evaluation order.
fn build_routes(
    directives: &[Directive],
    parent_defs: &MatcherDefs,
    context: &Context,
    sort: bool,
    site_braces: Option<bool>,
) -> Result<Vec<Route>, Error> {
    let mut defs = parent_defs.clone();
    let mut defined_here = HashSet::new();
    for directive in directives.iter().filter(|d| d.name.text.starts_with('@')) {
        let name = directive.name.text.clone();
        if !defined_here.insert(name.clone()) {
            return Err(at(
                &directive.name,
                format!("matcher is defined more than once: {name}"),
            ));
        }
        defs.insert(name, matcher_definition(directive));
    }

    let mut routes = Vec::new();
    for directive in directives.iter().filter(|d| !d.name.text.starts_with('@')) {
        let name = directive.name.text.as_str();
        if !is_registered(name) {
            return Err(at(
                &directive.name,
                match site_braces {
                    Some(true) => format!("unrecognized directive: {name}"),
                    Some(false) => format!("unrecognized directive: {name}\nDid you mean to define a second site? If so, you must use curly braces around each site to separate their configurations."),
                    None => format!("unrecognized directive: {name} - are you sure your Caddyfile structure (nesting and braces) is correct?"),
                },
            ));
        }
        if let Some(route) = route(directive, &defs, context).map_err(|e| within(name, e))? {
            routes.push(route);
        }
    }
    if sort {
        sort_routes(&mut routes, &context.order);
    }
    Ok(routes)
}

/// The paths and hosts a named matcher definition tests.
fn matcher_definition(directive: &Directive) -> (Vec<String>, Vec<String>) {
    let mut paths = Vec::new();
    let mut hosts = Vec::new();
    let mut add = |kind: &str, args: &[Token]| {
        let values = args.iter().map(|t| t.text.clone());
        match kind {
            "path" => paths.extend(values),
            "host" => hosts.extend(values),
            _ => {}
        }
    };
    if let Some((kind, args)) = directive.args.split_first() {
        if !kind.quoted {
            add(&kind.text, args);
        }
    }
    for inner in &directive.block {
        add(&inner.name.text, &inner.args);
    }
    (paths, hosts)
}

/// The route of one directive, `None` for site settings such as `tls`.
fn route(
    directive: &Directive,
    defs: &MatcherDefs,
    context: &Context,
) -> Result<Option<Route>, Error> {
    let name = directive.name.text.as_str();
    let mut route = Route {
        directive: name.to_string(),
        matcher: None,
        position: directive.name.position.clone(),
        reverse_proxy: None,
        children: Vec::new(),
        error_codes: Vec::new(),
    };
    if name == "handle_errors" {
        route.error_codes = directive.args.iter().map(|t| t.text.clone()).collect();
        route.children = build_routes(&directive.block, defs, context, true, None)?;
        return Ok(Some(route));
    }
    if SITE_DIRECTIVES.contains(&name) {
        return Ok(None);
    }

    let mut args = directive.args.as_slice();
    if let Some(first) = args.first() {
        let text = first.text.as_str();
        let lone_value = args.len() == 1 && LONE_ARG_IS_VALUE.contains(&name);
        let matcher = if first.quoted || lone_value {
            None
        } else if text == "*" {
            Some((Vec::new(), Vec::new()))
        } else if text.starts_with('/') {
            Some((vec![text.to_string()], Vec::new()))
        } else if text.starts_with('@') {
            let def = defs
                .get(text)
                .ok_or_else(|| at(first, format!("unrecognized matcher name: {text}")))?;
            Some(def.clone())
        } else {
            None
        };
        if let Some((paths, hosts)) = matcher {
            route.matcher = Some(Matcher {
                token: first.clone(),
                paths,
                hosts,
            });
            args = &args[1..];
        }
    }

    match name {
        "handle" | "handle_path" | "route" => {
            if !args.is_empty() {
                return Err(at(
                    &args[0],
                    format!(
                        "wrong argument count or unexpected line ending after '{}'",
                        args[0].text
                    ),
                ));
            }
            route.children = build_routes(&directive.block, defs, context, name != "route", None)?;
        }
        "reverse_proxy" | "php_fastcgi" | "forward_auth" => {
            route.reverse_proxy = Some(parse_proxy(directive, args)?);
        }
        "invoke" => {
            if let Some(target) = args.first() {
                if !context.named_routes.contains(&target.text) {
                    return Err(at(
                        target,
                        format!(
                            "cannot invoke named route '{}', which was not defined",
                            target.text
                        ),
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(Some(route))
}

/// Caddy's `sortRoutes`: by directive order, then, for the same directive,
/// longer single paths first (`/a` before `/a*`), then other matchers, then
/// routes without one; `vars` reversed so the most specific runs last.
/// Written as a key so the order is total; equal keys keep written order.
fn sort_routes(routes: &mut [Route], order: &[String]) {
    routes.sort_by_key(|route| {
        let rank = order
            .iter()
            .position(|d| *d == route.directive)
            .unwrap_or(order.len());
        let (group, trimmed, full) = match route.matcher.as_ref().map(|m| m.paths.as_slice()) {
            Some([path]) => {
                let trimmed = path.trim_end_matches('*').len() as i64;
                (0, -trimmed, path.len() as i64)
            }
            Some(_) => (1, 0, 0),
            None => (2, 0, 0),
        };
        let sign = if route.directive == "vars" { -1 } else { 1 };
        (rank, sign * group, sign * trimmed, sign * full)
    });
}
