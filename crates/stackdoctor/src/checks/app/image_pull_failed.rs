//! # image-pull-failed
//!
//! **What it detects:** Docker could not pull the image of a compose
//! service (`pull access denied for NAME, repository does not exist or may
//! require 'docker login'`, `manifest for NAME:TAG not found: manifest
//! unknown`, `toomanyrequests: You have reached your pull rate limit`), and
//! the service's `image:` is the reference that failed. A service with
//! `build:` is told how to build instead of pulling.
//!
//! **Why it breaks requests:** the container is never created, so the
//! service does not run and a proxy in front of it answers 502 (or
//! `docker compose up` stops before starting anything).
//!
//! **Example:** `image: wolweb` with no `build:`; compose asks Docker Hub
//! for `library/wolweb`, which does not exist, because the image was meant
//! to be built from the repository's `Dockerfile`.
//!
//! **Fix:** for an image built from the project, add `build:` with the
//! folder of its Dockerfile next to `image:` (or run `docker compose build`
//! first); for a published image, write the full reference
//! (`ghcr.io/OWNER/NAME:TAG`, `OWNER/NAME:TAG` on Docker Hub) with a tag
//! that exists (`docker manifest inspect NAME:TAG` tells); for a private
//! registry, `docker login REGISTRY` first; for Docker Hub's rate limit,
//! `docker login` or a mirror. Then `docker compose pull SERVICE`.

use crate::checks::support::shown;
use crate::finding::{Finding, FixStep};
use crate::model::{LogEvent, StackModel};

cause!("image-pull-failed");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let events: Vec<&LogEvent> = model.log_events_of(CAUSE).collect();
    if events.is_empty() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for (id, service) in model.services.iter().enumerate() {
        let Some(image) = &service.image else {
            continue;
        };
        let about: Vec<&LogEvent> = events
            .iter()
            .copied()
            .filter(|e| names_image(&e.text, &image.value))
            .collect();
        if about.is_empty() {
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&service.name)
            .param("service", &service.name)
            .param("image", &image.value)
            .param("count", about.len().to_string());
        let said = |text: &str| about.iter().any(|e| e.text.contains(text));
        let fix = match &service.build_context {
            Some(context) => {
                let folder = shown(model, &context.value);
                finding = finding.evidence(
                    image.origin.clone(),
                    msg("built-here")
                        .with("service", &service.name)
                        .with("folder", &folder),
                );
                msg("build-instead").with("service", &service.name)
            }
            None => {
                finding = finding.evidence(
                    image.origin.clone(),
                    msg("pulled-here").with("image", &image.value),
                );
                if said("toomanyrequests") {
                    msg("rate-limit")
                } else if said("manifest unknown") {
                    msg("tag-missing").with("image", &image.value)
                } else {
                    msg("name-unknown").with("image", &image.value)
                }
            }
        };
        let check = crate::checks::support::start_service_command(model, id, "pull");
        findings.push(
            finding
                .log_lines(about.iter().copied().take(3))
                .fix(FixStep::say(fix))
                .fix(FixStep::run(msg("pull-again"), check)),
        );
    }
    findings
}

/// Whether a log line names `image` as a whole reference (`for wolweb,`,
/// `manifest for redis:7.9 not found`), not as part of a longer one.
fn names_image(text: &str, image: &str) -> bool {
    // Not after `/`: `owner/wolweb` is another image than `wolweb`.
    let boundary_before = |c: char| c.is_whitespace() || matches!(c, '"' | '\'');
    let boundary_after = |c: char| c.is_whitespace() || matches!(c, ',' | '"' | '\'' | ':');
    text.match_indices(image).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + image.len()..].chars().next();
        before.is_none_or(boundary_before) && after.is_none_or(boundary_after)
    })
}

#[cfg(test)]
mod tests {
    use super::names_image;
    use crate::checks::support::{assert_example_finding, example_tree};

    const EXAMPLE: (&str, &[&str]) = ("image-pull-failed", &["--logs", "logs/compose.log"]);

    #[test]
    fn an_image_that_was_meant_to_be_built_is_told_to_build() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            EXAMPLE,
            "docker-compose.yml:3",
            &["image-pull-failed.name-unknown", "pull wolweb"],
        );
    }

    #[test]
    fn a_service_with_build_is_told_to_build_instead_of_pulling() {
        let (_dir, model) = example_tree(
            EXAMPLE.0,
            EXAMPLE.1,
            &[(
                "docker-compose.yml",
                "    image: wolweb\n",
                "    image: wolweb\n    build: .\n",
            )],
        );
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let fix = format!("{:?}", findings[0].fix);
        assert!(fix.contains("build-instead"), "{fix}");
    }

    #[test]
    fn a_line_about_another_image_is_not_this_services() {
        assert!(names_image(
            "pull access denied for wolweb, repository",
            "wolweb"
        ));
        assert!(names_image("manifest for redis:7.9 not found", "redis:7.9"));
        assert!(!names_image(
            "pull access denied for wolweb-db, repository",
            "wolweb"
        ));
        assert!(!names_image(
            "pull access denied for mywolweb, repository",
            "wolweb"
        ));
        assert!(!names_image(
            "pull access denied for owner/wolweb, repository",
            "wolweb"
        ));
        let (_dir, model) = example_tree(
            EXAMPLE.0,
            EXAMPLE.1,
            &[("logs/compose.log", "for wolweb,", "for wolweb-agent,")],
        );
        assert!(super::run(&model).is_empty());
    }
}
