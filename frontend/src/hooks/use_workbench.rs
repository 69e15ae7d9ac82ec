//! `use_workbench`: the shared workbench state, as the shell provides it.

use yew::prelude::*;

use crate::state::{Workbench, WorkbenchContext};

/// The workbench state (session and timeline); an empty one outside the shell, as in a
/// component test. Cloning it is cheap: its parts are reference-counted.
///
/// ```ignore
/// let workbench = use_workbench();
/// let tokens = workbench.session.as_ref().and_then(|session| session.tokens.clone());
/// ```
#[hook]
pub fn use_workbench() -> Workbench {
    use_context::<WorkbenchContext>().map(|handle| (*handle).clone()).unwrap_or_default()
}
