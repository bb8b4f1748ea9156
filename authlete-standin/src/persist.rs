//! The state file (`--state FILE`): what a stand-in keeps across restarts. The service's
//! clients, and its access and refresh tokens with what they were granted; not what lives
//! for minutes (tickets, codes, pushed requests, CIBA and device requests), nor the ID
//! token signing key, which is made anew at each start.

use std::collections::HashMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use authlete::types;
use serde::{Deserialize, Serialize};

use crate::state::{State, TokenRecord};

/// The version of the file's format, so that a later stand-in can tell.
const FORMAT: u32 = 1;

/// A state file that could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileError {
    /// Reading or writing it failed.
    #[error("state file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a state file of this stand-in; it is left as it is.
    #[error("state file {}: not a stand-in state file ({reason})", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Written<'a> {
    format: u32,
    clients: &'a [types::Client],
    access_tokens: &'a HashMap<String, TokenRecord>,
    refresh_tokens: &'a HashMap<String, TokenRecord>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Read {
    format: u32,
    clients: Vec<types::Client>,
    access_tokens: HashMap<String, TokenRecord>,
    refresh_tokens: HashMap<String, TokenRecord>,
}

/// Writes what `state` keeps to `path`: to a temporary file beside it first, renamed over
/// it, so that a crash leaves the old file or the new one, never half of one.
pub(crate) fn save(state: &State, path: &Path) -> Result<(), StateFileError> {
    let io = |source| StateFileError::Io {
        path: path.to_owned(),
        source,
    };
    let written = Written {
        format: FORMAT,
        clients: &state.clients,
        access_tokens: &state.access_tokens,
        refresh_tokens: &state.refresh_tokens,
    };
    let text = serde_json::to_vec_pretty(&written).expect("the state serializes");
    let name = path.file_name().map_or_else(
        || "state".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(&text)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(io)
}

/// Restores into `state` what `path` keeps; a file that does not exist yet is a first run.
pub(crate) fn restore(state: &mut State, path: &Path) -> Result<(), StateFileError> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StateFileError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let invalid = |reason: String| StateFileError::Invalid {
        path: path.to_owned(),
        reason,
    };
    let read: Read = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
    if read.format != FORMAT {
        return Err(invalid(format!(
            "format {}, this stand-in reads {FORMAT}",
            read.format
        )));
    }
    state.clients = read.clients;
    state.access_tokens = read.access_tokens;
    state.refresh_tokens = read.refresh_tokens;
    state.prune();
    Ok(())
}
