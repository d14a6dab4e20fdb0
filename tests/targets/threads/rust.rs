// A Rust target for the threads tests: threads blocked in a generic
// method and a generic function inside nested modules.
//
// usage: rust
//
// Thread "r-member" blocks in outer::inner::Worker<u64>::wait_here (a
// sleep), thread "r-generic" in outer::inner::generic_wait::<&str>, which
// calls Worker<u32>::wait_here.  Prints "ready PID", then answers "ping"
// with "pong" and exits at end of input.
use std::io::BufRead;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

static ARRIVED: AtomicUsize = AtomicUsize::new(0);

mod outer {
    pub mod inner {
        // std::hint::black_box is stable only from Rust 1.66 (Debian
        // bookworm's rustc is 1.63): a volatile read keeps the value.
        #[inline(always)]
        fn black_box<T>(x: T) -> T {
            let r = unsafe { std::ptr::read_volatile(&x) };
            std::mem::forget(x);
            r
        }

        pub struct Worker<T> {
            pub v: T,
        }

        impl<T: Copy + std::fmt::Debug> Worker<T> {
            #[inline(never)]
            pub fn wait_here(&self) {
                super::super::ARRIVED.fetch_add(1, super::super::Ordering::SeqCst);
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                    black_box(self.v);
                }
            }
        }

        #[inline(never)]
        pub fn generic_wait<T: std::fmt::Debug>(t: T) {
            Worker { v: 1u32 }.wait_here();
            black_box(t);
        }
    }
}

extern "C" {
    fn prctl(option: i32, ...) -> i32;
}

fn main() {
    // Let goscope attach under Yama ptrace_scope=1 (not our parent):
    // PR_SET_PTRACER, PR_SET_PTRACER_ANY.
    unsafe {
        prctl(0x59616d61, !0usize, 0usize, 0usize, 0usize);
    }
    thread::Builder::new()
        .name("r-member".into())
        .spawn(|| outer::inner::Worker { v: 7u64 }.wait_here())
        .unwrap();
    thread::Builder::new()
        .name("r-generic".into())
        .spawn(|| outer::inner::generic_wait("x"))
        .unwrap();
    while ARRIVED.load(Ordering::SeqCst) < 2 {
        thread::sleep(Duration::from_millis(1));
    }
    thread::sleep(Duration::from_millis(200));
    println!("ready {}", std::process::id());
    for line in std::io::stdin().lock().lines() {
        match line {
            Ok(l) if l == "ping" => println!("pong"),
            Ok(_) => println!("unknown command"),
            Err(_) => break,
        }
    }
    std::process::exit(0);
}
