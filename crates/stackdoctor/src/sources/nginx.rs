//! The nginx source: finds nginx configurations (files bind-mounted into an
//! nginx service, copied into its image by its Dockerfile, or lying in the
//! tree as `nginx.conf`, `conf.d/*.conf`, `sites-enabled/*`, SWAG's
//! `proxy-confs/*.subdomain.conf`), ties each to the service that runs it,
//! parses it with the `nginx` crate (container paths of `include` mapped
//! through the mounts) and adds the proxy with its servers as sites.

use super::inventory::{File, Inventory, Kind};
use super::listen::image_repository;
use super::ReadScope;
use crate::model::{
    InvalidInput, Origin, Proxy, ProxyKind, ProxyRoute, RouteStep, ServiceId, Site, SiteAddress,
    Sourced, StackModel, TimeoutSetting, Upstream, UpstreamTarget,
};
use nginx::http::{HttpView, Route, Server, TargetKind};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Images that run nginx (the last path part of the repository).
const NGINX_IMAGES: &[&str] = &[
    "nginx",
    "nginx-unprivileged",
    "swag",
    "letsencrypt",
    "openresty",
    "nginx-proxy-manager",
    "angie",
];
/// Container paths where nginx's main configuration lives.
const MAIN_CONFIGS: &[&str] = &[
    "/etc/nginx/nginx.conf",
    "/config/nginx/nginx.conf",
    "/usr/local/openresty/nginx/conf/nginx.conf",
];
/// Folders whose `*.conf` files are server fragments (included into `http`).
const FRAGMENT_DIRS: &[&str] = &[
    "conf.d",
    "sites-enabled",
    "site-confs",
    "proxy-confs",
    "http.d",
];

/// One configuration file to read as a whole, with what is known of its place.
struct Root {
    file: PathBuf,
    service: Option<ServiceId>,
    /// Container path prefixes and the host paths behind them.
    path_map: Vec<(String, PathBuf)>,
    /// Where relative includes start; `None` in a container whose prefix is not mounted.
    prefix: Option<PathBuf>,
    /// Filled from the service's environment before nginx reads it (`envsubst`, `templates/`).
    template: bool,
}

/// Reads every nginx configuration of the stack into the model.
pub fn load(inventory: &Inventory, model: &mut StackModel, scope: &ReadScope) {
    let mut roots = service_roots(inventory, model);
    let tree: Vec<PathBuf> = inventory.of(Kind::Nginx).map(|f| f.path.clone()).collect();
    let tied: HashSet<PathBuf> = roots.iter().map(|r| canonical(&r.file)).collect();
    for file in tree {
        if tied.contains(&canonical(&file)) {
            continue;
        }
        let service = tree_service(&file, model);
        let prefix = match file.parent() {
            _ if service.is_some() => None,
            Some(dir) if is_fragment_dir(dir) => Some(dir.parent().unwrap_or(dir).to_path_buf()),
            Some(dir) => Some(dir.to_path_buf()),
            None => None,
        };
        let path_map = service
            .map(|id| container_map(model, id))
            .unwrap_or_default();
        roots.push(Root {
            file,
            service,
            path_map,
            prefix,
            template: false,
        });
    }
    let mut read: HashSet<PathBuf> = HashSet::new();
    for root in roots {
        let key = canonical(&root.file);
        if !read.insert(key) {
            continue;
        }
        load_root(&root, model, scope, &mut read);
    }
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

fn is_fragment_dir(dir: &Path) -> bool {
    dir.file_name()
        .is_some_and(|n| FRAGMENT_DIRS.contains(&n.to_string_lossy().as_ref()))
}

/// Whether a file of the tree is an nginx configuration by its name and folder.
/// The files the nginx source reads: nginx configurations by name and folder.
pub fn claims(file: &File) -> bool {
    is_config_name(&file.path)
}

fn is_config_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name == "nginx.conf"
        || name.ends_with(".subdomain.conf")
        || name.ends_with(".subfolder.conf")
    {
        return true;
    }
    name.ends_with(".conf") && path.parent().is_some_and(is_fragment_dir)
}

