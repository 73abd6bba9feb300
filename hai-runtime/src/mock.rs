//! Typed mocks for tests (feature `test-util`): a transport that answers from rules keyed by
//! the generated request types, so code that calls Tencent Cloud is tested without a network
//! or an emulator.
//!
//! A [`Mock`] holds rules; a client built over it ([`Mock::builder`], or
//! [`ConfigBuilder::mock`](crate::ConfigBuilder::mock) on any builder) sends every call to
//! it instead of the network. Everything above the transport runs as usual: the request is
//! serialised and signed (so missing or malformed credentials fail as they would), rate
//! limits and retries apply, deadlines hold, answers are classified and decoded by the same
//! code, and paginators and waiters run their loops over it.
//!
//! ```
//! # #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! # struct StopInstanceRequest { #[serde(rename = "InstanceId")] instance_id: String }
//! # #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Default)]
//! # struct StopInstanceResponse { #[serde(rename = "RequestId", default)] request_id: String }
//! # static SERVICE: hai_runtime::ServiceMeta = hai_runtime::ServiceMeta {
//! #     name: "hai", version: "2023-08-12", host: "hai.tencentcloudapi.com",
//! #     regional_host: None, signing_service: "hai", region_required: true };
//! # impl hai_runtime::Action for StopInstanceRequest {
//! #     type Output = StopInstanceResponse;
//! #     type Error = hai_runtime::ErrorMetadata;
//! #     const META: &'static hai_runtime::ActionMeta = &hai_runtime::ActionMeta {
//! #         service: &SERVICE, name: "StopInstance", rate_limit: None, idempotent: false,
//! #         read_only: false, idempotency_token: None };
//! # }
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! use hai_runtime::mock::{Mock, MockFailure};
//!
//! let mock = Mock::new();
//! // `StopInstance` of hai-dunyfddn: throttled once, then accepted.
//! let stop = mock
//!     .on::<StopInstanceRequest>()
//!     .matching(|r| r.instance_id == "hai-dunyfddn")
//!     .error("RequestLimitExceeded", "too many requests")
//!     .output(StopInstanceResponse::default());
//! // Any other instance: the connection is refused, every time.
//! mock.on::<StopInstanceRequest>()
//!     .failure(MockFailure::ConnectionRefused)
//!     .repeatedly();
//!
//! // A generated tree's `Client::builder()` works the same way (`Mock::builder::<Client>()`).
//! let config: hai_runtime::Config = mock.builder().build().unwrap();
//! let request = StopInstanceRequest { instance_id: "hai-dunyfddn".into() };
//! let out = config.call(request).await.unwrap();
//! assert!(out.request_id.starts_with("mock-"));
//! assert_eq!(stop.calls(), 2); // the throttled attempt was retried
//! assert_eq!(stop.requests()[0].instance_id, "hai-dunyfddn");
//! # }
//! ```
//!
//! # Rules
//!
//! [`Mock::on::<A>()`](Mock::on) adds a rule for the action of request type `A` (any
//! generated request: they are `Serialize` and `Deserialize`, and their outputs too). A rule
//! matches every request of its action, or those its [`matching`](Rule::matching) closure
//! accepts; the closure sees the typed request, decoded from the body that was signed and
//! sent. Its answers come in sequence, each given once unless [`times`](Rule::times) or
//! [`repeatedly`](Rule::repeatedly) says otherwise:
//!
//! - [`output`](Rule::output): a success, the typed output (its `RequestId`, when empty,
//!   becomes `mock-<n>`);
//! - [`error`](Rule::error): a service error envelope with that code and message, typed by
//!   the action's error enum as a real answer would be (`RequestLimitExceeded` is throttling
//!   and is retried, `InternalError` is transient, ...);
//! - [`failure`](Rule::failure): a dispatch failure ([`MockFailure`]: refused, connect
//!   timeout, reset, timeout), classified for retries like the real one;
//! - [`http`](Rule::http): any status and body, for answers that are not envelopes.
//!
//! Each call goes to the first rule, in the order they were added, whose action matches,
//! whose closure accepts the request and which has answers left. A rule that has given all
//! its answers no longer matches, so a later rule for the same request takes over. A call
//! that no rule answers fails with [`Error::Dispatch`](crate::Error::Dispatch) of kind
//! [`DispatchErrorKind::NoMockAnswer`](crate::error::DispatchErrorKind::NoMockAnswer),
//! naming the action; it is never retried.
//!
//! Every rule counts the calls it answered ([`Rule::calls`]) and keeps their requests
//! ([`Rule::requests`]); [`Mock::requests`] has every request of an action, answered or not.
//!
//! Retry backoff, rate-limit waits and waiter delays sleep on tokio's clock as they do over
//! the network: run the test with a paused clock (`#[tokio::test(start_paused = true)]`,
//! which tokio's `test-util` feature provides) or give the client short policies. The
//! matching closure runs on the calling task and must not call the mock.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::action::Action;
use crate::client::transport::{SendFailure, SendFailureKind};
use crate::client::{ConfigBuilder, FromConfig};
use crate::credentials::Credentials;

