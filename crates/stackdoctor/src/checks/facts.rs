//! Facts: what several checks derive from the model, computed once per run.
//!
//! Some analyses serve several checks: the catalogue's verdict on each model a
//! Bedrock client calls (read by the five Bedrock checks and by the IAM
//! evaluation) and the IAM evaluation of each of those calls (read by the two
//! IAM checks). [`run_all`](super::run_all) builds one [`Facts`] over the model
//! and hands it to every check. Each analysis sits in a [`OnceCell`], filled the
//! first time a check asks for it: a run computes it at most once, and a run
//! with no Bedrock client never does. The analyses themselves stay in their
//! family's `support.rs`; checks read them only through these accessors.
//! Checks that need no derived fact keep taking the `StackModel` (`check!`
//! hands them `facts.model`). A new shared analysis: a field, an accessor.

use super::aws::support::{iam_calls, IamCall};
use super::bedrock::support::{model_verdicts, regionless_verdicts, ModelVerdict};
use crate::model::service_names::ServiceNames;
use crate::model::StackModel;
use std::cell::OnceCell;

/// The model of a run and the analyses derived from it, each computed on first use.
pub struct Facts<'m> {
    pub model: &'m StackModel,
    verdicts: OnceCell<Vec<ModelVerdict<'m>>>,
    regionless: OnceCell<Vec<ModelVerdict<'m>>>,
    iam: OnceCell<Vec<IamCall<'m>>>,
    names: OnceCell<ServiceNames>,
}

impl<'m> Facts<'m> {
    pub fn new(model: &'m StackModel) -> Self {
        Facts {
            model,
            verdicts: OnceCell::new(),
            regionless: OnceCell::new(),
            iam: OnceCell::new(),
            names: OnceCell::new(),
        }
    }

    /// Every model of every client whose region is known, judged by the catalogue.
    pub fn model_verdicts(&self) -> &[ModelVerdict<'m>] {
        self.verdicts.get_or_init(|| model_verdicts(self.model))
    }

    /// Every model of every client whose region is not known, judged by the catalogue.
    pub fn regionless_verdicts(&self) -> &[ModelVerdict<'m>] {
        self.regionless
            .get_or_init(|| regionless_verdicts(self.model))
    }

    /// The DNS names (service, container, alias) of every service, looked up
    /// without scanning the services.
    pub fn service_names(&self) -> &ServiceNames {
        self.names
            .get_or_init(|| ServiceNames::of(&self.model.services))
    }

    /// What the project's IAM policies say of each call of [`Facts::model_verdicts`].
    pub fn iam_calls(&self) -> &[IamCall<'m>] {
        self.iam
            .get_or_init(|| iam_calls(self.model, self.model_verdicts()))
    }
}

// The analyses that ran on this thread, for the test below (a test runs
// its checks on its own thread).
#[cfg(test)]
thread_local! {
    static RUNS: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records that the analysis `name` ran (tests only).
#[cfg(test)]
pub(super) fn count(name: &'static str) {
    RUNS.with(|runs| runs.borrow_mut().push(name));
}

#[cfg(test)]
mod tests {
    use super::RUNS;
    use crate::checks::support::test_tree;

    /// A Bedrock client with a region and a policy file: every check that reads
    /// the verdicts or the IAM calls runs, and each analysis runs once.
    #[test]
    fn each_analysis_runs_once_per_run() {
        let (_dir, model) = test_tree(&[
            ("compose.yaml", "services:\n  app:\n    build: .\n    environment:\n      AWS_DEFAULT_REGION: us-east-1\n"),
            ("app.py", "import boto3\nclient = boto3.client(\"bedrock-runtime\")\nclient.converse(modelId=\"anthropic.claude-3-5-sonnet-20240620-v1:0\", messages=[])\n"),
            ("policy.json", "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"bedrock:InvokeModel\", \"Resource\": \"*\"}]}\n"),
        ]);
        let facts = crate::checks::Facts::new(&model);
        assert_eq!(
            facts.model_verdicts().len(),
            1,
            "the test needs a judged model"
        );
        assert!(!facts.iam_calls()[0].results.is_empty(), "and an IAM call");
        RUNS.with(|runs| runs.borrow_mut().clear());
        crate::checks::run_all(&model);
        let runs = RUNS.with(|runs| runs.borrow().clone());
        for name in ["model_verdicts", "regionless_verdicts", "iam_calls"] {
            let times = runs.iter().filter(|r| **r == name).count();
            assert_eq!(times, 1, "{name} ran {times} times: {runs:?}");
        }
    }
}
