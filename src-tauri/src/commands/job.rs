//! One long job of a kind at a time (a sync, matching, drift): a slot holding its cancel
//! token, claimed when the job starts and freed when it ends, however it ends.

use std::sync::Mutex;

use steward_app::{AppError, ErrorCode};
use tokio_util::sync::CancellationToken;

pub struct JobSlot {
    slot: Mutex<Option<CancellationToken>>,
    /// What a second start is told ("a sync is already running …").
    busy: &'static str,
}

/// Frees the slot when dropped.
pub struct Running<'a>(&'a JobSlot);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.0.slot.lock() {
            *slot = None;
        }
    }
}

fn unusable() -> AppError {
    AppError::new(
        ErrorCode::Internal,
        "a job's state is unusable after a crash; restart Steward",
    )
}

impl JobSlot {
    pub const fn new(busy: &'static str) -> Self {
        Self {
            slot: Mutex::new(None),
            busy,
        }
    }

    /// Claims the slot, or refuses (`conflict`) while another job of this kind runs.
    pub fn start(&self) -> Result<(Running<'_>, CancellationToken), AppError> {
        let mut slot = self.slot.lock().map_err(|_| unusable())?;
        if slot.is_some() {
            return Err(AppError::new(ErrorCode::Conflict, self.busy));
        }
        let token = CancellationToken::new();
        *slot = Some(token.clone());
        Ok((Running(self), token))
    }

    /// Asks the running job to stop; `false` when none runs.
    pub fn cancel(&self) -> Result<bool, AppError> {
        let slot = self.slot.lock().map_err(|_| unusable())?;
        Ok(slot.as_ref().is_some_and(|token| {
            token.cancel();
            true
        }))
    }
}
