//! Ctrl-C while a statement runs.
//!
//! While the line editor waits for input the terminal is in raw mode and
//! Ctrl-C arrives as a key (rustyline turns it into "clear the input"). While
//! a statement runs the terminal is back in normal mode and Ctrl-C is a
//! SIGINT. The handler installed here turns it into the interpreter's
//! interrupt flag, which stops a running `minimize` after its current step,
//! and into [`pressed`], which stops the rest of the input. A second Ctrl-C
//! while the first is still unanswered (a long computation that is not a
//! `minimize`) ends the session, so the user is never stuck.
//!
//! The handler is a few lines of async-signal-safe code; it is declared
//! against the C library directly (always linked on Unix) rather than
//! through a crate. Elsewhere Ctrl-C keeps its default meaning.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The interpreter's interrupt flag, shared by every interpreter of the
/// session (`:reset` makes a new one).
static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
/// Set by every Ctrl-C; cleared before each statement.
static PRESSED: AtomicBool = AtomicBool::new(false);

/// The flag to give every interpreter with `Interp::set_interrupt`.
pub(super) fn flag() -> Arc<AtomicBool> {
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone()
}

/// Routes SIGINT to the flags for the rest of the process.
pub(super) fn install() {
    flag();
    sys::install(on_sigint);
}

/// Forgets any Ctrl-C seen so far; called before each statement and once
/// an input is done.
pub(super) fn clear() {
    PRESSED.store(false, Ordering::SeqCst);
    flag().store(false, Ordering::SeqCst);
}

/// Whether Ctrl-C was pressed since [`clear`].
pub(super) fn pressed() -> bool {
    PRESSED.load(Ordering::SeqCst)
}

extern "C" fn on_sigint(_signal: std::os::raw::c_int) {
    // Only atomics and async-signal-safe calls: this is a signal handler.
    PRESSED.store(true, Ordering::SeqCst);
    let unanswered = FLAG.get().is_some_and(|f| f.swap(true, Ordering::SeqCst));
    if unanswered {
        sys::die(b"\ngradlang: interrupted twice, quitting\n");
    }
    // The terminal has echoed `^C`; what the statement prints next goes
    // below it.
    sys::write_stderr(b"\n");
}

#[cfg(unix)]
mod sys {
    use std::os::raw::{c_int, c_void};

    const SIGINT: c_int = 2;
    const SIG_DFL: usize = 0;

    extern "C" {
        fn signal(signum: c_int, handler: usize) -> usize;
        fn raise(signum: c_int) -> c_int;
        fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    }

    pub fn install(handler: extern "C" fn(c_int)) {
        // SAFETY: the handler only touches atomics (and, in `die`,
        // async-signal-safe calls); `signal` keeps it installed and restarts
        // interrupted reads (BSD semantics, as glibc, musl and macOS give).
        unsafe {
            signal(SIGINT, handler as usize);
        }
    }

    pub fn write_stderr(message: &[u8]) {
        // SAFETY: write is async-signal-safe; a failed write is harmless.
        unsafe {
            write(2, message.as_ptr().cast(), message.len());
        }
    }

    /// Ends the process the way an unhandled Ctrl-C would, after `message`.
    pub fn die(message: &[u8]) {
        write_stderr(message);
        // SAFETY: signal and raise are async-signal-safe.
        unsafe {
            signal(SIGINT, SIG_DFL);
            raise(SIGINT);
        }
    }
}

#[cfg(not(unix))]
mod sys {
    pub fn install(_handler: extern "C" fn(std::os::raw::c_int)) {}
    pub fn write_stderr(_message: &[u8]) {}
    pub fn die(_message: &[u8]) {}
}
