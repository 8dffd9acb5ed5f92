//! `stackdoctor model` for people: the stack in sentences (projects and
//! their services, what each listens on and publishes, networks, proxies with
//! their sites and routes, the AWS calls of the code, ECS deployments), each
//! with the place it was read from, in English or Japanese. The JSON form
//! (`model --format json`) is the whole model.

use crate::knowledge::Lang;
use crate::model::origin::relative;
use crate::model::{Activation, Bind, ListenEvidence, NameKind, StackModel, UpstreamTarget};
use std::fmt::Write;

/// English or Japanese, chosen once.
fn pick(lang: Lang, en: String, ja: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}

pub fn render(model: &StackModel, lang: Lang) -> String {
    let mut out = render_files(model, lang);
    let masker = crate::secrets::masker_for(model);
    for container in model
        .engine
        .containers
        .iter()
        .filter(|c| c.join.service.is_none())
    {
        let _ = writeln!(
            out,
            "container {} (no service in the files)",
            container.subject()
        );
        out.push_str(&running_line(container, &masker, &model.root));
    }
    if let Some(live) = &model.engine.live {
        let _ = writeln!(
            out,
            "engine {} (API {}, {} ms){}",
            live.host,
            live.api_version.as_deref().unwrap_or("?"),
            live.elapsed_ms,
            if live.problems.is_empty() {
                String::new()
            } else {
                format!(": {}", masker.mask(&live.problems.join("; ")))
            }
        );
    }
    if out.is_empty() {
        out = pick(
            lang,
            "Nothing of a stack was found here.\n".into(),
            "スタックに当たるものは見つかりませんでした。\n".into(),
        );
    }
    out
}

