//! The registry of read-model replays, with their progress. Replays run in the background: one takes longer than a
//! Dapr invocation may (5 s in `components/resiliency.yaml`), so the caller starts one and polls
//! its state. The registry is in memory: a replay interrupted by a restart is simply started
//! again (it is idempotent).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

#[derive(Clone, Default)]
pub struct ReplayJobs(Arc<Mutex<HashMap<Uuid, ReplayState>>>);

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ReplayState {
    Running {
        #[serde(rename = "startedAt")]
        started_at: DateTime<Utc>,
        #[serde(flatten)]
        progress: ReplayProgress,
    },
    Finished(ReplayReport),
    Failed {
        error: String,
    },
}

/// How far a running replay has got: streams replayed of all there are, events so far.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayProgress {
    pub streams: usize,
    pub replayed_streams: usize,
    pub events: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    pub streams: usize,
    pub events: u64,
    pub seconds: f64,
    pub events_per_second: f64,
}

impl ReplayJobs {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, ReplayState>> {
        // A panic while holding this lock cannot leave the map half-written.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a new running replay and returns its id; `None` while another one runs (two
    /// replays at once would only race each other).
    pub fn start(&self) -> Option<Uuid> {
        let mut jobs = self.lock();
        if jobs
            .values()
            .any(|state| matches!(state, ReplayState::Running { .. }))
        {
            return None;
        }
        let id = Uuid::now_v7();
        jobs.insert(
            id,
            ReplayState::Running {
                started_at: Utc::now(),
                progress: ReplayProgress::default(),
            },
        );
        Some(id)
    }

    /// Records how far running replay `id` has got.
    pub fn progress(&self, id: Uuid, progress: ReplayProgress) {
        if let Some(ReplayState::Running { progress: now, .. }) = self.lock().get_mut(&id) {
            *now = progress;
        }
    }

    /// Records how replay `id` ended.
    pub fn finish(&self, id: Uuid, outcome: ReplayState) {
        self.lock().insert(id, outcome);
    }

    pub fn get(&self, id: Uuid) -> Option<ReplayState> {
        self.lock().get(&id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_replay_runs_at_a_time_and_its_outcome_is_kept() {
        let jobs = ReplayJobs::default();
        let first = jobs.start().expect("nothing runs yet");
        assert!(jobs.start().is_none(), "a second replay while one runs");
        jobs.finish(
            first,
            ReplayState::Failed {
                error: "stopped".into(),
            },
        );
        assert!(matches!(jobs.get(first), Some(ReplayState::Failed { .. })));
        assert!(jobs.start().is_some(), "the next replay may start");
    }
}
