//! # php-fpm-script-not-found
//!
//! **What it detects:** nginx in one compose service passes PHP requests to
//! PHP-FPM in another (`fastcgi_pass php:9000`), and the directory nginx
//! names as the scripts' place (`root` under `SCRIPT_FILENAME
//! $document_root$fastcgi_script_name`) holds other host files in the PHP
//! container than in nginx's, because the two services mount the code at
//! different container paths. nginx's `FastCGI sent in stderr: "Primary
//! script unknown"` lines are shown with it.
//!
//! **Why it breaks requests:** nginx does not send the script, only its
//! path, and PHP-FPM opens that path in its own file system. There the file
//! does not exist, so every PHP request gets a 404 `File not found.` while
//! static files from the same root still load.
//!
//! **Example:** `nginx` mounts `./src:/var/www/html` with `root
//! /var/www/html/public;`, `php` mounts `./src:/var/www`: PHP-FPM looks for
//! `/var/www/html/public/index.php`, which is `./src/html/public/index.php`
//! on the host.
//!
//! **Fix:** mount the code at the same container path in both services
//! (`./src:/var/www/html` on `nginx` and on `php`), or set `root` to the
//! path where the PHP container has the code; recreate both services. Check
//! with `docker compose exec php ls -l /var/www/html/public/index.php`: the
//! path nginx builds must exist there and be readable by `www-data`.

use super::support::upstreams;
use crate::checks::support::{recreate_service_step, shown};
use crate::finding::{Finding, FixStep};
use crate::model::{LogEvent, Service, Sourced, StackModel};
use std::path::{Path, PathBuf};

cause!("php-fpm-script-not-found");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let lines: Vec<&LogEvent> = model.log_events_of(CAUSE).collect();
    let mut findings = Vec::new();
    let mut seen = Vec::new();
    for ctx in upstreams(model) {
        let Some(dir) = &ctx.route.script_dir else {
            continue;
        };
        let (Some(web_id), Some(php_id)) = (ctx.proxy.service, ctx.reachable_service(model)) else {
            continue;
        };
        if web_id == php_id || seen.contains(&(web_id, php_id, &dir.value)) {
            continue;
        }
        seen.push((web_id, php_id, &dir.value));
        let (web, php) = (&model.services[web_id], &model.services[php_id]);
        // Only bind mounts tell what a path holds; a named volume or code
        // copied into the image cannot be compared.
        let (Some((web_mount, web_path)), Some((php_mount, php_path))) =
            (host_path(web, &dir.value), host_path(php, &dir.value))
        else {
            continue;
        };
        if web_path == php_path {
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&php.name)
            .param("service", &php.name)
            .param("proxy", &web.name)
            .param("dir", &dir.value)
            .evidence(
                dir.origin.clone(),
                msg("scripts-here")
                    .with("proxy", &web.name)
                    .with("dir", &dir.value),
            )
            .evidence(
                web_mount.origin.clone(),
                msg("holds")
                    .with("service", &web.name)
                    .with("dir", &dir.value)
                    .with("host", shown(model, &web_path)),
            )
            .evidence(
                php_mount.origin.clone(),
                msg("holds")
                    .with("service", &php.name)
                    .with("dir", &dir.value)
                    .with("host", shown(model, &php_path)),
            );
        // The title counts log lines; without any it names the mounts.
        finding = match lines.len() {
            0 => finding.param("title", "title-mounts"),
            count => finding.param("count", count.to_string()),
        };
        finding = finding.log_lines(lines.iter().copied().take(3));
        let volume = format!(
            "{}:{}",
            compose_source(model, php, &web_mount.value.0),
            web_mount.value.1
        );
        let mount_fix = msg("same-mount")
            .with("service", &php.name)
            .with("volume", volume)
            .with("proxy", &web.name);
        findings.push(
            finding
                .fix(FixStep::say(mount_fix))
                .fix(recreate_service_step(model, php_id))
                .fix(FixStep::say(
                    msg("check-path")
                        .with("service", &php.name)
                        .with("dir", &dir.value),
                )),
        );
    }
    findings
}

/// A host path as the `volumes:` entry of `service` writes it: relative to
/// its project's folder with a leading `./` (without it, compose reads a
/// volume name), absolute when outside it.
fn compose_source(model: &StackModel, service: &Service, host: &Path) -> String {
    let Some(project) = model.projects.get(service.project) else {
        return host.display().to_string();
    };
    match host.strip_prefix(&project.dir) {
        Ok(rest) if rest.as_os_str().is_empty() => ".".to_string(),
        Ok(rest) => format!("./{}", rest.display()),
        Err(_) => host.display().to_string(),
    }
}

/// The host path a container path of `service` is, through its bind mount
/// with the longest container path that contains it.
fn host_path<'s>(
    service: &'s Service,
    path: &str,
) -> Option<(&'s Sourced<(PathBuf, String)>, PathBuf)> {
    service
        .mounts
        .iter()
        .filter_map(|mount| {
            let inside = mount.value.1.trim_end_matches('/');
            let rest = if path == inside {
                ""
            } else {
                path.strip_prefix(inside)?.strip_prefix('/')?
            };
            Some((inside.len(), mount, rest))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, mount, rest)| {
            let host: &Path = &mount.value.0;
            let joined = if rest.is_empty() {
                host.to_path_buf()
            } else {
                host.join(rest)
            };
            (mount, joined)
        })
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet, example_tree};

    const EXAMPLE: (&str, &[&str]) = ("php-fpm-script-not-found", &["--logs", "logs/nginx.log"]);

    #[test]
    fn php_mounting_the_code_elsewhere_is_told_to_mount_it_like_nginx() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            EXAMPLE,
            "nginx/default.conf:4",
            &[
                "php-fpm-script-not-found.same-mount",
                "--force-recreate php",
            ],
        );
        let (_dir, model) = example_tree(EXAMPLE.0, EXAMPLE.1, &[]);
        let finding = &super::run(&model)[0];
        let text = format!("{finding:?}");
        assert!(text.contains("\"./src:/var/www/html\""), "{text}");
        // The rule's line, both mounts and the log line.
        assert_eq!(finding.evidence.len(), 4, "{:#?}", finding.evidence);
    }

    #[test]
    fn without_log_lines_the_title_names_the_mounts_not_a_count() {
        let (_dir, model) = example_tree(EXAMPLE.0, &[], &[]);
        let finding = &super::run(&model)[0];
        assert_eq!(
            finding.params.get("title").map(String::as_str),
            Some("title-mounts")
        );
        assert!(
            !finding.params.contains_key("count"),
            "{:?}",
            finding.params
        );
        let title = crate::knowledge::catalogue().title(
            super::CAUSE,
            &finding.params,
            crate::knowledge::Lang::En,
        );
        assert!(
            title.contains("/var/www/html/public") && !title.contains("seen"),
            "{title}"
        );
    }

    #[test]
    fn the_same_mount_in_both_services_is_quiet() {
        assert_example_quiet(
            super::run,
            EXAMPLE,
            &[(
                "docker-compose.yml",
                "./src:/var/www\n",
                "./src:/var/www/html\n",
            )],
        );
    }

    #[test]
    fn a_php_service_without_a_bind_mount_is_not_judged() {
        // The code may be in the image (COPY) or a named volume.
        assert_example_quiet(
            super::run,
            EXAMPLE,
            &[(
                "docker-compose.yml",
                "    volumes:\n      - ./src:/var/www\n",
                "",
            )],
        );
    }
}
