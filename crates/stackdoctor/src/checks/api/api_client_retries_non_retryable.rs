//! # api-client-retries-non-retryable
//!
//! **What it detects:** a retry loop whose `catch` retries whatever was
//! thrown, around a call that throws for every error response (4xx
//! included), so a request the server rejected is sent again unchanged;
//! and, in the logs, the signs of such retries: urllib3's `Max retries
//! exceeded … (Caused by ResponseError('too many 400 error responses'))`,
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

use crate::finding::{Finding, FixStep};
use crate::model::api::FunctionFacts;
use crate::model::StackModel;

cause!("api-client-retries-non-retryable");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let functions: Vec<&FunctionFacts> = model
        .api
        .clients
        .iter()
        .flat_map(|f| &f.functions)
        .collect();
    let mut findings = Vec::new();
    for file in &model.api.clients {
        // A loop whose catch reads nothing of the error retries every failure.
        for retry in file.retry_loops.iter().filter(|r| r.reads.is_empty()) {
            let Some((call, thrower)) = retry.called.iter().find_map(|call| {
                functions
                    .iter()
                    .find(|f| f.name == call.value && !f.thrown.is_empty())
                    .map(|f| (call, *f))
            }) else {
                continue;
            };
            let mut finding = Finding::new(CAUSE)
                .subject(&call.value)
                .param("call", &call.value)
                .about_setting()
                .evidence(retry.origin.clone(), msg("loop").with("call", &call.value));
            if let Some(thrown) = thrower.thrown.first() {
                finding = finding.evidence(
                    thrown.origin.clone(),
                    msg("throws").with("call", &call.value),
                );
            }
            findings.push(finding.fix(FixStep::say(msg("rethrow"))));
        }
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
}
