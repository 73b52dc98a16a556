//! Who may use a Flex MCP named pipe on Windows: the current user and nobody else, on both ends.
//!
//! - The server end (the host's pipe, the app's single-instance pipe) is created with a security
//!   descriptor whose DACL is protected (`P`: nothing inherited from anywhere) and has one entry,
//!   full access (`GA`) for the current user's SID, read from this process's token. Nobody else
//!   can open the pipe or create another instance of it: the kernel refuses at open, before a
//!   byte is read. Remote clients are refused by the pipe itself (`PIPE_REJECT_REMOTE_CLIENTS`,
//!   interprocess's default), and the first instance is created with
//!   `FILE_FLAG_FIRST_PIPE_INSTANCE`, so a name somebody else created first makes us fail.
//! - The client end (the bridge) opens the pipe at identification level only (the server may
//!   learn who we are, never act as us) and then checks that the process serving the pipe runs
//!   as the current user: pipe names are one namespace for the whole machine, so another user
//!   could have created ours before the host started.
//!
//! Why the SID rather than an SDDL alias: `OW` (Owner Rights, S-1-3-4) means "whoever owns the
//! pipe", and a pipe made by an elevated process is owned by BUILTIN\Administrators, not by the
//! user; `CO` (Creator Owner, S-1-3-0) is a placeholder replaced only in ACEs that are
//! inherited, so on the pipe itself it would match nobody. The user's own SID means exactly
//! "this user".
//!
//! No `unsafe` here (forbidden in this workspace): the pipe and its security descriptor come from
//! `interprocess` (SDDL parsed by `SecurityDescriptor::deserialize`), the token and SIDs from
//! `winsafe`. The pure parts (the SDDL for a SID, what a SID looks like) build and are tested on
//! every platform.

/// The security descriptor, in SDDL, that gives `sid` full access to a pipe and nobody else
/// any: `D:` the DACL, `P` protected (no inherited entries), one ACE `(A;;GA;;;sid)` = allow,
/// no inheritance flags, generic all, this SID.
///
/// # Errors
/// When `sid` is not a SID string (`S-1-…`), so that nothing but a SID can end up in the ACE.
pub fn user_only_sddl(sid: &str) -> std::io::Result<String> {
    if !is_sid(sid) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a Windows SID: {sid:?}"),
        ));
    }
    Ok(format!("D:P(A;;GA;;;{sid})"))
}

/// Whether `text` is a SID in its string form as Windows writes it: `S-1-`, the identifier
/// authority (decimal, or `0x` and 12 hex digits when it does not fit 32 bits), then 1 to 15
/// sub-authorities, each a decimal 32-bit number.
pub fn is_sid(text: &str) -> bool {
    let mut parts = text.split('-');
    if parts.next() != Some("S") || parts.next() != Some("1") {
        return false;
    }
    let authority_ok = parts.next().is_some_and(|a| match a.strip_prefix("0x") {
        Some(hex) => hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => decimal_u32(a),
    });
    let subs: Vec<&str> = parts.collect();
    authority_ok && (1..=15).contains(&subs.len()) && subs.iter().all(|s| decimal_u32(s))
}

fn decimal_u32(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u32>().is_ok()
}

#[cfg(windows)]
pub use windows::{
    client_options, connect_own, current_user_sid, process_user_sid, user_only_listener,
};

#[cfg(windows)]
mod windows {
    use std::io;
    use std::os::windows::fs::OpenOptionsExt as _;
    use std::os::windows::io::OwnedHandle;

    use interprocess::os::windows::named_pipe::PipeListenerOptions;
    use interprocess::os::windows::named_pipe::pipe_mode::Bytes;
    use interprocess::os::windows::named_pipe::tokio::DuplexPipeStream;
    use interprocess::os::windows::security_descriptor::SecurityDescriptor;
    use winsafe::{self as w, co};

    /// `SECURITY_IDENTIFICATION` (winnt.h `SecurityIdentification << 16`): the server may ask who
    /// we are but not impersonate us. std adds `SECURITY_SQOS_PRESENT` itself.
    const SECURITY_IDENTIFICATION: u32 = 1 << 16;
    /// `FILE_FLAG_OVERLAPPED`: tokio drives the handle through an I/O completion port.
    const FILE_FLAG_OVERLAPPED: u32 = 0x4000_0000;
    /// `ERROR_PIPE_BUSY`: every instance is taken for a moment; the host makes the next at once.
    const ERROR_PIPE_BUSY: i32 = 231;
    /// Each pipe instance's buffer size hint, both ways.
    const PIPE_BUFFER: u32 = 64 * 1024;

    fn os(e: co::ERROR) -> io::Error {
        // Win32 error codes are small positive numbers; the cast keeps them as they are.
        #[allow(clippy::cast_possible_wrap)]
        io::Error::from_raw_os_error(e.raw() as i32)
    }

    fn token_user(token: &w::HACCESSTOKEN) -> io::Result<String> {
        let info = token
            .GetTokenInformation(co::TOKEN_INFORMATION_CLASS::User)
            .map_err(os)?;
        let w::TokenInfo::User(user) = info else {
            return Err(io::Error::other("the token did not say which user it is"));
        };
        let sid = user
            .User
            .Sid()
            .ok_or_else(|| io::Error::other("the token names no user"))?;
        w::ConvertSidToStringSid(sid).map_err(os)
    }

    /// The SID of the user this process runs as (`S-1-5-21-…`), from its own token.
    ///
    /// # Errors
    /// When the token cannot be read (not expected for one's own process).
    pub fn current_user_sid() -> io::Result<String> {
        token_user(&w::HACCESSTOKEN::GetCurrentProcessToken())
    }

