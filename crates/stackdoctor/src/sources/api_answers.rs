//! Answers of the API saved in the log inputs: HAR files (a browser's
//! network log) and `curl -i`/`curl -v` output. Each error answer (status
//! 400 and up) becomes a fact with its status, `Content-Type` and body, at
//! the position of its status, for the same contract checks as the answers
//! to `--probe-api`.

use crate::model::api::AnswerSeen;
use crate::model::{Origin, StackModel};
use contract::tree::Node;
use std::path::Path;

/// Most answers kept from all inputs.
const MAX_ANSWERS: usize = 200;
/// Largest HAR text parsed (the tree keeps a node per value).
const MAX_HAR_BYTES: usize = 16 * 1024 * 1024;
/// Longest body kept of one answer.
const MAX_BODY: usize = 64 * 1024;
/// Longest excerpt of a body kept for the report.
const EXCERPT_CHARS: usize = 200;

/// Most retried rejections kept from all inputs.
const MAX_RETRIED: usize = 20;
/// Answers quoted for one retried rejection.
const MAX_QUOTED: usize = 5;
/// Distinct rejected requests remembered between two lines that give up.
const MAX_TRACKED: usize = 10_000;
/// What clients write when their retries run out (lowercase).
const GAVE_UP: &[&str] = &[
    "retryerror",
    "max retries",
    "retries exhausted",
    "retry attempts exhausted",
    "giving up",
    "gave up after",
];
/// Statuses worth a retry (RFC 9110): not rejections.
const RETRYABLE_4XX: &[u16] = &[408, 425, 429];

/// Reads the answers of every HAR file and `curl` transcript among `texts`,
/// and the requests the logs show rejected again and again.
pub fn load(model: &mut StackModel, texts: &[(std::path::PathBuf, String)]) {
    for (file, text) in texts {
        let left = MAX_RETRIED.saturating_sub(model.api.retried_rejections.len());
        let mut retried = retried_rejections(file, text);
        retried.truncate(left);
        model.api.retried_rejections.extend(retried);
    }
    for (file, text) in texts {
        let left = MAX_ANSWERS.saturating_sub(model.api.answers.len());
        if left == 0 {
            return;
        }
        let mut answers = if is_har(file, text) {
            har(file, text)
        } else {
            curl(file, text)
        };
        answers.truncate(left);
        model.api.answers.extend(answers);
    }
}

fn is_har(file: &Path, text: &str) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("har"))
        || (text.trim_start().starts_with('{')
            && text.contains("\"entries\"")
            && text.contains("\"log\""))
}

fn answer(origin: Origin, status: u16, content_type: Option<String>, body: &str) -> AnswerSeen {
    let body: String = body.chars().take(MAX_BODY).collect();
    AnswerSeen {
        purpose: None,
        origin,
        status,
        content_type,
        body: serde_json::from_str(&body).ok(),
        excerpt: body.chars().take(EXCERPT_CHARS).collect(),
        authenticated: false,
    }
}

