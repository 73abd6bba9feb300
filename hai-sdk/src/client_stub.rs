//! TEMPORARY stand-in for the runtime client, replaced when the runtime lands.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::action::Action;
use crate::error::Error;

/// Stand-in client.
#[derive(Clone, Debug, Default)]
pub struct Client {}

/// Stand-in pending call.
pub struct Call<'a, A: Action> {
    _client: &'a Client,
    _input: A,
}

impl Client {
    /// Stand-in generic call.
    pub fn call<A: Action>(&self, input: A) -> Call<'_, A> {
        Call {
            _client: self,
            _input: input,
        }
    }
}

impl<'a, A: Action> IntoFuture for Call<'a, A> {
    type Output = Result<A::Output, Error<A::Error>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async { Err(Error::Other("runtime not yet merged".into())) })
    }
}
