//! Argon2 work areas, reused. Each argon2id computation fills `m_cost` KiB (19 MiB by default);
//! allocating and zeroing that afresh (page faults included) cost about a tenth of a password
//! login's CPU. Argon2 overwrites every block it uses before reading it, so a reused area needs
//! no clearing.
//!
//! At most one area per core is kept (the default number of verifications in flight), and only
//! areas of the current parameters' size: a hash with a larger memory cost gets a one-off area.

use std::sync::{Mutex, OnceLock};

use argon2::Block;

/// Lends a work area of at least `blocks` blocks to `compute` and takes it back afterwards.
pub fn with_work_area<R>(
    blocks: usize,
    standard_blocks: usize,
    compute: impl FnOnce(&mut [Block]) -> R,
) -> R {
    let mut area = if blocks <= standard_blocks {
        pool().lock().ok().and_then(|mut pool| pool.pop())
    } else {
        None
    }
    .unwrap_or_default();
    if area.len() < blocks {
        area.resize(blocks, Block::new());
    }
    let result = compute(&mut area[..blocks]);
    if area.len() == standard_blocks
        && let Ok(mut pool) = pool().lock()
        && pool.len() < kept()
    {
        pool.push(area);
    }
    result
}

fn pool() -> &'static Mutex<Vec<Vec<Block>>> {
    static POOL: OnceLock<Mutex<Vec<Vec<Block>>>> = OnceLock::new();
    POOL.get_or_init(|| Mutex::new(Vec::new()))
}

fn kept() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}