/// The error answers of a HAR file's entries; an answer whose body is not
/// JSON only from a URL under `/api` (a page's third-party requests fail too).
fn har(file: &Path, text: &str) -> Vec<AnswerSeen> {
    if text.len() > MAX_HAR_BYTES {
        return Vec::new();
    }
    let Ok(Some(root)) = contract::tree::parse(text) else {
        return Vec::new();
    };
    let Some(entries) = root.get("log").and_then(|l| l.get("entries")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.items() {
        if out.len() >= MAX_ANSWERS {
            break;
        }
        let (Some(request), Some(response)) = (entry.get("request"), entry.get("response")) else {
            continue;
        };
        let Some(status_node) = response.get("status") else {
            continue;
        };
        let Some(status) = status_node.as_str().and_then(|s| s.parse::<u16>().ok()) else {
            continue;
        };
        if status < 400 {
            continue;
        }
        let content = response.get("content");
        let base64 = content
            .and_then(|c| c.get("encoding"))
            .and_then(Node::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
        let body = content
            .and_then(|c| c.get("text"))
            .and_then(Node::as_str)
            .filter(|_| !base64)
            .unwrap_or("");
        let content_type = header(response, "content-type").or_else(|| {
            content
                .and_then(|c| c.get("mimeType"))
                .and_then(Node::as_str)
                .map(str::to_string)
        });
        let url = request.get("url").and_then(Node::as_str).unwrap_or("");
        let json = serde_json::from_str::<serde_json::Value>(body).is_ok();
        if !json && !url.contains("/api") {
            continue;
        }
        let at = status_node.at;
        let origin = Origin::log(file, at.line, at.column);
        out.push(answer(origin, status, content_type, body));
    }
    out
}

/// The first header of that name in a HAR message's `headers` list.
fn header(message: &Node, name: &str) -> Option<String> {
    message.get("headers")?.items().iter().find_map(|h| {
        let matches = h
            .get("name")
            .and_then(Node::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(name));
        matches
            .then(|| h.get("value").and_then(Node::as_str).map(str::to_string))
            .flatten()
    })
}

/// The error answers of `curl -i` (or `-v`, whose lines start with `< `)
/// output: a status line, headers, a blank line, the body up to the next
/// status line.
fn curl(file: &Path, text: &str) -> Vec<AnswerSeen> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut index = 0;
    while index < lines.len() && out.len() < MAX_ANSWERS {
        let Some(status) = status_line(lines[index]) else {
            index += 1;
            continue;
        };
        let start = index;
        index += 1;
        let mut content_type = None;
        while index < lines.len() && status_line(lines[index]).is_none() {
            let line = strip_verbose(lines[index]).trim_end();
            index += 1;
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-type") {
                    content_type = Some(value.trim().to_string());
                }
            }
        }
        let body_start = index;
        // The body ends at the next answer, or at a shell prompt or curl's
        // own `*`/`>` lines of the next command.
        while index < lines.len()
            && status_line(lines[index]).is_none()
            && !["$ ", "* ", "> "]
                .iter()
                .any(|p| lines[index].starts_with(p))
        {
            index += 1;
        }
        if status >= 400 {
            let body = lines[body_start..index].join("\n");
            let column = lines[start].len() - strip_verbose(lines[start]).len() + 1;
            let origin = Origin::log(file, start as u32 + 1, column as u32);
            out.push(answer(origin, status, content_type, body.trim()));
        }
    }
    out
}

/// `POST http://api/items "HTTP/1.1 400 Bad Request"` (httpx), `"POST
/// /items HTTP/1.1" 400` (access logs): the request and its 4xx status.
fn rejected_request(line: &str) -> Option<(String, u16)> {
    const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];
    // Most lines name no method: skip them before splitting.
    if !METHODS.iter().any(|m| line.contains(m)) {
        return None;
    }
    let tokens: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '[' || c == ']')
        .filter(|t| !t.is_empty())
        .collect();
    let at = tokens.iter().position(|t| METHODS.contains(t))?;
    let target = tokens.get(at + 1)?;
    if !(target.starts_with('/') || target.starts_with("http://") || target.starts_with("https://"))
    {
        return None;
    }
    let status = tokens[at + 2..].iter().find_map(|t| {
        let t = t.trim_end_matches([',', ';', ':', ')']);
        (t.len() == 3)
            .then(|| t.parse::<u16>().ok())
            .flatten()
            .filter(|s| (400..500).contains(s))
    })?;
    (!RETRYABLE_4XX.contains(&status)).then(|| (format!("{} {target}", tokens[at]), status))
}

