//! A global allocator that counts live bytes and stops the run, with the
//! input saved, when one allocation or the live total goes over the limit.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// 256 MiB: far more than any real configuration file needs.
pub const ALLOCATION_LIMIT: usize = 256 << 20;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Set once the limit was hit: the report may allocate freely before the abort.
static TRIPPED: AtomicBool = AtomicBool::new(false);

/// Install in a binary or test with
/// `#[global_allocator] static A: fuzz::LimitAlloc = fuzz::LimitAlloc;`.
pub struct LimitAlloc;

/// Bytes allocated and not yet freed, in the whole process.
pub fn live_bytes() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The highest [`live_bytes`] seen, since the start or the last reset.
pub fn peak_bytes() -> usize {
    PEAK.load(Ordering::Relaxed)
}

pub fn reset_peak() {
    PEAK.store(live_bytes(), Ordering::Relaxed);
}

#[inline]
fn grow(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
    if (by > ALLOCATION_LIMIT || live > ALLOCATION_LIMIT) && !TRIPPED.swap(true, Ordering::SeqCst) {
        crate::run::allocation_limit_hit(by, live);
    }
}

unsafe impl GlobalAlloc for LimitAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grow(new_size - layout.size());
            if new_size > ALLOCATION_LIMIT && !TRIPPED.swap(true, Ordering::SeqCst) {
                crate::run::allocation_limit_hit(new_size, live_bytes());
            }
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}
