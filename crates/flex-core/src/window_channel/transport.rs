//! How the channel's two ends reach the two processes, and how lines cross it. Unix: one end of
//! a `socketpair` as the child's stdin (found there by its file type). Windows: two anonymous
//! pipes as the child's stdin and stdout, announced by [`CHANNEL_ARG`]. Either way nothing has a
//! path or a name another program could open. Lines are read and written by two plain threads
//! per end (a few small messages a second at most), so the same code serves sockets and pipes.

use std::io::{BufRead as _, BufReader, Read, Write};
use std::process::Command;

/// Windows: the argument that tells a child its stdin and stdout are the channel.
#[cfg(windows)]
pub const CHANNEL_ARG: &str = "--channel";

/// One end of the channel.
pub struct Channel {
    read: Box<dyn Read + Send>,
    write: Box<dyn Write + Send>,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Channel")
    }
}

/// A socket's writing half that tells the other end "no more" when dropped, as closing a pipe
/// does (the reading half, a clone of the same socket, would otherwise keep it open).
#[cfg(unix)]
struct SocketWriter(std::os::unix::net::UnixStream);

#[cfg(unix)]
impl Write for SocketWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(unix)]
impl Drop for SocketWriter {
    fn drop(&mut self) {
        let _ = self.0.shutdown(std::net::Shutdown::Write);
    }
}

impl Channel {
    /// An end made of a connected Unix socket.
    #[cfg(unix)]
    pub fn from_stream(stream: std::os::unix::net::UnixStream) -> std::io::Result<Channel> {
        let write = stream.try_clone()?;
        Ok(Channel {
            read: Box::new(stream),
            write: Box::new(SocketWriter(write)),
        })
    }

    /// Make a channel for the child `command` will start: its end goes to the child's stdio
    /// (and, on Windows, [`CHANNEL_ARG`] is added); ours is returned.
    pub fn for_child(command: &mut Command) -> std::io::Result<Channel> {
        #[cfg(unix)]
        {
            let (ours, theirs) = std::os::unix::net::UnixStream::pair()?;
            command.stdin(std::process::Stdio::from(std::os::fd::OwnedFd::from(
                theirs,
            )));
            Channel::from_stream(ours)
        }
        #[cfg(windows)]
        {
            let (child_reads, we_write) = std::io::pipe()?;
            let (we_read, child_writes) = std::io::pipe()?;
            command
                .arg(CHANNEL_ARG)
                .stdin(child_reads)
                .stdout(child_writes);
            Ok(Channel {
                read: Box::new(we_read),
                write: Box::new(we_write),
            })
        }
    }

    /// The channel the process that started us passed in our stdio, if it did.
    pub fn inherited() -> Option<Channel> {
        #[cfg(unix)]
        {
            use std::os::fd::{AsFd as _, OwnedFd};
            use std::os::unix::fs::FileTypeExt as _;
            let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
            let file = std::fs::File::from(fd);
            if !file.metadata().ok()?.file_type().is_socket() {
                return None;
            }
            Channel::from_stream(std::os::unix::net::UnixStream::from(OwnedFd::from(file))).ok()
        }
        #[cfg(windows)]
        {
            if !std::env::args().any(|a| a == CHANNEL_ARG) {
                return None;
            }
            Some(Channel {
                read: Box::new(std::io::stdin()),
                write: Box::new(std::io::stdout()),
            })
        }
    }

    /// Run the two threads: every line read goes to `each_line` (on the reading thread), then
    /// `ended` once the other end closed; every message of `outgoing` is written as one JSON line
    /// until it closes or the channel fails.
    pub(super) fn run<T: serde::Serialize + Send + 'static>(
        self,
        name: &str,
        mut outgoing: tokio::sync::mpsc::UnboundedReceiver<T>,
        mut each_line: impl FnMut(&str) + Send + 'static,
        ended: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<()> {
        let Channel { read, mut write } = self;
        std::thread::Builder::new()
            .name(format!("{name}-write"))
            .spawn(move || {
                while let Some(message) = outgoing.blocking_recv() {
                    let Ok(mut line) = serde_json::to_string(&message) else {
                        continue;
                    };
                    line.push('\n');
                    if write
                        .write_all(line.as_bytes())
                        .and_then(|()| write.flush())
                        .is_err()
                    {
                        return;
                    }
                }
            })?;
        std::thread::Builder::new()
            .name(format!("{name}-read"))
            .spawn(move || {
                for line in BufReader::new(read).lines() {
                    match line {
                        Ok(line) => each_line(&line),
                        Err(e) => {
                            tracing::info!("the window channel failed: {e}");
                            break;
                        }
                    }
                }
                ended();
            })?;
        Ok(())
    }
}
