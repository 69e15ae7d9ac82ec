//! Errors that no input of a panel shows beside it, shown at the top of the panel.

use yew::prelude::*;

use crate::error::Error;

/// Props of [`ListErrors`].
#[derive(Properties, PartialEq)]
pub struct ListErrorsProps {
    /// The last failure, if any.
    pub error: Option<Error>,
    /// The fields whose errors the panel shows beside an input ([`FieldError`] or
    /// [`TextField`]); an error naming any other field, or none, is shown here. Empty unless
    /// set.
    ///
    /// [`FieldError`]: super::FieldError
    /// [`TextField`]: super::TextField
    #[prop_or_default]
    pub beside: Vec<&'static str>,
}

/// Shows as an alert the error no input of the panel shows, so no failure goes unseen.
#[component]
pub fn ListErrors(props: &ListErrorsProps) -> Html {
    let Some(error) = props.error.as_ref().filter(|error| error.is_general(&props.beside)) else {
        return html! {};
    };

    // Derived values: a backend error shows its stable code too, for searching the docs.
    let code = match error {
        Error::Api { body, status } => format!("{} (HTTP {status})", body.error),
        Error::Network(_) => "network".to_owned(),
        Error::Decode { status, .. } => format!("unexpected answer (HTTP {status})"),
    };

    html! {
        <div class="errors" role="alert">
            <strong>{ code }</strong>
            <p>{ super::prose(&error.to_string()) }</p>
        </div>
    }
}
