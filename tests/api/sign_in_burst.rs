//! A burst of correct sign-ins: the memory their password checks take is bounded and
//! given back, public reads are not held up behind the checks, and no correct sign-in is
//! refused as if it were a guess.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::process::ServiceProcess;

/// A public search no cache has answered before, and how long it took.
fn timed_search(service: &ServiceProcess, n: usize) -> Duration {
    let started = Instant::now();
    let reply = service.get(&format!("/api/v1/opportunities?q=residency%20-x{n}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    started.elapsed()
}

fn p99(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[(samples.len() * 99).div_ceil(100) - 1]
}

#[test]
fn two_hundred_parallel_sign_ins_stay_under_300_mb_give_it_back_and_do_not_hold_up_reads() {
    let service = ServiceProcess::start();
    let password = service.add_user("burst@example.org", "editor");
    // One sign-in first, so that the threads and connections of the process exist.
    service.sign_in("burst@example.org", &password);
    let before = service.memory();
    let baseline: Vec<Duration> = (0..30).map(|n| timed_search(&service, n)).collect();

    let signing_in = AtomicBool::new(true);
    let during = Mutex::new(Vec::new());
    let burst_started = Instant::now();
    let replies = std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut n = 1_000;
            while signing_in.load(Ordering::SeqCst) {
                n += 1;
                let took = timed_search(&service, n);
                if signing_in.load(Ordering::SeqCst) {
                    during.lock().unwrap().push(took);
                }
            }
        });
        let sign_ins: Vec<_> = (0..200)
            .map(|_| scope.spawn(|| service.sign_in_reply("burst@example.org", &password)))
            .collect();
        let replies: Vec<_> = sign_ins.into_iter().map(|h| h.join().unwrap()).collect();
        signing_in.store(false, Ordering::SeqCst);
        replies
    });
    let burst = burst_started.elapsed();
    let after = service.memory();

    let signed_in = replies.iter().filter(|r| r.status == 200).count();
    let during = during.into_inner().unwrap();
    let (baseline_p99, during_p99) = (p99(baseline), p99(during.clone()));
    eprintln!(
        "{signed_in} of 200 signed in within {burst:?}; memory before {before:?}, after {after:?}; \
         {} searches answered during the burst, p99 {during_p99:?} (before it: {baseline_p99:?})",
        during.len()
    );

    assert!(
        after.peak < 300,
        "the burst took the process to {} MB",
        after.peak
    );
    assert!(
        after.now < before.now + 64,
        "the memory of the checks was not given back: {} MB before, {} MB after",
        before.now,
        after.now
    );

    // Reads kept being answered while the sign-ins queued for their checks, not held up
    // behind them (the bound is generous, as the machine is shared; before the checks had
    // threads of their own, searches took seconds during such a burst).
    assert!(
        during.len() >= 10,
        "only {} searches were answered during a burst of {burst:?}",
        during.len()
    );
    assert!(
        during_p99 < baseline_p99 * 10 + Duration::from_millis(500),
        "a search took {during_p99:?} during the burst, {baseline_p99:?} before it"
    );

    // Every sign-in is let in, or told to come back: none is taken for a guess.
    for reply in &replies {
        match reply.status {
            200 => {}
            503 => assert!(reply.header("retry-after").is_some(), "{}", reply.body),
            other => panic!("a correct sign-in answered {other}: {}", reply.body),
        }
    }
    assert!(signed_in > 0);
}