fn render_files(model: &StackModel, lang: Lang) -> String {
    let masker = crate::secrets::masker_for(model);
    let root = &model.root;
    let at = |origin: &crate::model::Origin| format!("[{}]", masker.mask(&origin.display(root)));
    let shown = |path: &std::path::Path| relative(path, root).display().to_string();
    let mut out = String::new();
    for (i, project) in model.projects.iter().enumerate() {
        let services = model.services.iter().filter(|s| s.project == i).count();
        let _ = writeln!(
            out,
            "{}",
            pick(
                lang,
                format!(
                    "Compose project `{}` in {} with {services} service(s):",
                    project.name,
                    shown(&project.dir)
                ),
                format!(
                    "compose プロジェクト `{}`（{}、サービス {services} 個）:",
                    project.name,
                    shown(&project.dir)
                ),
            )
        );
        for (id, service) in model
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.project == i)
        {
            let made = match (&service.image, &service.build_context) {
                (_, Some(context)) => pick(
                    lang,
                    format!("built from {}", shown(&context.value)),
                    format!("{} からビルド", shown(&context.value)),
                ),
                (Some(image), None) => pick(
                    lang,
                    format!("image {}", masker.mask(&image.value)),
                    format!("イメージ {}", masker.mask(&image.value)),
                ),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} {} {}",
                pick(
                    lang,
                    format!("Service `{}`:", service.name),
                    format!("サービス `{}`:", service.name)
                ),
                made,
                at(&service.origin)
            );
            match &service.activation {
                Activation::Active => {}
                Activation::ProfileDisabled { profiles } => {
                    let _ = writeln!(
                        out,
                        "    {}",
                        pick(
                            lang,
                            format!("not started: only under profile(s) {}", profiles.join(", ")),
                            format!(
                                "起動しません: プロファイル {} のときだけ",
                                profiles.join(", ")
                            ),
                        )
                    );
                }
                Activation::ZeroReplicas { origin } => {
                    let _ = writeln!(
                        out,
                        "    {} {}",
                        pick(
                            lang,
                            "not started: 0 replicas".into(),
                            "起動しません: レプリカ 0".into()
                        ),
                        at(origin)
                    );
                }
            }
            for listener in &service.listeners {
                let interfaces = match (listener.bind, lang) {
                    (Bind::All, Lang::En) => "on all interfaces",
                    (Bind::All, Lang::Ja) => "全インターフェース",
                    (Bind::Loopback, Lang::En) => {
                        "on loopback only (other containers cannot reach it)"
                    }
                    (Bind::Loopback, Lang::Ja) => {
                        "ループバックのみ（他のコンテナーから届きません）"
                    }
                };
                let how = match (listener.evidence, lang) {
                    (ListenEvidence::Socket, Lang::En) => "its running container's socket",
                    (ListenEvidence::Socket, Lang::Ja) => "稼働中コンテナーのソケット",
                    (ListenEvidence::Command, Lang::En) => "its command",
                    (ListenEvidence::Command, Lang::Ja) => "コマンド",
                    (ListenEvidence::Environment, Lang::En) => "its environment",
                    (ListenEvidence::Environment, Lang::Ja) => "環境変数",
                    (ListenEvidence::Declared, Lang::En) => "`expose`/`ports`",
                    (ListenEvidence::Declared, Lang::Ja) => "`expose`/`ports`",
                    (ListenEvidence::ImageDefault, Lang::En) => "the image's default",
                    (ListenEvidence::ImageDefault, Lang::Ja) => "イメージの既定値",
                };
                let tls = if listener.tls { " (TLS)" } else { "" };
                let detail = masker.mask(&listener.detail);
                let _ = writeln!(
                    out,
                    "    {} {}",
                    pick(
                        lang,
                        format!(
                            "listens on port {}{tls} {interfaces}, from {how}: {detail}",
                            listener.port
                        ),
                        format!(
                            "ポート {}{tls} で待ち受け（{interfaces}、根拠: {how}: {detail}）",
                            listener.port
                        ),
                    ),
                    at(&listener.origin)
                );
            }
            for published in &service.published {
                let (host, container) = &published.value;
                let _ = writeln!(
                    out,
                    "    {} {}",
                    pick(
                        lang,
                        format!("publishes container port {container} on the host as {host}"),
                        format!("コンテナーのポート {container} をホストの {host} に公開"),
                    ),
                    at(&published.origin)
                );
            }
            for attachment in &service.attachments {
                let aliases: Vec<&str> = attachment
                    .aliases
                    .iter()
                    .map(|a| a.value.as_str())
                    .collect();
                let network = &model.networks[attachment.network].name;
                let also = if aliases.is_empty() {
                    String::new()
                } else {
                    pick(
                        lang,
                        format!(", also named {}", aliases.join(", ")),
                        format!("、別名 {}", aliases.join(", ")),
                    )
                };
                let _ = writeln!(
                    out,
                    "    {} {}",
                    pick(
                        lang,
                        format!("is on network `{network}`{also}"),
                        format!("ネットワーク `{network}` に接続{also}"),
                    ),
                    at(&attachment.origin)
                );
            }
            // What the engine says runs, next to what the files say.
            for container in model
                .engine
                .containers
                .iter()
                .filter(|c| c.join.service == Some(id))
            {
                out.push_str(&running_line(container, &masker, root));
            }
        }
    }
    for proxy in &model.proxies {
        let runs = match proxy.service {
            Some(id) => pick(
                lang,
                format!("in service `{}`", model.services[id].name),
                format!("サービス `{}` で動作", model.services[id].name),
            ),
            None => pick(lang, "on the host".into(), "ホストで動作".into()),
        };
        let _ = writeln!(
            out,
            "{}",
            pick(
                lang,
                format!(
                    "{:?} proxy configured by {}, {runs}:",
                    proxy.kind,
                    shown(&proxy.config_file)
                ),
                format!(
                    "{:?} プロキシ（設定 {}、{runs}）:",
                    proxy.kind,
                    shown(&proxy.config_file)
                ),
            )
        );
        for site in &proxy.sites {
            let _ = writeln!(
                out,
                "  {} {}",
                pick(
                    lang,
                    format!("Site {}:", crate::checks::proxy::support::site_label(site)),
                    format!(
                        "サイト {}:",
                        crate::checks::proxy::support::site_label(site)
                    ),
                ),
                at(&site.origin)
            );
            for route in &site.routes {
                let steps: Vec<&str> = route.steps.iter().map(|s| s.label.as_str()).collect();
                let _ = writeln!(out, "    {}", steps.join(" → "));
                for upstream in &route.upstreams {
                    let _ = writeln!(
                        out,
                        "      {} {}",
                        target(model, &upstream.text, &upstream.target, lang),
                        at(&upstream.origin)
                    );
                }
            }
        }
    }
    for client in &model.aws.clients {
        let sdk = client.sdk.map_or("?", |s| s.name());
        let operations: Vec<&str> = client.operations.iter().map(|o| o.value.as_str()).collect();
        let operations = if operations.is_empty() {
            client.actions.join(", ")
        } else {
            operations.join(", ")
        };
        let region = client
            .region
            .value
            .clone()
            .unwrap_or_else(|| pick(lang, "no region".into(), "リージョンなし".into()));
        let _ = writeln!(
            out,
            "{} {}",
            pick(
                lang,
                format!(
                    "`{}` calls Amazon Bedrock ({operations}) with {sdk} in {region}:",
                    client.name
                ),
                format!(
                    "`{}` は {sdk} で Amazon Bedrock（{operations}）を {region} で呼びます:",
                    client.name
                ),
            ),
            at(&client.origin)
        );
        for setting in &client.models {
            let _ = writeln!(
                out,
                "  {} {}",
                pick(
                    lang,
                    format!("model {} (set in {})", setting.id, setting.set_in),
                    format!(
                        "モデル {}（{}で設定）",
                        setting.id,
                        match setting.set_in.as_str() {
                            "code" => "コード",
                            "environment" => "環境変数",
                            other => other,
                        }
                    ),
                ),
                at(&setting.origin)
            );
        }
    }
    for deployment in &model.ecs.deployments {
        let value = |v: &Option<crate::model::Sourced<String>>| {
            v.as_ref()
                .map_or("?".to_string(), |s| masker.mask(&s.value))
        };
        let _ = writeln!(
            out,
            "{}",
            pick(
                lang,
                format!(
                    "ECS service {} in cluster {} ({}), deployed by ecspresso from {}",
                    value(&deployment.service),
                    value(&deployment.cluster),
                    value(&deployment.region),
                    shown(&deployment.config_file)
                ),
                format!(
                    "ECS サービス {}（クラスター {}、{}）、ecspresso で {} からデプロイ",
                    value(&deployment.service),
                    value(&deployment.cluster),
                    value(&deployment.region),
                    shown(&deployment.config_file)
                ),
            )
        );
    }
    let note = pick(lang, "note".into(), "注記".into());
    for n in &model.notes {
        let _ = writeln!(out, "{note}: {} {}", masker.mask(&n.value), at(&n.origin));
    }
    for input in &model.invalid_inputs {
        let _ = writeln!(
            out,
            "{} {}: {} {}",
            pick(lang, "not understood:".into(), "解釈できません:".into()),
            input.kind,
            masker.mask(&input.message),
            at(&input.origin)
        );
    }
    out
}