/// A dispatch failure a rule answers with, classified like the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MockFailure {
    /// The connection was refused: not sent (retried).
    ConnectionRefused,
    /// Connecting timed out: not sent (retried).
    ConnectTimeout,
    /// The connection broke after the request was written: it may have reached the server
    /// (retried only for read-only or idempotent actions, or when the caller opts in).
    ConnectionReset,
    /// The attempt timed out waiting for the answer: it may have reached the server
    /// (retried like a reset).
    Timeout,
}

/// A set of rules that answers calls in place of the network; cheap to clone (clones share
/// the rules and their counts). See the [module documentation](self).
#[derive(Clone, Default)]
pub struct Mock {
    shared: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    rules: Vec<RuleState>,
    /// Every call received, in order.
    log: Vec<Logged>,
    /// Answers given, for the generated `RequestId`s.
    answered: u64,
}

struct Logged {
    action: String,
    version: String,
    body: Bytes,
    answered: bool,
}

type Matcher = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

struct RuleState {
    action: &'static str,
    version: &'static str,
    matcher: Option<Matcher>,
    answers: VecDeque<(Answer, Repeat)>,
    calls: usize,
    requests: Vec<Bytes>,
}

#[derive(Clone)]
enum Answer {
    /// A success: the `Response` object (its `RequestId` filled in when empty).
    Output(Result<serde_json::Value, String>),
    /// A service error envelope.
    Error { code: String, message: String },
    /// A dispatch failure.
    Failure(MockFailure),
    /// Status and body as given.
    Http { status: u16, body: Bytes },
}

#[derive(Clone, Copy)]
enum Repeat {
    Times(usize),
    Always,
}

impl fmt::Debug for Mock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Mock")
            .field(
                "rules",
                &state.rules.iter().map(|r| r.action).collect::<Vec<_>>(),
            )
            .field("calls", &state.log.len())
            .finish()
    }
}

impl Mock {
    /// A mock without rules: every call fails with `NoMockAnswer` until rules are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule for the action of `A`, matching every request of it until
    /// [`matching`](Rule::matching) narrows it; give it answers with the [`Rule`] methods.
    pub fn on<A: Action + DeserializeOwned>(&self) -> Rule<A> {
        let mut state = self.state();
        state.rules.push(RuleState {
            action: A::META.name,
            version: A::META.service.version,
            matcher: None,
            answers: VecDeque::new(),
            calls: 0,
            requests: Vec::new(),
        });
        Rule {
            mock: self.clone(),
            index: state.rules.len() - 1,
            request: PhantomData,
        }
    }

    /// A configuration builder for client `C` (a generated `Client`, its blocking client, or
    /// [`Config`](crate::Config)) that sends every call to this mock, with region
    /// `ap-guangzhou`, static test credentials, and nothing read from the environment.
    /// Change any setting on it (other credentials, retry policy, timeouts) before `build`.
    pub fn builder<C: FromConfig>(&self) -> ConfigBuilder<C> {
        ConfigBuilder::new()
            .region("ap-guangzhou")
            .credentials(Credentials::new(
                "AKIDmockmockmockmockmockmockmockmock",
                "mock-secret-key",
                None,
            ))
            .endpoint_from_env(false)
            .mock(self)
    }

    /// Every request of `A`'s action this mock received, answered or not, in order.
    pub fn requests<A: Action + DeserializeOwned>(&self) -> Vec<A> {
        let state = self.state();
        state
            .log
            .iter()
            .filter(|l| l.action == A::META.name && l.version == A::META.service.version)
            .filter_map(|l| serde_json::from_slice(&l.body).ok())
            .collect()
    }

    /// How many calls (attempts) this mock received, of any action.
    pub fn calls(&self) -> usize {
        self.state().log.len()
    }

