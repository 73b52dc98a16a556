//! The synchronous relay: the assistant's stdin/stdout on one side, the host's Unix socket or a
//! standalone server child on the other. One thread reads stdin, one reads the current upstream,
//! and this thread owns every writer, so no lock is held across a read.

use std::io::{BufRead as _, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use flex_bridge::session::{FromServer, Session, malformed_reply};

/// Bytes read from either side at a time: longer lines grow in the line itself, so a bigger
/// buffer would only add to every bridge's resident memory.
const READ_BUFFER: usize = 4096;

/// Stack of each reader thread: they only read lines and pass them on.
const READER_STACK: usize = 64 * 1024;

/// How many standalone servers in a row may exit before answering before the bridge gives up.
const MAX_DEAD_FALLBACKS: u32 = 3;

/// Why the bridge stopped abnormally.
#[derive(Debug)]
pub(crate) enum Error {
    /// Reading from or writing to the client failed.
    Io(std::io::Error),
    /// The host refused this process (it runs as another user).
    Refused(String),
    /// No upstream could be set up.
    Fallback(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(e) => write!(f, "bridge to the Flex MCP app failed: {e}"),
            Error::Refused(m) => write!(f, "the Flex MCP app refused this connection: {m}"),
            Error::Fallback(m) => write!(f, "could not serve MCP without the Flex MCP app: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Where the bridge relays to.
#[derive(Debug, Clone)]
pub(crate) struct Targets {
    /// The host's socket.
    pub(crate) socket: PathBuf,
    /// The full CLI, run as `<cli> stdio --standalone` when no host answers.
    pub(crate) cli: PathBuf,
    /// The app to start (tray only) when no host answers at first; `None` without a desktop.
    pub(crate) app: Option<PathBuf>,
    /// Say on stderr why (FLEX_MCP_LOG set).
    pub(crate) verbose: bool,
}

enum Event {
    Client(std::io::Result<Option<String>>),
    /// A line from upstream number `.0`; `None` when it closed.
    Up(u64, Option<String>),
}

/// One upstream: something to write lines to, and the child to wait for when it is a server.
struct Upstream {
    writer: Box<dyn Write>,
    socket: Option<UnixStream>,
    child: Option<Child>,
    /// A write failed: the other end closed.
    broken: bool,
}

impl Upstream {
    /// Write one line. A failed write means the other end closed; the loss is handled when its
    /// reader sees the end, not here, because a line it sent before closing — a host's refusal
    /// of another user's process — may still be waiting to be read, and must win.
    fn send(&mut self, line: &str) {
        if self.broken {
            return;
        }
        let sent = self
            .writer
            .write_all(line.as_bytes())
            .and_then(|()| self.writer.write_all(b"\n"))
            .and_then(|()| self.writer.flush());
        if sent.is_err() {
            self.broken = true;
        }
    }

    /// Tell the server the client is done, and let a standalone server finish writing its
    /// activity records before this process exits.
    fn finish(mut self) {
        if let Some(socket) = &self.socket {
            let _ = socket.shutdown(std::net::Shutdown::Write);
        }
        drop(self.writer);
        if let Some(child) = &mut self.child {
            let _ = child.wait();
        }
    }

    /// Stop using this upstream (it went away, or we go on without it).
    fn abandon(mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Relay this process's stdin/stdout until stdin closes and every request is answered.
pub(crate) fn run(targets: &Targets) -> Result<(), Error> {
    let (tx, rx) = channel();
    let client_tx = tx.clone();
    spawn_reader(std::io::stdin(), move |line| {
        client_tx.send(Event::Client(line)).is_ok()
    })?;
    let mut generation = 0;
    let mut up = if let Some(up) = host_or_app(targets) {
        up
    } else {
        eprintln!("flex-mcp: the Flex MCP app is not running; serving standalone.");
        standalone(&targets.cli)?
    };
    attach(&mut up, generation, &tx)?;
    relay(
        targets,
        &mut generation,
        up,
        &tx,
        &rx,
        &mut std::io::stdout(),
    )
}

fn relay(
    targets: &Targets,
    generation: &mut u64,
    mut up: Upstream,
    tx: &Sender<Event>,
    rx: &Receiver<Event>,
    out: &mut impl Write,
) -> Result<(), Error> {
    let mut session = Session::default();
    let mut client_done = false;
    let mut dead_fallbacks = 0;
    loop {
        if client_done && session.idle() {
            up.finish();
            return Ok(());
        }
        let Ok(event) = rx.recv() else {
            return Ok(());
        };
        let up_gone = match event {
            Event::Client(line) => match line? {
                None => {
                    client_done = true;
                    false
                }
                Some(line) if line.trim().is_empty() => false,
                Some(line) if !session.note_sent(&line) => {
                    writeln!(out, "{}", malformed_reply())?;
                    out.flush()?;
                    false
                }
                Some(line) => {
                    up.send(&line);
                    false
                }
            },
            Event::Up(from, _) if from != *generation => false,
            Event::Up(_, None) => true,
            Event::Up(_, Some(line)) => {
                match session.note_received(&line) {
                    FromServer::Relay => {
                        writeln!(out, "{line}")?;
                        out.flush()?;
                        dead_fallbacks = 0;
                    }
                    FromServer::Swallow => dead_fallbacks = 0,
                    FromServer::Refused(message) => return Err(Error::Refused(message)),
                }
                false
            }
        };
        if !up_gone {
            continue;
        }
        if targets.verbose {
            eprintln!("flex-mcp: the Flex MCP host went away; reconnecting");
        }
        let was_fallback = up.child.is_some();
        up.abandon();
        let lost = session.upstream_lost();
        for reply in &lost.failed {
            writeln!(out, "{reply}")?;
        }
        out.flush()?;
        if client_done {
            return Ok(());
        }
        if was_fallback {
            dead_fallbacks += 1;
            if dead_fallbacks > MAX_DEAD_FALLBACKS {
                return Err(Error::Fallback(
                    "the standalone server exited before answering, several times in a row".into(),
                ));
            }
        }
        // The person closed the app: do not start it again behind their back.
        up = if let Some(socket) = connect(&targets.socket) {
            socket
        } else {
            eprintln!("flex-mcp: the Flex MCP app was closed; serving standalone from now on.");
            standalone(&targets.cli)?
        };
        *generation += 1;
        attach(&mut up, *generation, tx)?;
        for line in session.replay(lost) {
            up.send(&line);
        }
    }
}

/// Start the thread that reads `up`'s lines into the event channel.
fn attach(up: &mut Upstream, generation: u64, tx: &Sender<Event>) -> Result<(), Error> {
    let tx = tx.clone();
    let forward = move |line: std::io::Result<Option<String>>| {
        let line = line.ok().flatten();
        let more = line.is_some();
        tx.send(Event::Up(generation, line)).is_ok() && more
    };
    if let Some(socket) = &up.socket {
        spawn_reader(socket.try_clone()?, forward)?;
    } else if let Some(stdout) = up.child.as_mut().and_then(|c| c.stdout.take()) {
        spawn_reader(stdout, forward)?;
    }
    Ok(())
}

/// Read `from` line by line (without the line end) into `to` until it returns `false`; EOF is
/// `Ok(None)`.
fn spawn_reader<R, F>(from: R, mut to: F) -> std::io::Result<()>
where
    R: Read + Send + 'static,
    F: FnMut(std::io::Result<Option<String>>) -> bool + Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(READER_STACK)
        .spawn(move || {
            let mut from = BufReader::with_capacity(READ_BUFFER, from);
            loop {
                let mut line = String::new();
                let read = match from.read_line(&mut line) {
                    Ok(0) => Ok(None),
                    Ok(_) => {
                        let end = line.trim_end_matches(['\n', '\r']).len();
                        line.truncate(end);
                        Ok(Some(line))
                    }
                    Err(e) => Err(e),
                };
                let go_on = matches!(read, Ok(Some(_)));
                if !to(read) || !go_on {
                    return;
                }
            }
        })
        .map(drop)
}

/// The running host, or the app started for this; `None` when neither answers.
fn host_or_app(targets: &Targets) -> Option<Upstream> {
    if let Some(up) = connect(&targets.socket) {
        return Some(up);
    }
    let app = targets.app.as_ref()?;
    if let Err(e) = flex_bridge::start_hidden(app) {
        if targets.verbose {
            eprintln!("flex-mcp: could not start {}: {e}", app.display());
        }
        return None;
    }
    let deadline = Instant::now() + flex_bridge::APP_START_WAIT;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(25));
        if let Some(up) = connect(&targets.socket) {
            return Some(up);
        }
    }
    if targets.verbose {
        eprintln!("flex-mcp: the Flex MCP app did not open its socket within 5 s");
    }
    None
}

fn connect(socket: &Path) -> Option<Upstream> {
    let stream = UnixStream::connect(socket).ok()?;
    let writer = stream.try_clone().ok()?;
    Some(Upstream {
        writer: Box::new(writer),
        socket: Some(stream),
        child: None,
        broken: false,
    })
}

/// `<cli> stdio --standalone` on pipes: the server, in a process of its own.
fn standalone(cli: &Path) -> Result<Upstream, Error> {
    let mut child = Command::new(cli)
        .args(["stdio", "--standalone"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| Error::Fallback(format!("could not start {}: {e}", cli.display())))?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::Fallback("the standalone server has no stdin".into()))?;
    Ok(Upstream {
        writer: Box::new(stdin),
        socket: None,
        child: Some(child),
        broken: false,
    })
}
