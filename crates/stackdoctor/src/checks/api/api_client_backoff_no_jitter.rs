//! # api-client-backoff-no-jitter
//!
//! **What it detects:** an exponential retry delay (`Math.pow(2, attempt) *
//! 1000`, `2 ** n * base`, `base << n`) in a function that uses no random
//! jitter (`Math.random()`), no cap (`Math.min(cap, …)`), and does not read
//! the `Retry-After` header. In Python: `time.sleep(2 ** attempt)` (or
//! `asyncio.sleep`) without `random`, tenacity's `wait_exponential(…)`
//! (its twin `wait_random_exponential` has jitter), backoff's `jitter=None`.
//!
//! **Why it breaks requests:** every client that failed at the same moment
//! (an overloaded or restarting backend, a 429 or 503 for everyone) retries
//! at the same moments, 1 s, 2 s, 4 s later, so each retry wave hits the
//! recovering service together and keeps it down. Without a cap the delay
//! grows past any proxy or user timeout; without `Retry-After` the client
//! ignores how long the server asked it to wait (RFC 9110 §10.2.3).
//!
//! **Example:** the seed's `generateActionsWithRetry` waits
//! `Math.pow(2, attempt) * 1000` ms.
//!
//! **Fix:** full jitter with a cap, and the server's `Retry-After` when it
//! sends one (AWS Architecture Blog, "Exponential Backoff And Jitter"):
//!
//! ```ts
//! const cap = 20_000;
//! const delay = retryAfterMs ?? Math.random() * Math.min(cap, 2 ** attempt * 1000);
//! ```

use crate::finding::{Finding, FixStep};
use crate::model::api::Backoff;
use crate::model::StackModel;

cause!("api-client-backoff-no-jitter");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in &model.api.clients {
        for backoff in file.backoffs.iter().filter(|b| !b.jitter) {
            let mut finding = Finding::new(CAUSE)
                .subject(&backoff.text)
                .param("delay", &backoff.text)
                .about_setting()
                .evidence(
                    backoff.origin.clone(),
                    msg("no-jitter").with("delay", &backoff.text),
                );
            let corrected = jittered(backoff);
            let step = msg("full-jitter");
            finding = finding.fix(
                match crate::checks::support::replace_on_line(
                    model,
                    &backoff.origin,
                    &backoff.text,
                    &corrected,
                ) {
                    Some(edit) => FixStep::edit(step, edit),
                    None => FixStep::say(step),
                },
            );
            if !backoff.retry_after {
                finding = finding.fix(FixStep::say(msg("honour-retry-after")));
            }
            findings.push(finding);
        }
    }
    findings
}

/// The delay with full jitter and a cap, in the language it is written in.
fn jittered(backoff: &Backoff) -> String {
    let text = &backoff.text;
    if !backoff.python {
        return format!("Math.random() * Math.min(20_000, {text})");
    }
    if let Some(arguments) = text.strip_prefix("wait_exponential(") {
        // tenacity's jittered twin takes the same arguments.
        return format!("wait_random_exponential({arguments}");
    }
    if text.replace(' ', "") == "jitter=None" {
        return "jitter=backoff.full_jitter".to_string();
    }
    format!("random.uniform(0, min(20, {text}))")
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    #[test]
    fn plain_doubling_is_a_finding_with_the_jittered_line() {
        let code = "export async function again(attempt: number) {\n  const delay = Math.pow(2, attempt) * 1000;\n  await new Promise(r => setTimeout(r, delay));\n}\n";
        let (_dir, model) = test_tree(&[("src/retry.ts", code)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1);
        let at = findings[0].evidence[0].origin.position().unwrap();
        assert_eq!((at.line, at.column), (2, 17));
        assert_eq!(findings[0].evidence.len(), 1);
        assert_eq!(findings[0].fix.len(), 2, "no Retry-After: a second step");
        let edit = findings[0].fix[0].edit.as_ref().unwrap();
        assert_eq!(
            edit.after.trim(),
            "const delay = Math.random() * Math.min(20_000, Math.pow(2, attempt) * 1000);"
        );
    }

    #[test]
    fn jittered_and_capped_delays_are_fine() {
        let code = "export function delayFor(attempt: number, retryAfter?: string) {\n  const cap = 20000;\n  return Math.random() * Math.min(cap, 2 ** attempt * 500);\n}\n";
        let (_dir, model) = test_tree(&[("src/retry.ts", code)]);
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn python_sleeps_and_tenacity_waits_get_python_corrections() {
        let code = "import time\nfrom tenacity import retry, wait_exponential, wait_random_exponential\n\n@retry(wait=wait_exponential(multiplier=1, max=30))\ndef a():\n    pass\n\n@retry(wait=wait_random_exponential(multiplier=1, max=30))\ndef b():\n    pass\n\ndef c(attempt):\n    time.sleep(2 ** attempt)\n";
        let (_dir, model) = test_tree(&[("jobs/retry.py", code)]);
        let findings = super::run(&model);
        let after: Vec<String> = findings
            .iter()
            .map(|f| f.fix[0].edit.as_ref().unwrap().after.trim().to_string())
            .collect();
        assert_eq!(
            after,
            [
                "@retry(wait=wait_random_exponential(multiplier=1, max=30))",
                "time.sleep(random.uniform(0, min(20, 2 ** attempt)))"
            ]
        );
    }
}
