//! `use_local_draft`: state that survives a reload, kept in `localStorage`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use yew::prelude::*;

/// A state handle whose value is read from `localStorage[key]` at mount and written back on
/// every change.
///
/// Only drafts belong here: never a secret, a code or a token (Web Storage is readable by any
/// script on the page). A stored value that no longer parses is dropped for `default`.
///
/// ```ignore
/// let draft = use_local_draft("grantlab.api-call", ApiCallDraft::default);
/// draft.set(ApiCallDraft { url, ..(*draft).clone() });
/// ```
#[hook]
pub fn use_local_draft<T, F>(key: &'static str, default: F) -> UseStateHandle<T>
where
    T: Serialize + DeserializeOwned + PartialEq + Clone + 'static,
    F: FnOnce() -> T,
{
    let draft = use_state(move || load_draft(key).unwrap_or_else(default));

    {
        use_effect_with((*draft).clone(), move |value| save_draft(key, value));
    }

    draft
}

/// Reads and parses `localStorage[key]`.
pub fn load_draft<T: DeserializeOwned>(key: &str) -> Option<T> {
    let stored = storage()?.get_item(key).ok()??;
    serde_json::from_str(&stored).ok()
}

/// Writes `value` as JSON to `localStorage[key]`. Storage may be off (private mode): the
/// draft then lives only as long as the page.
pub fn save_draft<T: Serialize>(key: &str, value: &T) {
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(value)) {
        let _ = storage.set_item(key, &json);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn a_saved_draft_loads_back() {
        save_draft("grantlab.test.draft", &vec!["openid".to_owned(), "profile".to_owned()]);

        let loaded: Option<Vec<String>> = load_draft("grantlab.test.draft");

        assert_eq!(loaded, Some(vec!["openid".to_owned(), "profile".to_owned()]));
    }

    #[wasm_bindgen_test]
    fn a_draft_of_another_shape_is_dropped() {
        save_draft("grantlab.test.shape", &"a string");

        let loaded: Option<Vec<String>> = load_draft("grantlab.test.shape");

        assert_eq!(loaded, None);
    }
}