/// Whether the service runs nginx: its image, its name, or the image its Dockerfile starts from.
fn is_nginx_service(model: &StackModel, id: ServiceId) -> bool {
    let service = &model.services[id];
    let by_image = |image: &str| {
        let repository = image_repository(image);
        let last = repository.rsplit('/').next().unwrap_or(&repository);
        NGINX_IMAGES.contains(&last)
    };
    if service.image.as_ref().is_some_and(|i| by_image(&i.value)) {
        return true;
    }
    if service.name.contains("nginx") || service.name == "swag" {
        return true;
    }
    dockerfile_lines(model, id).iter().any(|line| {
        let mut words = line.split_whitespace();
        words.next().is_some_and(|w| w.eq_ignore_ascii_case("FROM"))
            && words.find(|w| !w.starts_with("--")).is_some_and(by_image)
    })
}

fn dockerfile_lines(model: &StackModel, id: ServiceId) -> Vec<String> {
    let Some(context) = &model.services[id].build_context else {
        return Vec::new();
    };
    let file = context.value.join("Dockerfile");
    std::fs::read_to_string(file)
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Container paths of a service and the host paths behind them: bind
/// mounts, and `COPY`/`ADD` of its Dockerfile.
fn container_map(model: &StackModel, id: ServiceId) -> Vec<(String, PathBuf)> {
    let service = &model.services[id];
    let mut map: Vec<(String, PathBuf)> = service
        .mounts
        .iter()
        .map(|m| (m.value.1.clone(), m.value.0.clone()))
        .collect();
    if let Some(context) = &service.build_context {
        for line in dockerfile_lines(model, id) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some(first) = words.first() else { continue };
            if !(first.eq_ignore_ascii_case("COPY") || first.eq_ignore_ascii_case("ADD")) {
                continue;
            }
            let args: Vec<&str> = words[1..]
                .iter()
                .copied()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let [sources @ .., dest] = args.as_slice() else {
                continue;
            };
            for source in sources {
                let host = context.value.join(source);
                let target = if dest.ends_with('/') && host.is_file() {
                    format!("{dest}{}", source.rsplit('/').next().unwrap_or(source))
                } else {
                    dest.to_string()
                };
                if target.starts_with('/') {
                    map.push((target, host));
                }
            }
        }
    }
    map
}

/// The configuration files of nginx services, main configs first.
fn service_roots(inventory: &Inventory, model: &StackModel) -> Vec<Root> {
    let mut roots = Vec::new();
    for id in 0..model.services.len() {
        if !is_nginx_service(model, id) {
            continue;
        }
        let path_map = container_map(model, id);
        let mut files: Vec<(String, PathBuf)> = Vec::new();
        for (target, host) in &path_map {
            if host.is_file() {
                files.push((target.clone(), host.clone()));
            } else if host.is_dir() {
                let below = inventory.files_below(host, 1);
                for file in below.into_iter().filter(|f| is_config_name(f)) {
                    let rest = file.strip_prefix(host).unwrap_or(&file);
                    files.push((
                        format!("{}/{}", target.trim_end_matches('/'), rest.display()),
                        file,
                    ));
                }
            }
        }
        files.retain(|(target, _)| target.ends_with(".conf") || target.ends_with(".conf.template"));
        let service = &model.services[id];
        let envsubst = [&service.command, &service.entrypoint]
            .into_iter()
            .flatten()
            .any(|c| c.value.iter().any(|w| w.contains("envsubst")));
        files.sort_by_key(|(target, _)| !MAIN_CONFIGS.contains(&target.as_str()));
        let prefix_for = |target: &str, host: &Path| {
            let container_prefix = if target.starts_with("/config/nginx") {
                "/config/nginx"
            } else {
                "/etc/nginx"
            };
            let _ = host;
            map_path(&path_map, container_prefix).filter(|p| p.is_dir())
        };
        for (target, host) in files {
            // A file mounted where nginx does not look (`/tmp/default.conf`)
            // is rendered by a start script first, as `envsubst` does.
            let read_by_nginx = ["/etc/nginx/", "/config/", "/usr/local/openresty/"]
                .iter()
                .any(|dir| target.starts_with(dir));
            let template = target.ends_with(".template")
                || target.starts_with("/etc/nginx/templates/")
                || !read_by_nginx
                || (envsubst && !MAIN_CONFIGS.contains(&target.as_str()));
            roots.push(Root {
                prefix: prefix_for(&target, &host),
                file: host,
                service: Some(id),
                path_map: path_map.clone(),
                template,
            });
        }
    }
    roots
}

