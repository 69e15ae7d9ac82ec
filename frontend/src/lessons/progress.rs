//! The learner's progress, kept in the browser: for each lesson or scenario, the ids of the
//! goals reached. Nothing else goes in: no token, no code, no secret.

use std::collections::{BTreeMap, BTreeSet};

use grantlab_shared::Progress;
use serde::{Deserialize, Serialize};

use crate::hooks::{load_draft, save_draft};

/// Reached goals per lesson or scenario id, as kept in `localStorage`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressBook {
    reached: BTreeMap<String, BTreeSet<String>>,
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
        let reached = progress.goals.iter().filter(|goal| goal.reached);
        let kept = self.reached.entry(progress.id.clone()).or_default();
        let before = kept.len();
        kept.extend(reached.map(|goal| goal.id.clone()));
        kept.len() != before
    }

    /// Whether `goal` of `id` was reached.
    pub fn has(&self, id: &str, goal: &str) -> bool {
        self.reached.get(id).is_some_and(|goals| goals.contains(goal))
    }

    /// How many of `goals` of `id` were reached.
    pub fn count(&self, id: &str, goals: &[String]) -> usize {
        goals.iter().filter(|goal| self.has(id, goal)).count()
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
}
