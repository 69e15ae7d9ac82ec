//! The authorization URL with each parameter highlighted and explained on hover or focus.

use yew::prelude::*;

use crate::params;

/// A parameter's explanation, from the backend's breakdown or the workbench's own table.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The parameter name.
    pub name: String,
    /// What it does.
    pub meaning: String,
    /// Where the spec defines it.
    pub spec: String,
}

/// Props of [`UrlPreview`].
#[derive(Properties, PartialEq)]
pub struct UrlPreviewProps {
    /// The URL.
    pub url: AttrValue,
    /// Explanations by parameter name; names missing here use the workbench's own.
    #[prop_or_default]
    pub explained: Vec<Explained>,
}

/// The URL written out, each `name=value` a focusable mark whose explanation shows on hover or
/// focus and is tied to it for screen readers.
#[component]
pub fn UrlPreview(props: &UrlPreviewProps) -> Html {
    // Derived values.
    let (base, parts) = params::split_query(&props.url);
    let explain = |name: &str| -> (String, String) {
        match props.explained.iter().find(|explained| explained.name == name) {
            Some(explained) => (explained.meaning.clone(), explained.spec.clone()),
            None => params::explain(name)
                .map(|(meaning, spec)| (meaning.to_owned(), spec.to_owned()))
                .unwrap_or_else(|| ("An extra parameter, sent as given.".into(), String::new())),
        }
    };

    html! {
        <div class="url-preview">
            <p class="url" aria-label="Authorization URL">
                <span class="url-base">{ base }</span>
                { for parts.iter().enumerate().map(|(index, part)| {
                    let (meaning, spec) = explain(&part.name);
                    let tip = format!("param-tip-{index}");
                    html! {
                        <>
                            if index > 0 { <span class="amp">{ "&" }</span> }
                            <span class="param" tabindex="0" aria-describedby={tip.clone()}
                                  data-name={part.name.clone()}>
                                { &part.raw }
                                <span class="tip" role="tooltip" id={tip}>
                                    <strong>{ &part.name }</strong>{ ": " }{ meaning }
                                    if !spec.is_empty() { <span class="spec">{ spec }</span> }
                                </span>
                            </span>
                        </>
                    }
                }) }
            </p>
            <table class="breakdown">
                <caption>{ "Every parameter, decoded" }</caption>
                <thead><tr>
                    <th scope="col">{ "Parameter" }</th>
                    <th scope="col">{ "Value" }</th>
                    <th scope="col">{ "What it does" }</th>
                </tr></thead>
                <tbody>
                    { for parts.iter().map(|part| {
                        let (meaning, spec) = explain(&part.name);
                        html! {
                            <tr>
                                <th scope="row"><code>{ &part.name }</code></th>
                                <td><code class="value">{ &part.value }</code></td>
                                <td>{ meaning }
                                    if !spec.is_empty() { <span class="spec">{ spec }</span> }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}