    /// The actions of the calls no rule answered, in order.
    pub fn unanswered(&self) -> Vec<String> {
        let state = self.state();
        state
            .log
            .iter()
            .filter(|l| !l.answered)
            .map(|l| l.action.clone())
            .collect()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held (a test's assertion) leaves the rules usable.
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers one attempt: the transport's `send` for a mocked client.
    pub(crate) fn answer(
        &self,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<(u16, Bytes), SendFailure> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (action, version) = (header("x-tc-action"), header("x-tc-version"));
        // The closures run without the lock; the answer is taken under it, from the first
        // rule that accepted the request and still has answers.
        let candidates: Vec<(usize, Option<Matcher>)> = {
            let state = self.state();
            state
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    r.action == action && r.version == version && !r.answers.is_empty()
                })
                .map(|(i, r)| (i, r.matcher.clone()))
                .collect()
        };
        let accepted: Vec<usize> = candidates
            .into_iter()
            .filter(|(_, m)| m.as_ref().is_none_or(|m| m(body)))
            .map(|(i, _)| i)
            .collect();
        let mut state = self.state();
        let taken = accepted.into_iter().find_map(|i| {
            let rule = &mut state.rules[i];
            let answer = take(&mut rule.answers)?;
            rule.calls += 1;
            rule.requests.push(body.clone());
            Some(answer)
        });
        state.log.push(Logged {
            action: action.clone(),
            version,
            body: body.clone(),
            answered: taken.is_some(),
        });
        let Some(answer) = taken else {
            let why = unanswered_reason(&state, &action);
            return Err(failure(SendFailureKind::NoMockAnswer, MockError(why)));
        };
        state.answered += 1;
        let request_id = format!("mock-{}", state.answered);
        drop(state);
        match answer {
            Answer::Output(Ok(mut value)) => {
                if let serde_json::Value::Object(map) = &mut value {
                    let empty = match map.get("RequestId") {
                        None | Some(serde_json::Value::Null) => true,
                        Some(serde_json::Value::String(s)) => s.is_empty(),
                        Some(_) => false,
                    };
                    if empty {
                        map.insert("RequestId".into(), request_id.into());
                    }
                }
                let envelope = serde_json::json!({ "Response": value });
                Ok((200, Bytes::from(envelope.to_string())))
            }
            Answer::Output(Err(why)) => Err(failure(
                SendFailureKind::NoMockAnswer,
                MockError(format!(
                    "the mock output for {action} did not serialise: {why}"
                )),
            )),
            Answer::Error { code, message } => {
                let envelope = serde_json::json!({ "Response": {
                    "Error": { "Code": code, "Message": message },
                    "RequestId": request_id,
                }});
                Ok((200, Bytes::from(envelope.to_string())))
            }
            Answer::Http { status, body } => Ok((status, body)),
            Answer::Failure(f) => Err(match f {
                MockFailure::ConnectionRefused => failure(
                    SendFailureKind::Connect,
                    std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
                ),
                MockFailure::ConnectTimeout => failure(
                    SendFailureKind::ConnectTimeout,
                    std::io::Error::from(std::io::ErrorKind::TimedOut),
                ),
                MockFailure::ConnectionReset => failure(
                    SendFailureKind::Io,
                    std::io::Error::from(std::io::ErrorKind::ConnectionReset),
                ),
                MockFailure::Timeout => failure(
                    SendFailureKind::Timeout,
                    std::io::Error::from(std::io::ErrorKind::TimedOut),
                ),
            }),
        }
    }
}

/// The next answer of a rule, counting it off.
fn take(answers: &mut VecDeque<(Answer, Repeat)>) -> Option<Answer> {
    let (answer, repeat) = answers.front_mut()?;
    let answer = answer.clone();
    match repeat {
        Repeat::Always => {}
        Repeat::Times(n) => {
            *n = n.saturating_sub(1);
            if *n == 0 {
                answers.pop_front();
            }
        }
    }
    Some(answer)
}

fn unanswered_reason(state: &State, action: &str) -> String {
    let rules: Vec<&RuleState> = state.rules.iter().filter(|r| r.action == action).collect();
    if rules.is_empty() {
        format!("no mock rule for {action}: add one with `Mock::on`")
    } else if rules.iter().all(|r| r.answers.is_empty()) {
        let calls: usize = rules.iter().map(|r| r.calls).sum();
        format!(
            "the mock rules for {action} gave all their answers ({calls} calls answered); \
             add answers, or `repeatedly()` for the last one"
        )
    } else {
        format!(
            "no mock rule for {action} matches this request ({} rules for it)",
            rules.len()
        )
    }
}