/// Requests answered the same 4xx at least twice, then a line that says
/// the retries gave up.
fn retried_rejections(file: &Path, text: &str) -> Vec<crate::model::api::RetriedRejection> {
    use std::collections::HashMap;
    // Each request: the lines of its first answers and how many there were.
    let mut seen: HashMap<(String, u16), (Vec<u32>, usize)> = HashMap::new();
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index as u32 + 1;
        if let Some(key) = rejected_request(line) {
            // Memory stays bounded whatever the log: a few lines per request,
            // and no new request past MAX_TRACKED until a retry gives up.
            if seen.len() < MAX_TRACKED || seen.contains_key(&key) {
                let (lines, count) = seen.entry(key).or_default();
                if lines.len() < MAX_QUOTED {
                    lines.push(number);
                }
                *count += 1;
            }
            continue;
        }
        // Every marker has `etr`, `ax r` or `ave up`/`iving up` in it: a cheap test first.
        let maybe = [
            "etr", "ETR", "ax r", "AX R", "ave up", "iving up", "IVING UP",
        ]
        .iter()
        .any(|m| line.contains(m));
        if !maybe
            || !GAVE_UP
                .iter()
                .any(|m| line.to_ascii_lowercase().contains(m))
        {
            continue;
        }
        // Every request rejected twice or more before this line: given up.
        let mut repeated: Vec<((String, u16), Vec<u32>)> = seen
            .drain()
            .filter(|(_, (_, count))| *count >= 2)
            .map(|(key, (lines, _))| (key, lines))
            .collect();
        repeated.sort_by_key(|(_, lines)| lines[0]);
        for ((request, status), lines) in repeated {
            out.push(crate::model::api::RetriedRejection {
                request,
                status,
                answers: lines.iter().map(|l| Origin::log(file, *l, 1)).collect(),
                gave_up: Origin::log(file, number, 1),
            });
        }
        if out.len() >= MAX_RETRIED {
            break;
        }
    }
    out
}

/// `< HTTP/1.1 200 OK` of `curl -v`: the line without its `< `.
fn strip_verbose(line: &str) -> &str {
    line.strip_prefix("< ").unwrap_or(line)
}

/// The status of an HTTP status line (`HTTP/1.1 502 Bad Gateway`, `HTTP/2 404`).
fn status_line(line: &str) -> Option<u16> {
    let line = strip_verbose(line);
    let rest = line.strip_prefix("HTTP/")?;
    let (version, rest) = rest.split_once(' ')?;
    if !matches!(version, "1.0" | "1.1" | "2" | "2.0" | "3") {
        return None;
    }
    let code = rest.get(..3)?;
    let after = rest.get(3..)?;
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    code.parse().ok().filter(|c| (100..600).contains(c))
}

#[cfg(test)]
mod tests {
    use crate::model::StackModel;
    use std::path::PathBuf;

    fn answers(name: &str, text: &str) -> Vec<(u16, String, u32)> {
        let mut model = StackModel::default();
        super::load(&mut model, &[(PathBuf::from(name), text.to_string())]);
        model
            .api
            .answers
            .iter()
            .map(|a| {
                let line = a.origin.position().map_or(0, |p| p.line);
                (a.status, a.content_type.clone().unwrap_or_default(), line)
            })
            .collect()
    }

    #[test]
    fn a_har_file_gives_its_error_answers_at_their_status() {
        let har = "{\"log\": {\"version\": \"1.2\", \"entries\": [\n {\"request\": {\"method\": \"GET\", \"url\": \"https://a.example/api/items\"},\n  \"response\": {\"status\": 200, \"content\": {\"mimeType\": \"application/json\", \"text\": \"[]\"}}},\n {\"request\": {\"method\": \"POST\", \"url\": \"https://a.example/api/items\"},\n  \"response\": {\"status\": 500, \"headers\": [{\"name\": \"Content-Type\", \"value\": \"application/json\"}],\n   \"content\": {\"mimeType\": \"application/json\", \"text\": \"{\\\"error\\\": {\\\"code\\\": \\\"X\\\"}}\"}}},\n {\"request\": {\"method\": \"GET\", \"url\": \"https://ads.example/pixel\"},\n  \"response\": {\"status\": 404, \"content\": {\"mimeType\": \"text/html\", \"text\": \"<html>\"}}}\n]}}\n";
        assert_eq!(
            answers("session.har", har),
            [(500, "application/json".to_string(), 5)]
        );
        let mut model = StackModel::default();
        super::load(&mut model, &[(PathBuf::from("s.har"), har.to_string())]);
        assert_eq!(
            model.api.answers[0].body.as_ref().unwrap()["error"]["code"],
            "X"
        );
    }

    #[test]
    fn curl_transcripts_give_each_error_answer() {
        let text = "$ curl -i https://a.example/api/items\nHTTP/2 502 \ncontent-type: text/html\n\n<html><body>Bad Gateway</body></html>\n$ curl -v -X POST https://a.example/api/items\n* Connected\n> POST /api/items HTTP/1.1\n< HTTP/1.1 422 Unprocessable Entity\n< Content-Type: application/json\n< \n{\"detail\": [{\"loc\": [\"body\"], \"msg\": \"Field required\"}]}\n";
        assert_eq!(
            answers("curl.txt", text),
            [
                (502, "text/html".to_string(), 2),
                (422, "application/json".to_string(), 9)
            ]
        );
    }

