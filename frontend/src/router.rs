//! The workbench's own small router: the path of `location` as state, `history.pushState` to
//! move, and the few pieces the pages use (`BrowserRouter`, `Switch`, `Link`, `Redirect`,
//! `use_route`, `use_navigator`).
//!
//! It replaces yew-router, whose route matcher, history library and query and state support
//! weighed about 10 KB of the 300 KB gzipped page budget (`BENCHMARKS.md` section 3) for
//! fifteen fixed paths and two with an id.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// A set of pages, each at a path.
pub trait Routable: Clone + PartialEq + 'static {
    /// The path of this page, such as `/lessons/call-api`.
    fn to_path(&self) -> String;

    /// The page at `path`, if this set has one.
    fn recognize(path: &str) -> Option<Self>;
}

/// The path segments of `path` (no query, no fragment), without empty ones: `/a//b/` is `a`,
/// `b`, and `/` is none.
pub fn segments(path: &str) -> Vec<&str> {
    path.split(['?', '#']).next().unwrap_or_default().split('/').filter(|s| !s.is_empty()).collect()
}

/// The current path, shared by [`BrowserRouter`] with everything below it.
#[derive(Clone, PartialEq)]
struct Location {
    path: UseStateHandle<AttrValue>,
}

/// The browser's current path, or `/` when there is no window (never in a browser).
fn current_path() -> AttrValue {
    let path = web_sys::window().and_then(|window| window.location().pathname().ok());
    AttrValue::from(path.unwrap_or_else(|| "/".to_owned()))
}

/// Props of [`BrowserRouter`].
#[derive(Properties, PartialEq)]
pub struct BrowserRouterProps {
    /// The app.
    pub children: Html,
}

/// Follows the address bar: the path at start, each `pushState` made here, and back and
/// forward (`popstate`).
#[component]
pub fn BrowserRouter(props: &BrowserRouterProps) -> Html {
    // Hooks.
    let path = use_state(current_path);

    // Effects: back and forward change the path; the listener goes when the router does.
    {
        let path = path.clone();
        use_effect_with((), move |()| {
            let window = web_sys::window();
            let listener = Closure::<dyn Fn()>::new(move || path.set(current_path()));
            // Adding a listener to a window fails only for a bad callback, never this one.
            if let Some(window) = &window {
                let callback = listener.as_ref().unchecked_ref();
                let _ = window.add_event_listener_with_callback("popstate", callback);
            }
            move || {
                if let Some(window) = &window {
                    let callback = listener.as_ref().unchecked_ref();
                    let _ = window.remove_event_listener_with_callback("popstate", callback);
                }
            }
        });
    }

    html! {
        <ContextProvider<Location> context={Location { path }}>
            { props.children.clone() }
        </ContextProvider<Location>>
    }
}

/// Moves to another page: a new history entry, then the new path for every router user.
#[derive(Clone, PartialEq)]
pub struct Navigator {
    path: UseStateHandle<AttrValue>,
}

impl Navigator {
    /// Goes to `route`, as a click on a link to it would.
    pub fn push<R: Routable>(&self, route: &R) {
        let path = route.to_path();
        if let Some(history) = web_sys::window().and_then(|window| window.history().ok()) {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
        self.path.set(AttrValue::from(path));
    }
}

/// The [`Navigator`], inside a [`BrowserRouter`].
#[hook]
pub fn use_navigator() -> Option<Navigator> {
    use_context::<Location>().map(|location| Navigator { path: location.path })
}

/// The page of `R` at the current path, inside a [`BrowserRouter`].
#[hook]
pub fn use_route<R: Routable>() -> Option<R> {
    use_context::<Location>().and_then(|location| R::recognize(&location.path))
}

/// Props of [`Switch`].
#[derive(Properties, PartialEq)]
pub struct SwitchProps<R: Routable> {
    /// Renders the page of a route.
    pub render: Callback<R, Html>,
}

/// The page of the current path; nothing when `R` has none there.
#[component]
pub fn Switch<R: Routable>(props: &SwitchProps<R>) -> Html {
    // Hooks.
    let route = use_route::<R>();

    route.map(|route| props.render.emit(route)).unwrap_or_default()
}

/// Props of [`Link`].
#[derive(Properties, PartialEq)]
pub struct LinkProps<R: Routable> {
    /// Where the link goes.
    pub to: R,
    /// Classes of the `<a>`.
    #[prop_or_default]
    pub classes: Classes,
    /// The link's content.
    #[prop_or_default]
    pub children: Html,
}

/// An `<a href>` to a page of the app that moves without reloading it.
#[component]
pub fn Link<R: Routable>(props: &LinkProps<R>) -> Html {
    // Hooks.
    let navigator = use_navigator();

    // Callbacks.
    let onclick = {
        let to = props.to.clone();
        Callback::from(move |event: MouseEvent| {
            event.prevent_default();
            if let Some(navigator) = &navigator {
                navigator.push(&to);
            }
        })
    };

    html! {
        <a href={props.to.to_path()} class={props.classes.clone()} {onclick}>
            { props.children.clone() }
        </a>
    }
}

/// Props of [`Redirect`].
#[derive(Properties, PartialEq)]
pub struct RedirectProps<R: Routable> {
    /// Where to go.
    pub to: R,
}

/// Goes to `to` as soon as it is shown.
#[component]
pub fn Redirect<R: Routable>(props: &RedirectProps<R>) -> Html {
    // Hooks.
    let navigator = use_navigator();

    // Effects: move once rendered, not while rendering.
    {
        let to = props.to.clone();
        use_effect_with((), move |()| {
            if let Some(navigator) = navigator {
                navigator.push(&to);
            }
        });
    }

    Html::default()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn segments_skip_empty_parts_the_query_and_the_fragment() {
        assert_eq!(segments("/"), Vec::<&str>::new());
        assert_eq!(segments("/lessons//call-api/"), ["lessons", "call-api"]);
        assert_eq!(segments("/tokens?x=1#top"), ["tokens"]);
    }
}
