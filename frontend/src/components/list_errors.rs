//! Errors that concern no field in particular, shown at the top of a panel.

use yew::prelude::*;

use crate::error::Error;

/// Props of [`ListErrors`].
#[derive(Properties, PartialEq)]
pub struct ListErrorsProps {
    /// The last failure, if any.
    pub error: Option<Error>,
}

/// Shows a general error as an alert; errors that name a field are left to [`FieldError`].
///
/// [`FieldError`]: super::FieldError
#[component]
pub fn ListErrors(props: &ListErrorsProps) -> Html {
    let Some(error) = props.error.as_ref().filter(|error| error.is_general()) else {
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