fn map_path(map: &[(String, PathBuf)], container: &str) -> Option<PathBuf> {
    map.iter()
        .filter(|(c, _)| {
            let c = c.trim_end_matches('/');
            container == c || container.starts_with(&format!("{c}/"))
        })
        .max_by_key(|(c, _)| c.len())
        .map(|(c, host)| {
            let rest = container[c.trim_end_matches('/').len()..].trim_start_matches('/');
            if rest.is_empty() {
                host.clone()
            } else {
                host.join(rest)
            }
        })
}

/// The service that runs a file found in the tree: the nginx service whose
/// build context holds it, else the one nginx service of its project folder,
/// else the only nginx service.
fn tree_service(file: &Path, model: &StackModel) -> Option<ServiceId> {
    let file_c = canonical(file);
    let nginx: Vec<ServiceId> = (0..model.services.len())
        .filter(|&id| is_nginx_service(model, id))
        .collect();
    if let Some(&id) = nginx.iter().find(|&&id| {
        model.services[id]
            .build_context
            .as_ref()
            .is_some_and(|c| file_c.starts_with(canonical(&c.value)))
    }) {
        return Some(id);
    }
    let in_project: Vec<ServiceId> = nginx
        .iter()
        .copied()
        .filter(|&id| {
            file_c.starts_with(canonical(&model.projects[model.services[id].project].dir))
        })
        .collect();
    match (in_project.as_slice(), nginx.as_slice()) {
        ([only], _) => Some(*only),
        ([], [only]) => Some(*only),
        _ => None,
    }
}

fn load_root(root: &Root, model: &mut StackModel, scope: &ReadScope, read: &mut HashSet<PathBuf>) {
    let shown = crate::model::origin::relative(&root.file, &model.root)
        .display()
        .to_string();
    if !scope.allows(&root.file) {
        model.notes.push(Sourced::new(
            format!("nginx config {shown} ({})", super::OUTSIDE),
            Origin::implied(shown),
        ));
        return;
    }
    let options = nginx::ReadOptions {
        prefix: root.prefix.clone(),
        path_map: root.path_map.clone(),
        dirs: vec![scope.root.clone()],
        files: scope.named.clone(),
        in_container: root.service.is_some(),
        ..nginx::ReadOptions::default()
    };
    if let Ok(text) = std::fs::read_to_string(&root.file) {
        model.sources.insert(&root.file, &text);
    }
    let config = match nginx::parse_file(&root.file, &options) {
        Ok(config) => config,
        Err(error) => {
            let origin = error
                .position()
                .map(|p| Origin::file(&p.file, p.line, p.column, 1))
                .unwrap_or_else(|| Origin::file(&root.file, 1, 1, 0));
            if let Some(p) = error.position() {
                if let Ok(text) = std::fs::read_to_string(&p.file) {
                    model.sources.insert(&p.file, &text);
                }
            }
            model.invalid_inputs.push(InvalidInput {
                kind: "nginx".to_string(),
                message: error.message(),
                origin,
            });
            model.proxies.push(Proxy {
                kind: ProxyKind::Nginx,
                service: root.service,
                config_file: root.file.clone(),
                sites: Vec::new(),
            });
            return;
        }
    };
    for file in config.files.iter().skip(1) {
        read.insert(canonical(file));
        if let Ok(text) = std::fs::read_to_string(file) {
            model.sources.insert(file, &text);
        }
    }
    for skipped in &config.skipped_includes {
        // Files of the image (`mime.types`, SWAG's `proxy.conf`) are as expected.
        if skipped.reason == nginx::SkipReason::InImage {
            continue;
        }
        let why = match skipped.reason {
            nginx::SkipReason::OutsideLimit => super::OUTSIDE,
            nginx::SkipReason::NotFound => "no such file, not read",
            nginx::SkipReason::InImage => "",
        };
        model.notes.push(Sourced::new(
            format!("include {} ({why})", skipped.pattern),
            Origin::from(&skipped.position),
        ));
    }
    let environment: Vec<(String, String)> = match root.service {
        Some(id) if root.template => model.services[id]
            .environment
            .iter()
            .filter_map(|e| Some((e.name.clone(), e.value.clone()?)))
            .collect(),
        _ => Vec::new(),
    };
    let view = HttpView::from_template(&config.directives, &environment);
    if let Some((position, message)) = view.errors.first() {
        if let Ok(text) = std::fs::read_to_string(&position.file) {
            model.sources.insert(&position.file, &text);
        }
        model.invalid_inputs.push(InvalidInput {
            kind: "nginx".to_string(),
            message: message.clone(),
            origin: Origin::file(&position.file, position.line, position.column, 1),
        });
    }
    let sites: Vec<Site> = view.servers.iter().map(convert_server).collect();
    // One nginx runs every file of its service: SWAG's proxy-confs are one proxy.
    if let Some(existing) = model
        .proxies
        .iter_mut()
        .find(|p| p.kind == ProxyKind::Nginx && root.service.is_some() && p.service == root.service)
    {
        existing.sites.extend(sites);
        return;
    }
    model.proxies.push(Proxy {
        kind: ProxyKind::Nginx,
        service: root.service,
        config_file: root.file.clone(),
        sites,
    });
}

