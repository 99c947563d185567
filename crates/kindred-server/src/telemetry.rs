use tracing_subscriber::EnvFilter;

/// Logs go to stderr (stdout is for command output such as generated passwords).
/// Lines carry no client addresses, tokens or emails: nothing in Kindred logs them.
pub fn init(level: &str, json: bool) {
    let filter =
        EnvFilter::try_new(filter_directives(level)).unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // Already initialised (tests start several servers in one process): keep the first.
    let _ = result;
}

/// actix-server announces its listening socket at info level; we log the port and
/// domain ourselves, so keep its chatter at warn unless the operator asks for it.
pub fn filter_directives(level: &str) -> String {
    if level.contains("actix_server") {
        level.to_owned()
    } else {
        format!("{level},actix_server=warn")
    }
}