/// Where an upstream leads, in words.
fn target(model: &StackModel, text: &str, target: &UpstreamTarget, lang: Lang) -> String {
    let (en, ja) = match target {
        UpstreamTarget::Services { candidates } => {
            let names: Vec<String> = candidates
                .iter()
                .map(|(id, kind)| {
                    let how = match (kind, lang) {
                        (NameKind::ServiceName, Lang::En) => "by its service name",
                        (NameKind::NetworkAlias, Lang::En) => "by a network alias",
                        (NameKind::ContainerName, Lang::En) => "by its container name",
                        (NameKind::Link, Lang::En) => "by a link",
                        (NameKind::ServiceName, Lang::Ja) => "サービス名",
                        (NameKind::NetworkAlias, Lang::Ja) => "ネットワークの別名",
                        (NameKind::ContainerName, Lang::Ja) => "コンテナー名",
                        (NameKind::Link, Lang::Ja) => "リンク",
                    };
                    format!("`{}` ({how})", model.services[*id].name)
                })
                .collect();
            (
                format!("{text} leads to service {}", names.join(" or ")),
                format!("{text} の転送先はサービス {}", names.join(" または ")),
            )
        }
        UpstreamTarget::Loopback => (
            format!("{text} is the proxy's own loopback"),
            format!("{text} はプロキシ自身のループバック"),
        ),
        UpstreamTarget::DockerHost => (
            format!("{text} is the Docker host"),
            format!("{text} は Docker ホスト"),
        ),
        UpstreamTarget::Address => (
            format!("{text} is a literal IP address"),
            format!("{text} は IP アドレスの直接指定"),
        ),
        UpstreamTarget::UnixSocket => (
            format!("{text} is a unix socket"),
            format!("{text} は unix ソケット"),
        ),
        UpstreamTarget::InactiveService { .. } => (
            format!("{text} names a service only an inactive compose file defines"),
            format!("{text} は使われていない compose ファイルにしかないサービス"),
        ),
        UpstreamTarget::Placeholder => (
            format!("{text} is resolved only at request time"),
            format!("{text} はリクエスト時にだけ決まります"),
        ),
        UpstreamTarget::Unknown => (
            format!("{text} names no service, alias or container"),
            format!("{text} に当たるサービス、別名、コンテナーはありません"),
        ),
    };
    pick(lang, en, ja)
}