fn arg_origin(arg: &nginx::Arg) -> Origin {
    let p = &arg.position;
    let quotes = if arg.quoted { 2 } else { 0 };
    Origin::file(
        &p.file,
        p.line,
        p.column,
        arg.text.chars().count() as u32 + quotes,
    )
}

fn convert_server(server: &Server) -> Site {
    let tls = server.listens.iter().any(|l| l.ssl);
    let scheme = Some(if tls { "https" } else { "http" }.to_string());
    let mut ports: Vec<Option<u16>> = Vec::new();
    for listen in &server.listens {
        if !ports.contains(&listen.port) {
            ports.push(listen.port);
        }
    }
    if ports.is_empty() {
        // nginx listens on 80 when a server has no `listen`.
        ports.push(Some(80));
    }
    // A default server, `_` or an empty name takes every host on its port.
    let catch_all = server.implicit
        || server.names.is_empty()
        || server.listens.iter().any(|l| l.default_server)
        || server
            .names
            .iter()
            .any(|n| n.text == "_" || n.text.is_empty());
    let mut addresses = Vec::new();
    let named: Vec<&nginx::Arg> = server
        .names
        .iter()
        .filter(|n| n.text != "_" && !n.text.is_empty())
        .collect();
    for &port in &ports {
        let shown_port = port.map(|p| format!(":{p}")).unwrap_or_default();
        for name in &named {
            addresses.push(SiteAddress {
                text: format!("{}{shown_port}", name.text),
                scheme: scheme.clone(),
                host: name.text.to_ascii_lowercase(),
                port,
                origin: arg_origin(name),
            });
        }
        if catch_all {
            addresses.push(SiteAddress {
                text: format!("(any host){shown_port}"),
                scheme: scheme.clone(),
                host: String::new(),
                port,
                origin: Origin::from(&server.position),
            });
        }
    }
    Site {
        addresses,
        routes: server.routes.iter().map(convert_route).collect(),
        origin: Origin::from(&server.position),
    }
}

fn convert_route(route: &Route) -> ProxyRoute {
    let pass = &route.pass;
    let upstreams = pass
        .targets
        .iter()
        // A `down` member never gets a request.
        .filter(|t| !t.down)
        .map(|t| Upstream {
            text: t.text.clone(),
            scheme: Some(pass.scheme.clone()),
            host: t.host.clone(),
            port: t.port,
            origin: Origin::file(
                &t.position.file,
                t.position.line,
                t.position.column,
                t.written.chars().count() as u32,
            ),
            target: match t.kind {
                TargetKind::Variable => UpstreamTarget::Placeholder,
                TargetKind::Unix => UpstreamTarget::UnixSocket,
                TargetKind::Host => UpstreamTarget::Unknown,
            },
        })
        .collect();
    ProxyRoute {
        steps: route
            .steps
            .iter()
            .map(|s| RouteStep {
                label: s.label.clone(),
                origin: Origin::from(&s.position),
            })
            .collect(),
        upstreams,
        tls: pass.tls(),
        timeouts: route
            .timeouts
            .iter()
            .filter_map(|t| {
                Some(Sourced::new(
                    TimeoutSetting {
                        name: t.name.clone(),
                        millis: t.millis,
                    },
                    Origin::from(t.position.as_ref()?),
                ))
            })
            .collect(),
        error_route: false,
        script_dir: (pass.scheme == "fastcgi")
            .then(|| script_dir(route))
            .flatten(),
        websocket_gaps: (pass.directive == "proxy_pass")
            .then(|| websocket_gaps(route))
            .flatten(),
        forwards_scheme: (pass.directive == "proxy_pass")
            .then(|| forwards_scheme(route))
            .flatten(),
    }
}