    /// The SID of the user process `pid` runs as.
    ///
    /// # Errors
    /// When the process or its token cannot be opened: a process of another user usually
    /// cannot be, which callers treat as "not ours".
    pub fn process_user_sid(pid: u32) -> io::Result<String> {
        let process = w::HPROCESS::OpenProcess(co::PROCESS::QUERY_LIMITED_INFORMATION, false, pid)
            .map_err(os)?;
        let token = process.OpenProcessToken(co::TOKEN::QUERY).map_err(os)?;
        token_user(&token)
    }

    /// Options for a pipe at `name` that only the current user can open (see the module
    /// docs): remote clients refused, first instance exclusive, byte stream.
    ///
    /// # Errors
    /// When the user's SID cannot be read or the security descriptor cannot be built.
    pub fn user_only_listener(name: &str) -> io::Result<PipeListenerOptions<'static>> {
        let sddl = super::user_only_sddl(&current_user_sid()?)?;
        let wide = widestring::U16CString::from_str(&sddl)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let descriptor = SecurityDescriptor::deserialize(&wide)?;
        let name = widestring::U16CString::from_str(name)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(PipeListenerOptions::new()
            .path(name)
            .accept_remote(false)
            // A tool result is often tens of KiB on one line: room for it in one go, as a Unix
            // socket's buffers give (the default hint is 512 bytes).
            .input_buffer_size_hint(PIPE_BUFFER)
            .output_buffer_size_hint(PIPE_BUFFER)
            .security_descriptor(Some(descriptor)))
    }

    /// How a client opens one of our pipes (blocking I/O): read and write, identification level
    /// only, so the server can never act as us.
    pub fn client_options() -> std::fs::OpenOptions {
        let mut options = std::fs::OpenOptions::new();
        options
            .read(true)
            .write(true)
            .security_qos_flags(SECURITY_IDENTIFICATION);
        options
    }

    /// Open the pipe at `name` as a client, if a process of the current user serves it.
    ///
    /// # Errors
    /// `NotFound` when nobody serves the pipe; `PermissionDenied` when another user does (or
    /// its user cannot be read); other OS errors as they come.
    pub async fn connect_own(name: &str) -> io::Result<DuplexPipeStream<Bytes>> {
        let mut busy = 0;
        let file = loop {
            match client_options()
                .custom_flags(FILE_FLAG_OVERLAPPED)
                .open(name)
            {
                Ok(file) => break file,
                Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) && busy < 50 => {
                    busy += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                Err(e) => return Err(e),
            }
        };
        let stream = DuplexPipeStream::<Bytes>::try_from(OwnedHandle::from(file))?;
        let server = stream.server_process_id()?;
        let ours = current_user_sid()?;
        match process_user_sid(server) {
            Ok(theirs) if theirs == ours => Ok(stream),
            Ok(theirs) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{name} is served by process {server} of another user ({theirs})"),
            )),
            Err(e) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{name} is served by process {server}, whose user cannot be read: {e}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_descriptor_gives_the_one_sid_full_access_and_inherits_nothing() {
        let sid = "S-1-5-21-3623811015-3361044348-30300820-1013";
        assert_eq!(
            user_only_sddl(sid).unwrap(),
            "D:P(A;;GA;;;S-1-5-21-3623811015-3361044348-30300820-1013)"
        );
    }

    #[test]
    fn only_a_sid_goes_into_the_ace() {
        for bad in [
            "",
            "OW",
            "CO",
            "WD",
            "S-1-5",
            "S-2-5-18",
            "S-1-5-18)(A;;GA;;;WD",
            "S-1-5-21-x",
            "S-1-5-99999999999",
            "S-1-0x12-1",
        ] {
            assert!(user_only_sddl(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn sids_as_windows_writes_them_are_accepted() {
        for good in [
            "S-1-5-18",
            "S-1-5-21-3623811015-3361044348-30300820-1013",
            "S-1-0x123456789abc-1",
            "S-1-16-12288",
        ] {
            assert!(is_sid(good), "{good:?} is a SID");
        }
    }

    // Windows only (run by a Windows CI job; type-checked here): the real token and pipe.

    #[cfg(windows)]
    #[test]
    fn our_token_names_a_sid_and_our_process_has_it() {
        let ours = current_user_sid().unwrap();
        assert!(is_sid(&ours), "{ours}");
        assert_eq!(process_user_sid(std::process::id()).unwrap(), ours);
    }

    #[cfg(windows)]
    #[tokio::test]
    async fn our_pipe_serves_us_and_a_name_taken_first_makes_creating_it_fail() {
        use interprocess::os::windows::named_pipe::pipe_mode::Bytes;
        use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

        let name = format!(r"\\.\pipe\flex-mcp-test-{}", std::process::id());
        let listener = user_only_listener(&name)
            .unwrap()
            .create_tokio_duplex::<Bytes>()
            .unwrap();
        // What a squatter's pipe does to the host: the first instance cannot be made again.
        let taken = user_only_listener(&name)
            .unwrap()
            .create_tokio_duplex::<Bytes>()
            .unwrap_err();
        assert_eq!(taken.kind(), std::io::ErrorKind::PermissionDenied);
        let echo = tokio::spawn(async move {
            let (r, mut w) = listener.accept().await.unwrap().split();
            let mut line = String::new();
            BufReader::new(r).read_line(&mut line).await.unwrap();
            w.write_all(line.as_bytes()).await.unwrap();
            w.flush().await.unwrap();
        });
        let (r, mut w) = connect_own(&name).await.unwrap().split();
        w.write_all(b"ping\n").await.unwrap();
        w.flush().await.unwrap();
        let mut line = String::new();
        BufReader::new(r).read_line(&mut line).await.unwrap();
        assert_eq!(line, "ping\n");
        echo.await.unwrap();
    }
}