fn failure(
    kind: SendFailureKind,
    source: impl std::error::Error + Send + Sync + 'static,
) -> SendFailure {
    SendFailure::new(kind, Box::new(source))
}

/// Why the mock had no answer; the source of a `NoMockAnswer` dispatch error.
#[derive(Debug)]
struct MockError(String);

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MockError {}

/// One rule of a [`Mock`] for the action of request type `A`: its matching closure, its
/// answers and its counts. The methods that configure it return it, so it can be bound
/// after the last one to check its counts. The rule is part of the mock from
/// [`Mock::on`] on, whether or not the value is kept. Cheap to clone; clones are the same
/// rule.
pub struct Rule<A> {
    mock: Mock,
    index: usize,
    request: PhantomData<fn() -> A>,
}

impl<A> Clone for Rule<A> {
    fn clone(&self) -> Self {
        Rule {
            mock: self.mock.clone(),
            index: self.index,
            request: PhantomData,
        }
    }
}

impl<A: Action> fmt::Debug for Rule<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.mock.state();
        let rule = &state.rules[self.index];
        f.debug_struct("Rule")
            .field("action", &A::META.name)
            .field("answers_left", &rule.answers.len())
            .field("calls", &rule.calls)
            .finish()
    }
}

impl<A: Action + DeserializeOwned> Rule<A> {
    fn edit(self, f: impl FnOnce(&mut RuleState)) -> Self {
        {
            let mut state = self.mock.state();
            f(&mut state.rules[self.index]);
        }
        self
    }

    fn push(self, answer: Answer) -> Self {
        self.edit(|r| r.answers.push_back((answer, Repeat::Times(1))))
    }

    /// Answers only requests `accept` returns `true` for (replacing an earlier closure).
    pub fn matching(self, accept: impl Fn(&A) -> bool + Send + Sync + 'static) -> Self {
        let matcher: Matcher = Arc::new(move |body: &[u8]| {
            serde_json::from_slice::<A>(body).is_ok_and(|request| accept(&request))
        });
        self.edit(|r| r.matcher = Some(matcher))
    }

    /// Answers with `output`, a success.
    pub fn output(self, output: A::Output) -> Self
    where
        A::Output: Serialize,
    {
        let value = serde_json::to_value(&output).map_err(|e| e.to_string());
        self.push(Answer::Output(value))
    }

    /// Answers with a service error of `code` (e.g. `RequestLimitExceeded`,
    /// `InvalidParameterValue.InstanceIdNotFound`) and `message`.
    pub fn error(self, code: impl Into<String>, message: impl Into<String>) -> Self {
        self.push(Answer::Error {
            code: code.into(),
            message: message.into(),
        })
    }

    /// Answers with a dispatch failure.
    pub fn failure(self, failure: MockFailure) -> Self {
        self.push(Answer::Failure(failure))
    }

    /// Answers with an HTTP status and body as given (a proxy's page, a truncated envelope).
    pub fn http(self, status: u16, body: impl Into<Vec<u8>>) -> Self {
        self.push(Answer::Http {
            status,
            body: Bytes::from(body.into()),
        })
    }

    /// Gives the last answer `n` times in all (0: never). No effect before the first answer.
    pub fn times(self, n: usize) -> Self {
        self.edit(|r| {
            if n == 0 {
                r.answers.pop_back();
            } else if let Some(last) = r.answers.back_mut() {
                last.1 = Repeat::Times(n);
            }
        })
    }

    /// Gives the last answer for every further call. No effect before the first answer.
    pub fn repeatedly(self) -> Self {
        self.edit(|r| {
            if let Some(last) = r.answers.back_mut() {
                last.1 = Repeat::Always;
            }
        })
    }

    /// How many calls (attempts: a retried call counts once per attempt) this rule answered.
    pub fn calls(&self) -> usize {
        self.mock.state().rules[self.index].calls
    }

    /// The requests this rule answered, in order.
    pub fn requests(&self) -> Vec<A> {
        let state = self.mock.state();
        state.rules[self.index]
            .requests
            .iter()
            .filter_map(|body| serde_json::from_slice(body).ok())
            .collect()
    }

    /// Whether every answer was given (a rule with a `repeatedly` answer never is).
    pub fn is_done(&self) -> bool {
        self.mock.state().rules[self.index].answers.is_empty()
    }
}