/// Whether a `proxy_pass` route tells the upstream the client's scheme;
/// `None` when an include that could not be read may (Debian's
/// `proxy_params` does).
fn forwards_scheme(route: &Route) -> Option<bool> {
    let sets = route.proxy_headers.iter().any(|(name, _, _)| {
        name.eq_ignore_ascii_case("X-Forwarded-Proto") || name.eq_ignore_ascii_case("Forwarded")
    });
    match (sets, unread_include_may_set_headers(route, &[])) {
        (true, _) => Some(true),
        (false, true) => None,
        (false, false) => Some(false),
    }
}

/// Includes every nginx image ships that set no proxy header.
const NO_PROXY_HEADERS: &[&str] = &[
    "mime.types",
    "fastcgi_params",
    "fastcgi.conf",
    "uwsgi_params",
    "scgi_params",
];

/// Whether an include around `route` that could not be read may set the
/// headers in question; `silent` names more stock files known to set none
/// of them.
fn unread_include_may_set_headers(route: &Route, silent: &[&str]) -> bool {
    route.unread_includes.iter().any(|file| {
        let name = file.rsplit('/').next().unwrap_or(file);
        !NO_PROXY_HEADERS.contains(&name) && !silent.contains(&name)
    })
}

/// What a `proxy_pass` route lacks to pass a WebSocket upgrade; `None` when
/// an include that could not be read may set it.
fn websocket_gaps(route: &Route) -> Option<Vec<String>> {
    // Debian's `proxy_params` sets Host and X-Forwarded-*, never Upgrade.
    if unread_include_may_set_headers(route, &["proxy_params"]) {
        return None;
    }
    let header = |name: &str| {
        route
            .proxy_headers
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value, _)| value.to_ascii_lowercase())
    };
    let mut gaps = Vec::new();
    if route.proxy_http_version.as_ref().map(|(v, _)| v.as_str()) != Some("1.1") {
        gaps.push("proxy_http_version 1.1;".to_string());
    }
    let upgrade =
        header("Upgrade").is_some_and(|v| v.contains("$http_upgrade") || v == "websocket");
    if !upgrade {
        gaps.push("proxy_set_header Upgrade $http_upgrade;".to_string());
    }
    // `$connection_upgrade`, `$proxy_connection`: a map of $http_upgrade.
    let connection =
        header("Connection").is_some_and(|v| v.contains("upgrade") || v.starts_with('$'));
    if !connection {
        gaps.push("proxy_set_header Connection \"upgrade\";".to_string());
    }
    Some(gaps)
}