/// `    running NAME: exited (exit 137, OOM killed, 5 restarts, unhealthy) on a, b  [origin]`:
/// what the engine says, next to what the files say.
fn running_line(
    container: &crate::model::engine::ContainerState,
    masker: &crate::secrets::Masker,
    root: &std::path::Path,
) -> String {
    let state = &container.state;
    let mut facts: Vec<String> = Vec::new();
    // A running container has no exit code yet, nor one that was only created.
    if let Some(code) = state
        .exit_code
        .filter(|_| !matches!(state.status.as_deref(), Some("running" | "created")))
    {
        facts.push(format!("exit {code}"));
    }
    if state.oom_killed == Some(true) {
        facts.push("OOM killed".into());
    }
    if let Some(restarts) = state.restart_count.filter(|r| *r > 0) {
        facts.push(format!("{restarts} restarts"));
    }
    if let Some(health) = &state.health {
        facts.push(health.status.clone());
    }
    if let Some(image) = &state.image {
        facts.push(format!("image {image}"));
    }
    match &state.sockets {
        Some(dockerengine::Sockets::Read { listening, .. }) => {
            let sockets: Vec<String> = listening.iter().map(ToString::to_string).collect();
            facts.push(match sockets.is_empty() {
                true => "listening on nothing".into(),
                false => format!("listening on {}", sockets.join(" ")),
            });
        }
        Some(dockerengine::Sockets::Unseen { reason }) => {
            facts.push(format!("sockets not seen: {reason}"));
        }
        None => {}
    }
    let networks: Vec<&str> = state.networks.iter().map(|n| n.network.as_str()).collect();
    format!(
        "    running {}: {}{}{}  [{}]\n",
        state.name,
        state.status.as_deref().unwrap_or("?"),
        if facts.is_empty() {
            String::new()
        } else {
            format!(" ({})", facts.join(", "))
        },
        if networks.is_empty() {
            String::new()
        } else {
            format!(" on {}", networks.join(", "))
        },
        masker.mask(&container.origin.display(root))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_model_says_so_in_both_languages() {
        let model = StackModel::default();
        assert_eq!(
            render(&model, Lang::En),
            "Nothing of a stack was found here.\n"
        );
        assert!(render(&model, Lang::Ja).contains("見つかりませんでした"));
    }
}
