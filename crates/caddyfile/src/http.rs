//! The HTTP view of a Caddyfile: sites, routes, `reverse_proxy` upstreams.
//!
//! This is the part of Caddy's `httpcaddyfile` adapter that a diagnosis
//! needs. Routes of a site are listed in the order Caddy evaluates them
//! (its default directive order, changed by the `order` global option, and
//! more specific path matchers first for the same directive).

mod build;
mod proxy;

use crate::{Caddyfile, Error, Position, Token};
use std::time::Duration;

/// The HTTP app of a Caddyfile: global options and sites.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    pub global: GlobalOptions,
    pub sites: Vec<Site>,
}

/// The global options that change how sites listen and proxy.
#[derive(Debug, Clone, Default)]
pub struct GlobalOptions {
    pub http_port: Option<u16>,
    pub https_port: Option<u16>,
    /// `auto_https off` (or `disable_redirects` etc.: the raw value).
    pub auto_https: Option<String>,
    /// Names of all global options present, with their position.
    pub present: Vec<(String, Position)>,
}

/// One server block seen as a site.
#[derive(Debug, Clone)]
pub struct Site {
    pub addresses: Vec<SiteAddress>,
    pub routes: Vec<Route>,
    pub position: Position,
}

/// A site address `[scheme://]host[:port][/path]`, parsed like Caddy's `ParseAddress`.
#[derive(Debug, Clone)]
pub struct SiteAddress {
    pub token: Token,
    /// `http`, `https`, or `None` when not written.
    pub scheme: Option<String>,
    /// Empty for a catch-all such as `:8080`.
    pub host: String,
    pub port: Option<u16>,
    pub path: Option<String>,
}

/// A request matcher as written before a directive's arguments.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// `*`, a path such as `/api/*`, or `@name`.
    pub token: Token,
    /// The path patterns the matcher tests (for `@name`, those of its `path` matchers).
    pub paths: Vec<String>,
    /// The host patterns of a named matcher's `host` matchers.
    pub hosts: Vec<String>,
}

/// One route: a directive of a site (or of a `handle`/`route` block).
#[derive(Debug, Clone)]
pub struct Route {
    /// The directive: `handle`, `handle_path`, `route`, `handle_errors`,
    /// `reverse_proxy`, `php_fastcgi`, `respond`, `file_server`, …
    pub directive: String,
    pub matcher: Option<Matcher>,
    pub position: Position,
    /// Set for `reverse_proxy`, `php_fastcgi` and `forward_auth`.
    pub reverse_proxy: Option<ReverseProxy>,
    /// The routes inside `handle`, `handle_path`, `route`, `handle_errors`.
    pub children: Vec<Route>,
    /// For `handle_errors`: the status codes or classes named (`5xx`, `404`).
    pub error_codes: Vec<String>,
}

/// A `reverse_proxy` (or `php_fastcgi`) handler.
#[derive(Debug, Clone)]
pub struct ReverseProxy {
    pub position: Position,
    pub upstreams: Vec<Upstream>,
    pub transport: Transport,
    pub health: HealthChecks,
    /// `lb_try_duration`, when set (retries happen only with it or `lb_retries`).
    pub lb_try_duration: Option<Setting<Duration>>,
    pub lb_retries: Option<Setting<u32>>,
    /// `dynamic a|srv|multi …`: upstreams are looked up at request time.
    pub dynamic: Option<Token>,
}

/// One upstream dial address. A port range `host:8001-8003` yields one per port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// The token as written (`web:8000`, `https://api`, `{$BACKEND}` after env substitution …).
    pub token: Token,
    /// `http`, `https`, `h2c`, `unix`, … when written; `None` otherwise.
    pub scheme: Option<String>,
    /// Host name or IP (without brackets); the socket path for `unix`.
    pub host: String,
    /// The port as it will be dialled (explicit, or implied by the scheme); `None` for unix sockets.
    pub port: Option<String>,
    /// What Caddy's JSON puts in `"dial"`, e.g. `web:8000`, `[::1]:80`, `unix//run/app.sock`.
    pub dial: String,
    /// `true` when host or port holds a runtime placeholder such as `{env.X}` or `{http.…}`.
    pub has_placeholder: bool,
    pub position: Position,
}

/// `transport http { … }` (or the implied transport), with the settings a diagnosis reads.
#[derive(Debug, Clone, Default)]
pub struct Transport {
    /// `http` (default) or `fastcgi`.
    pub protocol: String,
    pub position: Option<Position>,
    /// TLS to the upstream: `tls` or any `tls_*` option, or an `https://` upstream.
    pub tls: bool,
    pub tls_insecure_skip_verify: bool,
    pub dial_timeout: Option<Setting<Duration>>,
    pub response_header_timeout: Option<Setting<Duration>>,
    pub read_timeout: Option<Setting<Duration>>,
    pub write_timeout: Option<Setting<Duration>>,
    /// `versions h2c 2` etc.
    pub versions: Vec<String>,
}

/// Active and passive health checks of a `reverse_proxy`.
#[derive(Debug, Clone, Default)]
pub struct HealthChecks {
    pub uri: Option<Setting<String>>,
    pub port: Option<Setting<u16>>,
    pub interval: Option<Setting<Duration>>,
    pub timeout: Option<Setting<Duration>>,
    /// Passive checks are on when `fail_duration` is set.
    pub fail_duration: Option<Setting<Duration>>,
}

/// A value with the position of the subdirective that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub position: Position,
}

impl HttpConfig {
    /// Builds the HTTP view; errors carry Caddy's wording and a position.
    pub fn from_caddyfile(file: &Caddyfile) -> Result<HttpConfig, Error> {
        build::http_config(file)
    }
}

impl Route {
    /// All `reverse_proxy`/`php_fastcgi` handlers in this route and below it.
    pub fn proxies(&self) -> Vec<&ReverseProxy> {
        let mut out = Vec::new();
        if let Some(proxy) = &self.reverse_proxy {
            out.push(proxy);
        }
        for child in &self.children {
            out.extend(child.proxies());
        }
        out
    }
}

impl Site {
    /// Every reverse proxy of the site with the chain of routes that lead to
    /// it (outermost first, the route holding the proxy last).
    pub fn proxy_paths(&self) -> Vec<(Vec<&Route>, &ReverseProxy)> {
        fn walk<'a>(
            route: &'a Route,
            chain: &mut Vec<&'a Route>,
            out: &mut Vec<(Vec<&'a Route>, &'a ReverseProxy)>,
        ) {
            chain.push(route);
            if let Some(proxy) = &route.reverse_proxy {
                out.push((chain.clone(), proxy));
            }
            for child in &route.children {
                walk(child, chain, out);
            }
            chain.pop();
        }
        let mut out = Vec::new();
        for route in &self.routes {
            walk(route, &mut Vec::new(), &mut out);
        }
        out
    }
}
