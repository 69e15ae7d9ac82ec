//! The learner's progress, kept in the browser: for each lesson or scenario, the ids of the
//! goals reached and the answer chosen to its prediction. Nothing else goes in: no token, no
//! code, no secret.

use grantlab_shared::Progress;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::hooks::{load_draft, save_draft};

/// Reached goals per lesson or scenario id, as kept in `localStorage`: a JSON object from id
/// to an array of goal ids; beside it, the index of the choice predicted, per id.
///
/// The object is a [`serde_json::Map`], not a `BTreeMap<String, BTreeSet<String>>`: the stored
/// JSON is the same, and the map's code is already in the bundle for [`Value`] (the JWT view
/// uses it), so the book adds no second copy of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressBook {
    reached: Map<String, Value>,
    /// Absent from books stored before predictions were kept.
    #[serde(default)]
    predicted: Map<String, Value>,
}

impl ProgressBook {
    /// The `localStorage` key.
    pub const KEY: &'static str = "grantlab.lessons-progress";

    /// The book as stored, or an empty one.
    pub fn load() -> Self {
        load_draft(Self::KEY).unwrap_or_default()
    }

    /// Writes the book back.
    pub fn save(&self) {
        save_draft(Self::KEY, self);
    }

    /// Adds the goals `progress` shows reached; a goal once reached stays reached. Answers
    /// whether anything changed.
    pub fn record(&mut self, progress: &Progress) -> bool {
        // A stored entry that is not an array of ids (edited by hand) starts again empty.
        let entry = self.reached.entry(progress.id.clone()).or_insert(Value::Array(Vec::new()));
        if !entry.is_array() {
            *entry = Value::Array(Vec::new());
        }
        let Value::Array(kept) = entry else { return false };

        // Add each reached goal once.
        let before = kept.len();
        for goal in progress.goals.iter().filter(|goal| goal.reached) {
            if !kept.iter().any(|id| id.as_str() == Some(&goal.id)) {
                kept.push(Value::String(goal.id.clone()));
            }
        }
        kept.len() != before
    }

    /// Whether `goal` of `id` was reached.
    pub fn has(&self, id: &str, goal: &str) -> bool {
        let kept = self.reached.get(id).and_then(Value::as_array);
        kept.is_some_and(|kept| kept.iter().any(|reached| reached.as_str() == Some(goal)))
    }

    /// How many of `goals` of `id` were reached.
    pub fn count(&self, id: &str, goals: &[String]) -> usize {
        goals.iter().filter(|goal| self.has(id, goal)).count()
    }

    /// Keeps the choice (its index) the learner predicted for `id`, replacing an earlier one.
    pub fn predict(&mut self, id: &str, choice: usize) {
        self.predicted.insert(id.to_owned(), Value::from(choice));
    }

    /// The choice predicted for `id`, if any; a stored value that is not an index is none.
    pub fn prediction(&self, id: &str) -> Option<usize> {
        let stored = self.predicted.get(id).and_then(Value::as_u64)?;
        usize::try_from(stored).ok()
    }
}

#[cfg(test)]
mod tests {
    use grantlab_shared::GoalStatus;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn progress(reached: &[(&str, bool)]) -> Progress {
        let goals = reached
            .iter()
            .map(|(id, reached)| GoalStatus { id: (*id).into(), reached: *reached, evidence: None })
            .collect();
        Progress { id: "call-api".into(), goals }
    }

    #[wasm_bindgen_test]
    fn a_reached_goal_stays_reached_when_the_session_forgets_it() {
        let mut book = ProgressBook::default();

        assert!(book.record(&progress(&[("api-answered", true), ("no-token-refused", false)])));
        assert!(!book.record(&progress(&[("api-answered", false), ("no-token-refused", false)])));

        let goals = ["api-answered".to_owned(), "no-token-refused".to_owned()];
        assert_eq!(book.count("call-api", &goals), 1);
        assert!(!book.has("code-grant", "api-answered"));
    }

    #[wasm_bindgen_test]
    fn the_book_survives_a_reload() {
        let mut book = ProgressBook::default();
        book.record(&progress(&[("api-answered", true)]));

        book.save();

        assert_eq!(ProgressBook::load(), book);
    }

    #[wasm_bindgen_test]
    fn a_book_stored_as_an_object_of_id_arrays_loads() {
        let stored = r#"{"reached":{"call-api":["api-answered"],"code-grant":"not a list"}}"#;

        let book: ProgressBook = serde_json::from_str(stored).unwrap();

        assert!(book.has("call-api", "api-answered"));
        assert!(!book.has("code-grant", "api-answered"));
        assert!(!book.has("refresh", "api-answered"));
    }

    #[wasm_bindgen_test]
    fn a_prediction_is_kept_per_id_and_survives_a_reload() {
        let mut book = ProgressBook::default();
        book.predict("code-grant", 2);
        book.predict("state-mismatch", 0);
        book.predict("code-grant", 1);

        book.save();
        let loaded = ProgressBook::load();

        assert_eq!(loaded.prediction("code-grant"), Some(1));
        assert_eq!(loaded.prediction("state-mismatch"), Some(0));
        assert_eq!(loaded.prediction("refresh"), None);
    }

    #[wasm_bindgen_test]
    fn a_book_stored_before_predictions_loads_with_none() {
        let stored = r#"{"reached":{"call-api":["api-answered"]}}"#;

        let book: ProgressBook = serde_json::from_str(stored).unwrap();

        assert!(book.has("call-api", "api-answered"));
        assert_eq!(book.prediction("call-api"), None);
    }

    #[wasm_bindgen_test]
    fn a_prediction_stored_as_something_else_than_an_index_is_none() {
        let stored = r#"{"reached":{},"predicted":{"call-api":"two","refresh":-1}}"#;

        let book: ProgressBook = serde_json::from_str(stored).unwrap();

        assert_eq!(book.prediction("call-api"), None);
        assert_eq!(book.prediction("refresh"), None);
    }

    #[wasm_bindgen_test]
    fn recording_over_a_malformed_entry_starts_it_again() {
        let stored = r#"{"reached":{"call-api":"not a list"}}"#;
        let mut book: ProgressBook = serde_json::from_str(stored).unwrap();

        assert!(book.record(&progress(&[("api-answered", true)])));

        assert!(book.has("call-api", "api-answered"));
    }
}
