//! Whether an assistant has been running since before its config last changed, so it has not
//! loaded our entry yet ("needs a restart", issue 8 §4). Read from the process table: on Linux
//! `/proc` (the person's own processes only, by uid); elsewhere nothing is known, and no
//! assistant is said to need a restart.

use std::path::Path;
use std::time::SystemTime;

use flex_clients::ClientKind;

/// This user's running assistants (by program name) and when each started, read once (a list
/// of the assistants checks them all).
pub struct Running(Vec<(String, SystemTime)>);

impl Running {
    /// Read the process table now: only processes that some assistant goes by.
    pub fn now() -> Running {
        let known = |name: &str| {
            ClientKind::ALL
                .iter()
                .any(|k| k.process_names().contains(&name))
        };
        Running(imp::started_processes(&known))
    }

    /// When the oldest running copy of `kind` started, if one runs.
    pub fn since(&self, kind: ClientKind) -> Option<SystemTime> {
        let names = kind.process_names();
        self.0
            .iter()
            .filter(|(name, _)| names.contains(&name.as_str()))
            .map(|(_, started)| *started)
            .min()
    }

    /// Whether a copy of `kind` has been running since before `config` was last written.
    pub fn needs_restart(&self, kind: ClientKind, config: &Path) -> bool {
        let Some(written) = std::fs::metadata(config).and_then(|m| m.modified()).ok() else {
            return false;
        };
        self.since(kind).is_some_and(|started| started < written)
    }
}

/// The program a command line runs: its first word's file name, or — for a script run by an
/// interpreter (`node …/claude`, `python3 …`) — the script's.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))] // only Linux reads the process table
fn program_name(argv: &[String]) -> Option<String> {
    const INTERPRETERS: &[&str] = &["node", "nodejs", "bun", "deno", "python", "python3"];
    let base = |s: &String| {
        Path::new(s)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    };
    let first = base(argv.first()?)?;
    if INTERPRETERS.contains(&first.as_str()) {
        return argv.get(1).and_then(base);
    }
    Some(first)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::os::unix::fs::MetadataExt as _;
    use std::time::{Duration, SystemTime};

    /// This user's processes whose program name is `wanted`: the name and when it started (the
    /// start time is read only for those).
    pub(super) fn started_processes(wanted: &dyn Fn(&str) -> bool) -> Vec<(String, SystemTime)> {
        let Some(boot) = boot_time() else {
            return Vec::new();
        };
        let ticks = rustix::param::clock_ticks_per_second().max(1);
        let uid = rustix::process::getuid().as_raw();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            })
            .filter(|e| e.metadata().is_ok_and(|m| m.uid() == uid))
            .filter_map(|e| {
                let dir = e.path();
                let argv: Vec<String> = std::fs::read(dir.join("cmdline"))
                    .ok()?
                    .split(|b| *b == 0)
                    .filter(|a| !a.is_empty())
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                let name = super::program_name(&argv).filter(|n| wanted(n))?;
                let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
                // Field 22 (starttime, in clock ticks since boot), counted after the command
                // name's closing parenthesis, which may itself contain spaces.
                let after = stat.rsplit_once(')')?.1;
                let start: u64 = after.split_whitespace().nth(19)?.parse().ok()?;
                let since_boot = Duration::from_secs(start / ticks)
                    + Duration::from_nanos((start % ticks) * 1_000_000_000 / ticks);
                Some((name, boot + since_boot))
            })
            .collect()
    }

    /// When the machine booted: now less the uptime (`/proc/uptime`, to 10 ms; `/proc/stat`'s
    /// `btime` is whole seconds, too coarse to order a start against a file written just after).
    fn boot_time() -> Option<SystemTime> {
        let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
        let secs: f64 = uptime.split_whitespace().next()?.parse().ok()?;
        SystemTime::now().checked_sub(Duration::try_from_secs_f64(secs).ok()?)
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    /// Not read on this OS yet.
    pub(super) fn started_processes(
        _wanted: &dyn Fn(&str) -> bool,
    ) -> Vec<(String, std::time::SystemTime)> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_string()).collect()
    }

    #[test]
    fn a_script_run_by_node_goes_by_the_scripts_name() {
        assert_eq!(
            program_name(&argv(&[
                "/usr/bin/node",
                "/usr/lib/node_modules/.bin/claude",
                "-p"
            ])),
            Some("claude".into())
        );
        assert_eq!(
            program_name(&argv(&["/opt/cursor/cursor", "--no-sandbox"])),
            Some("cursor".into())
        );
        assert_eq!(program_name(&[]), None);
    }

    #[test]
    fn clients_that_reload_by_themselves_never_need_a_restart() {
        let running = Running::now();
        assert!(running.since(ClientKind::VsCode).is_none());
        assert!(running.since(ClientKind::Zed).is_none());
    }
}