    #[test]
    fn a_request_rejected_again_and_again_then_given_up() {
        let log = "INFO HTTP Request: POST http://api:8000/items \"HTTP/1.1 400 Bad Request\"\nINFO HTTP Request: GET http://api:8000/health \"HTTP/1.1 200 OK\"\nINFO HTTP Request: POST http://api:8000/items \"HTTP/1.1 400 Bad Request\"\nINFO HTTP Request: POST http://api:8000/items \"HTTP/1.1 429 Too Many Requests\"\nINFO HTTP Request: POST http://api:8000/items \"HTTP/1.1 400 Bad Request\"\ntenacity.RetryError: RetryError[<Future at 0x7f3 state=finished raised HTTPStatusError>]\n";
        let found = super::retried_rejections(std::path::Path::new("w.log"), log);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].request, "POST http://api:8000/items");
        assert_eq!(found[0].status, 400);
        let lines: Vec<u32> = found[0]
            .answers
            .iter()
            .map(|o| o.position().unwrap().line)
            .collect();
        assert_eq!(lines, [1, 3, 5]);
        assert_eq!(found[0].gave_up.position().unwrap().line, 6);
        // Without the line that gives up, the client may have moved on.
        let open = log.lines().take(5).collect::<Vec<_>>().join("\n");
        assert!(super::retried_rejections(std::path::Path::new("w.log"), &open).is_empty());
        // An access log's request and status.
        assert_eq!(
            super::rejected_request(
                "10.0.0.1 - - [04/Dec/2026:10:00:00 +0000] \"PUT /api/items/7 HTTP/1.1\" 404 153"
            ),
            Some(("PUT /api/items/7".to_string(), 404))
        );
    }

    #[test]
    fn hostile_inputs_are_bounded() {
        // Nesting past the tree's depth budget: no answer, no panic.
        let deep = format!(
            "{{\"log\": {{\"entries\": {}{}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(answers("deep.har", &deep).is_empty());
        // Status lines without end and bodies that never close.
        let flood = "HTTP/1.1 500 x\n".repeat(50_000) + &"{".repeat(200_000);
        let found = answers("flood.txt", &flood);
        assert_eq!(found.len(), super::MAX_ANSWERS);
        // Half a million distinct rejected requests, then a retry that gives up:
        // only the first MAX_TRACKED are remembered, each with its first lines.
        let mut many: String = (0..500_000)
            .map(|i| format!("POST /items/{i} 400\n"))
            .collect();
        many.push_str("POST /items/7 400\nPOST /items/7 400\ngiving up\n");
        let found = super::retried_rejections(std::path::Path::new("m.log"), &many);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].request, "POST /items/7");
        let lines: Vec<u32> = found[0]
            .answers
            .iter()
            .map(|o| o.position().unwrap().line)
            .collect();
        assert_eq!(lines, [8, 500_001, 500_002]);
        // A request first seen past the limit is not remembered.
        let late = many.replace(
            "/items/7 400\nPOST /items/7 400\ngiving",
            "/items/499999 400\nPOST /items/499999 400\ngiving",
        );
        assert!(super::retried_rejections(std::path::Path::new("m.log"), &late).is_empty());
        // A line of a million tokens with a method in it.
        let long = format!("POST /x {}", "400 ".repeat(250_000));
        assert!(super::retried_rejections(std::path::Path::new("l.log"), &long).is_empty());
    }

    #[test]
    fn status_lines_are_read_strictly() {
        assert_eq!(super::status_line("HTTP/1.1 404 Not Found"), Some(404));
        assert_eq!(super::status_line("< HTTP/2 503"), Some(503));
        assert_eq!(super::status_line("HTTP/1.1 4040"), None);
        assert_eq!(super::status_line("HTTP/9 404"), None);
        assert_eq!(super::status_line("GET / HTTP/1.1"), None);
    }
}
