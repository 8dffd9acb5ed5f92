//! # api-client-retries-non-retryable
//!
//! **What it detects:** a retry loop whose `catch` retries whatever was
//! thrown, around a call that throws for every error response (4xx
//! included), so a request the server rejected is sent again unchanged. In
//! Python: tenacity's `@retry` without a `retry=` predicate (or one that
//! retries `HTTPError`), backoff's `@on_exception(…, RequestException)`
//! without `giveup=`, and `for`/`while` loops whose `except` never looks at
//! the error, around `raise_for_status()`. And, in the logs, the signs of such retries: urllib3's `Max retries
//! exceeded … (Caused by ResponseError('too many 400 error responses'))`,
//! the same request answered the same 4xx again and again before a line
//! that gives up (`RetryError`, `Max retries`, `giving up`),
//! or an AWS call retried on `AccessDeniedException`/`ValidationException`.
//!
//! **Why it breaks requests:** a 400, 401, 403, 404 or 422 (or a contract
//! code marked `retryable: false`) cannot change between attempts: the user
//! waits for every attempt and backoff, the proxy in front times out
//! (502/504), and the real error is hidden behind the timeout. Only 408,
//! 425, 429 and 5xx (RFC 9110), the codes the contract marks retryable, and
//! AWS's throttling and 5xx errors are worth a second attempt.
//!
//! **Example:** `for (let i = 0; i < 3; i++) { try { return await
//! createOrder(body); } catch (e) { await sleep(2 ** i * 1000); } }` where
//! `createOrder` throws `new ApiError(res.status, …)` for any `!res.ok`.
//!
//! **Fix:** retry only what can succeed on retry, and rethrow the rest at once:
//!
//! ```ts
//! } catch (error) {
//!   const status = error?.status;
//!   const retryable = error?.retryable ?? (status === 408 || status === 425 || status === 429 || status >= 500);
//!   if (!retryable || attempt === maxAttempts - 1) throw error;
//!   await sleep(Math.random() * Math.min(20_000, 2 ** attempt * 1000));
//! }
//! ```
//!
//! For AWS SDKs, leave retries to the SDK (`Config(retries={"mode":
//! "standard"})`) rather than a second loop, or retry only throttling and
//! 5xx error codes.

use super::support::resolve_function;
use crate::finding::{Finding, FixStep};
use crate::model::api::FunctionFacts;
use crate::model::StackModel;
use std::collections::HashMap;

cause!("api-client-retries-non-retryable");