/// Where a FastCGI route tells PHP-FPM the scripts are: the literal prefix
/// of `SCRIPT_FILENAME` before `$fastcgi_script_name`, or `root` when
/// SCRIPT_FILENAME starts with `$document_root`/`$realpath_root` or is not
/// set here (the stock `fastcgi.conf` sets it so).
fn script_dir(route: &Route) -> Option<Sourced<String>> {
    let from_root = || {
        let (root, at) = route.root.as_ref()?;
        (root.starts_with('/') && !root.contains('$'))
            .then(|| Sourced::new(root.trim_end_matches('/').to_string(), Origin::from(at)))
    };
    match &route.script_filename {
        None => from_root(),
        Some((value, _))
            if value.starts_with("$document_root") || value.starts_with("$realpath_root") =>
        {
            from_root()
        }
        Some((value, at)) => {
            let prefix = value.strip_suffix("$fastcgi_script_name")?;
            (prefix.starts_with('/') && !prefix.contains('$'))
                .then(|| Sourced::new(prefix.trim_end_matches('/').to_string(), Origin::from(at)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model routes of the first server of `text`, includes not followed.
    fn routes_of(text: &str) -> Vec<ProxyRoute> {
        let directives = nginx::parse_str("nginx.conf", text).unwrap();
        let view = nginx::http::HttpView::from_directives(&directives);
        view.servers[0].routes.iter().map(convert_route).collect()
    }

    #[test]
    fn header_verdicts_stay_unknown_where_an_unread_include_may_set_them() {
        let routes = routes_of(
            "server {\n  location /a/ { include proxy_params; proxy_pass http://a:80; }\n  location /b/ { include /config/nginx/proxy.conf; proxy_pass http://b:80; }\n  location /c/ { include fastcgi_params; proxy_set_header X-Forwarded-Proto $scheme; proxy_pass http://c:80; }\n}\n",
        );
        // Debian's proxy_params forwards the scheme but never sets Upgrade.
        assert_eq!(routes[0].forwards_scheme, None);
        assert_eq!(routes[0].websocket_gaps.as_ref().map(Vec::len), Some(3));
        // SWAG's proxy.conf could set anything.
        assert_eq!(routes[1].forwards_scheme, None);
        assert_eq!(routes[1].websocket_gaps, None);
        // fastcgi_params sets no proxy header: the route's own lines decide.
        assert_eq!(routes[2].forwards_scheme, Some(true));
        assert_eq!(
            routes[2].websocket_gaps.as_deref(),
            Some(
                &[
                    "proxy_http_version 1.1;".to_string(),
                    "proxy_set_header Upgrade $http_upgrade;".to_string(),
                    "proxy_set_header Connection \"upgrade\";".to_string()
                ][..]
            )
        );
    }

    #[test]
    fn config_names_are_recognised_by_folder() {
        assert!(is_config_name(Path::new("proxy/nginx.conf")));
        assert!(is_config_name(Path::new("nginx/conf.d/app.conf")));
        assert!(is_config_name(Path::new(
            "config/nginx/proxy-confs/nextcloud.subdomain.conf"
        )));
        assert!(!is_config_name(Path::new(
            "config/nginx/proxy-confs/nextcloud.subdomain.conf.sample"
        )));
        assert!(!is_config_name(Path::new("app/settings.conf")));
    }

    #[test]
    fn container_paths_map_to_the_longest_mount() {
        let map = vec![
            ("/config".to_string(), PathBuf::from("/p/config")),
            (
                "/config/nginx/site-confs".to_string(),
                PathBuf::from("/p/sites"),
            ),
        ];
        assert_eq!(
            map_path(&map, "/config/nginx/site-confs/default.conf"),
            Some(PathBuf::from("/p/sites/default.conf"))
        );
        assert_eq!(
            map_path(&map, "/config/nginx/proxy.conf"),
            Some(PathBuf::from("/p/config/nginx/proxy.conf"))
        );
        assert_eq!(map_path(&map, "/etc/nginx/nginx.conf"), None);
    }

    fn model_of(files: &[(&str, &str)]) -> (tempfile::TempDir, StackModel) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let inputs = crate::sources::Inputs {
            root: dir.path().to_path_buf(),
            ..Default::default()
        };
        let model = crate::sources::build_model(&inputs).unwrap();
        (dir, model)
    }

    #[test]
    fn a_config_copied_by_the_dockerfile_belongs_to_its_service() {
        let (_dir, model) = model_of(&[
            ("compose.yaml", "services:\n  proxy:\n    build: ./proxy\n    ports: [\"80:80\"]\n  api:\n    image: ghcr.io/acme/api:1\n"),
            ("proxy/Dockerfile", "FROM nginx:1.27-alpine\nCOPY default.conf /etc/nginx/conf.d/\n"),
            ("proxy/default.conf", "server {\n  listen 80;\n  location / { proxy_pass http://api:8080; }\n}\n"),
        ]);
        assert_eq!(model.proxies.len(), 1);
        let proxy = &model.proxies[0];
        assert_eq!(proxy.kind, ProxyKind::Nginx);
        assert_eq!(
            proxy.service.map(|id| model.services[id].name.as_str()),
            Some("proxy")
        );
        let upstream = &proxy.sites[0].routes[0].upstreams[0];
        assert_eq!((upstream.host.as_str(), upstream.port), ("api", Some(8080)));
        assert!(matches!(upstream.target, UpstreamTarget::Services { .. }));
    }

    #[test]
    fn a_main_config_includes_the_mounted_conf_d_once() {
        let (_dir, model) = model_of(&[
            ("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./nginx/conf.d:/etc/nginx/conf.d:ro\n  app:\n    image: ghcr.io/acme/app:1\n"),
            ("nginx/nginx.conf", "events {}\nhttp {\n  include /etc/nginx/mime.types;\n  include /etc/nginx/conf.d/*.conf;\n}\n"),
            ("nginx/conf.d/app.conf", "server { server_name app.example.com; location / { proxy_pass http://app:3000; } }\n"),
        ]);
        assert_eq!(
            model.proxies.len(),
            1,
            "conf.d is read through the include only"
        );
        assert!(model.proxies[0].config_file.ends_with("nginx/nginx.conf"));
        assert_eq!(
            model.proxies[0].sites[0].addresses[0].host,
            "app.example.com"
        );
        assert!(model.notes.is_empty(), "{:?}", model.notes);
    }
}
