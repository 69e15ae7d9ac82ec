//! `use_request`: one network action of a page, with its busy flag, its error and its answer.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::error::Error;
use crate::state::{WorkbenchAction, WorkbenchContext};

/// Where one action stands.
#[derive(Debug, PartialEq)]
pub struct RequestState<T> {
    /// Whether it runs now.
    pub busy: bool,
    /// Why the last run failed.
    pub error: Option<Error>,
    /// What the last successful run answered.
    pub data: Option<Rc<T>>,
}

/// The handle [`use_request`] returns.
pub struct RequestHandle<T> {
    state: UseStateHandle<RequestState<T>>,
    workbench: Option<WorkbenchContext>,
}

impl<T> Clone for RequestHandle<T> {
    fn clone(&self) -> Self {
        Self { state: self.state.clone(), workbench: self.workbench.clone() }
    }
}

impl<T> std::ops::Deref for RequestHandle<T> {
    type Target = RequestState<T>;

    fn deref(&self) -> &Self::Target {
        &self.state
    }
}

impl<T: 'static> RequestHandle<T> {
    /// Runs `future`: busy until it ends, then its answer or its error. The workbench then
    /// fetches the session and timeline again, since the action may have changed them.
    pub fn run<F>(&self, future: F)
    where
        F: Future<Output = Result<T, Error>> + 'static,
    {
        self.run_boxed(Box::pin(future), true);
    }

    /// Runs `future` like [`Self::run`], but for an action that only reads (a catalogue, the
    /// progress): the workbench is not refetched. An effect that depends on the workbench's
    /// revision must read this way, or each run would trigger the next one.
    pub fn read<F>(&self, future: F)
    where
        F: Future<Output = Result<T, Error>> + 'static,
    {
        self.run_boxed(Box::pin(future), false);
    }

    /// [`Self::run`] once per answer type, not once per call site: the bundle stays small.
    /// `changes` says whether the action may have changed the session.
    fn run_boxed(&self, future: Pin<Box<dyn Future<Output = Result<T, Error>>>>, changes: bool) {
        let state = self.state.clone();
        let workbench = self.workbench.clone().filter(|_| changes);
        state.set(RequestState { busy: true, error: None, data: state.data.clone() });

        spawn_local(async move {
            let next = match future.await {
                Ok(data) => RequestState { busy: false, error: None, data: Some(Rc::new(data)) },
                Err(error) => RequestState { busy: false, error: Some(error), data: None },
            };
            // Mark the session stale first, so no render pairs this answer with the old session.
            if let Some(workbench) = workbench {
                workbench.dispatch(WorkbenchAction::Changed);
            }
            state.set(next);
        });
    }
}

/// A network action's state: busy, error, answer, and a `run` that starts it.
///
/// ```ignore
/// let redeem = use_request::<Outcome>();
/// let onclick = { let redeem = redeem.clone(); move |_| redeem.run(api::redeem(&body)) };
/// html! { <SubmitButton busy={redeem.busy} ... /> }
/// ```
#[hook]
pub fn use_request<T: 'static>() -> RequestHandle<T> {
    let state = use_state(|| RequestState { busy: false, error: None, data: None });
    let workbench = use_context::<WorkbenchContext>();
    RequestHandle { state, workbench }
}