pub fn run(model: &StackModel) -> Vec<Finding> {
    // Functions that throw, by name: a called function not defined in the
    // file or imported from the project is taken when its name is unique.
    let mut throwers: HashMap<&str, Vec<&FunctionFacts>> = HashMap::new();
    for function in model.api.clients.iter().flat_map(|f| &f.functions) {
        if !function.thrown.is_empty() {
            throwers.entry(&function.name).or_default().push(function);
        }
    }
    let mut findings = Vec::new();
    for file in &model.api.clients {
        // A loop whose catch reads nothing of the error retries every failure.
        for retry in file.retry_loops.iter().filter(|r| r.reads.is_empty()) {
            // What raises for 4xx: the `try` itself, or a function it calls.
            let raised = retry
                .raises_here
                .as_ref()
                .map(|at| ("raise_for_status", at.clone()));
            let called = retry.called.iter().find_map(|call| {
                let thrower = resolve_function(model, file, &call.value)
                    .map(|(_, f)| f)
                    .filter(|f| !f.thrown.is_empty())
                    .or_else(|| match throwers.get(call.value.as_str())?.as_slice() {
                        [only] => Some(*only),
                        _ => None,
                    })?;
                Some((call.value.as_str(), thrower.thrown.first()?.origin.clone()))
            });
            let Some((call, thrown_at)) = raised.or(called) else {
                continue;
            };
            let fix = match retry.library.as_deref() {
                Some("tenacity") => msg("rethrow-tenacity"),
                Some("backoff") => msg("rethrow-backoff"),
                Some(_) => msg("rethrow-python"),
                None => msg("rethrow"),
            };
            let finding = Finding::new(CAUSE)
                .subject(call)
                .param("call", call)
                .about_setting()
                .evidence(retry.origin.clone(), msg("loop").with("call", call))
                .evidence(thrown_at, msg("throws").with("call", call));
            findings.push(finding.fix(FixStep::say(fix)));
        }
    }
    // What the logs show: the same request rejected again and again, then given up.
    for retried in &model.api.retried_rejections {
        let mut finding = Finding::new(CAUSE)
            .subject(&retried.request)
            .param("call", &retried.request);
        for answer in &retried.answers {
            finding = finding.evidence(
                answer.clone(),
                msg("log-rejected")
                    .with("request", &retried.request)
                    .with("status", retried.status.to_string()),
            );
        }
        finding = finding.evidence(retried.gave_up.clone(), msg("log-gave-up"));
        findings.push(finding.fix(FixStep::say(msg("rethrow-log"))));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    const CLIENT: &str = "export class ApiError extends Error {\n  constructor(public status: number, message: string) { super(message); }\n}\n\nexport async function createOrder(body: unknown) {\n  const res = await fetch('/api/orders', { method: 'POST', body: JSON.stringify(body) });\n  if (!res.ok) throw new ApiError(res.status, await res.text());\n  return res.json();\n}\n\nexport async function createOrderWithRetry(body: unknown) {\n  for (let attempt = 0; attempt < 3; attempt++) {\n    try {\n      return await createOrder(body);\n    } catch (e) {\n      await new Promise((r) => setTimeout(r, 1000));\n    }\n  }\n}\n";

    #[test]
    fn a_loop_that_retries_every_error_of_a_throwing_call_is_found() {
        let (_dir, model) = test_tree(&[("src/orders.ts", CLIENT)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let at: Vec<u32> = findings[0]
            .evidence
            .iter()
            .filter_map(|e| e.origin.position().map(|p| p.line))
            .collect();
        assert_eq!(at, [12, 7]);
    }

    #[test]
    fn a_loop_that_looks_at_the_error_is_fine() {
        let fixed = CLIENT.replace(
            "    } catch (e) {\n",
            "    } catch (e) {\n      if (e instanceof ApiError && e.status < 500) throw e;\n",
        );
        let (_dir, model) = test_tree(&[("src/orders.ts", fixed.as_str())]);
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn python_retries_without_a_predicate_are_found_and_predicates_are_fine() {
        let client = "import requests\nimport time\nfrom tenacity import retry, stop_after_attempt, retry_if_exception_type\nimport backoff\n\n@retry(stop=stop_after_attempt(5))\ndef create(body):\n    response = requests.post('http://api/orders', json=body)\n    response.raise_for_status()\n    return response\n\n@backoff.on_exception(backoff.expo, requests.exceptions.RequestException, max_tries=5)\ndef fetch(order_id):\n    response = requests.get(f'http://api/orders/{order_id}')\n    response.raise_for_status()\n    return response\n\ndef poll(url):\n    for attempt in range(5):\n        try:\n            r = requests.get(url)\n            r.raise_for_status()\n            return r\n        except requests.HTTPError:\n            time.sleep(1)\n\n@retry(retry=retry_if_exception_type(requests.ConnectionError))\ndef careful(url):\n    return requests.get(url).raise_for_status()\n\n@backoff.on_exception(backoff.expo, requests.exceptions.RequestException, giveup=lambda e: e.response is not None and e.response.status_code < 500)\ndef also_careful(url):\n    return requests.get(url).raise_for_status()\n";
        let (_dir, model) = test_tree(&[("client/orders.py", client)]);
        let findings = super::run(&model);
        let lines: Vec<u32> = findings
            .iter()
            .map(|f| f.evidence[0].origin.position().unwrap().line)
            .collect();
        assert_eq!(lines, [6, 12, 19], "{findings:#?}");
        let keys: Vec<&str> = findings
            .iter()
            .map(|f| f.fix[0].message.key.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "api-client-retries-non-retryable.rethrow-tenacity",
                "api-client-retries-non-retryable.rethrow-backoff",
                "api-client-retries-non-retryable.rethrow-python"
            ]
        );
        let raised = findings[2].evidence[1].origin.position().unwrap();
        assert_eq!((raised.line, raised.column), (22, 13));
    }

    #[test]
    fn the_logs_show_a_rejected_request_retried_until_the_client_gave_up() {
        let log = "INFO HTTP Request: POST http://api/orders \"HTTP/1.1 422 Unprocessable Entity\"\nINFO HTTP Request: POST http://api/orders \"HTTP/1.1 422 Unprocessable Entity\"\nERROR tenacity.RetryError: RetryError[<Future state=finished raised HTTPStatusError>]\n";
        let (_dir, model) = crate::checks::support::test_tree_with(
            &[("worker.log", log)],
            &["--logs", "worker.log"],
        );
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert!(findings[0].observed(), "a failure seen, not a risk");
        assert_eq!(findings[0].params["call"], "POST http://api/orders");
        assert_eq!(findings[0].evidence.len(), 3);
    }
}
