//! Reading settings from the environment and from INI text.

use std::path::{Path, PathBuf};

use ini::{Ini, ParseOption};

use super::builder::ConfigBuilder;
use super::error::ConfigError;
use super::types::{Origin, Setting};

/// The section of an INI file that holds the Authlete settings.
pub(super) const INI_SECTION: &str = "authlete";

pub(super) fn env_builder(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<ConfigBuilder, ConfigError> {
    let mut builder = ConfigBuilder::with_origin(Origin::Environment);
    for &setting in Setting::ALL {
        if let Some(value) = setting.env_var().and_then(lookup) {
            builder.set_loaded(setting, value, Origin::Environment)?;
        }
    }
    Ok(builder)
}

pub(super) fn ini_file_builder(path: &Path) -> Result<ConfigBuilder, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadIniFile {
        path: path.to_owned(),
        source,
    })?;
    ini_builder(&text, Some(path.to_owned()))
}

pub(super) fn ini_builder(text: &str, path: Option<PathBuf>) -> Result<ConfigBuilder, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Comment lines become empty lines, so that line numbers stay right and an indented
    // comment is not read as a key.
    let uncommented: String = text
        .split_inclusive('\n')
        .map(|line| {
            let content = line.trim_start();
            if content.starts_with(';') || content.starts_with('#') {
                if line.ends_with("\r\n") {
                    "\r\n"
                } else if line.ends_with('\n') {
                    "\n"
                } else {
                    ""
                }
            } else {
                line
            }
        })
        .collect();
    let options = ParseOption {
        enabled_quote: true,
        enabled_escape: false,
        enabled_indented_mutiline_value: false,
        enabled_preserve_key_leading_whitespace: false,
    };
    let malformed = |line: usize, message: String| ConfigError::MalformedIni {
        path: path.clone(),
        line,
        message,
    };
    let ini = Ini::load_from_str_opt(&uncommented, options).map_err(|e| {
        let (line, message) = explain_parse_error(&uncommented, e.line, &e.msg);
        malformed(line, message)
    })?;

    // The parser reads a section name up to the next `]`, and a key up to the next `=`,
    // across lines: a header without `]` or a line without `=` shows as a name with a
    // line break. Report them at the line where they start.
    for (section, properties) in ini.iter() {
        if let Some(section) = section.filter(|name| name.contains(['\n', '\r'])) {
            return Err(malformed(
                line_of(&uncommented, |line| {
                    line.starts_with('[') && line[1..].trim() == first_line(section)
                }),
                "a section header must end with `]` on the same line".to_owned(),
            ));
        }
        for (key, _) in properties.iter() {
            if key.contains(['\n', '\r']) {
                return Err(malformed(
                    line_of(&uncommented, |line| line == first_line(key)),
                    "expected `key = value`, `[section]` or a comment".to_owned(),
                ));
            }
        }
    }

    let mut sections = ini.section_all(Some(INI_SECTION));
    let Some(section) = sections.next() else {
        let found = ini
            .sections()
            .flatten()
            .find(|name| name.eq_ignore_ascii_case(INI_SECTION))
            .map(str::to_owned);
        return Err(ConfigError::MissingIniSection { path, found });
    };
    if sections.next().is_some() {
        return Err(ConfigError::DuplicateIniEntry {
            path,
            entry: format!("[{INI_SECTION}]"),
        });
    }

    let origin = Origin::Ini { path: path.clone() };
    let mut builder = ConfigBuilder::with_origin(origin.clone());
    for (key, value) in section.iter() {
        let setting = Setting::ALL
            .iter()
            .copied()
            .find(|s| s.ini_key() == Some(key));
        let Some(setting) = setting else {
            if let Some(expected) = Setting::ALL
                .iter()
                .filter_map(|s| s.ini_key())
                .find(|known| known.eq_ignore_ascii_case(key))
            {
                return Err(ConfigError::WrongCaseIniKey {
                    path,
                    key: key.to_owned(),
                    expected,
                });
            }
            // An unknown key: a setting of a later version, or of another SDK.
            continue;
        };
        if section.get_all(key).nth(1).is_some() {
            return Err(ConfigError::DuplicateIniEntry {
                path,
                entry: format!("`{key}`"),
            });
        }
        builder.set_loaded(setting, value.to_owned(), origin.clone())?;
    }
    Ok(builder)
}

/// The first (trimmed) line of a name that spans lines.
fn first_line(name: &str) -> &str {
    name.lines().next().unwrap_or_default().trim()
}

/// The number (from 1) of the first line whose trimmed content matches, or 1.
fn line_of(text: &str, matches: impl Fn(&str) -> bool) -> usize {
    text.lines()
        .position(|line| matches(line.trim()))
        .map_or(1, |index| index + 1)
}

/// rust-ini's message in words for someone editing the file, and the line where the
/// problem starts (rust-ini reports where it noticed it, often the end of the file).
/// None of the messages quotes the text, so no secret can leak through them.
fn explain_parse_error(text: &str, line: usize, message: &str) -> (usize, String) {
    if message.starts_with("expecting") && message.contains("but found EOF") {
        if message.contains("']'") {
            let line = line_of(text, |line| line.starts_with('[') && !line.contains(']'));
            (
                line,
                "a section header must end with `]` on the same line".to_owned(),
            )
        } else if message.contains("'\"'") || message.contains("'\\''") {
            // The last line with a quote is where the unclosed value starts.
            let line = text
                .lines()
                .enumerate()
                .filter(|(_, line)| line.contains(['"', '\'']))
                .last()
                .map_or(line, |(index, _)| index + 1);
            (line, "a quoted value has no closing quote".to_owned())
        } else {
            let line = text
                .lines()
                .enumerate()
                .filter(|(_, line)| !line.trim().is_empty())
                .last()
                .map_or(line, |(index, _)| index + 1);
            (
                line,
                "expected `key = value`, `[section]` or a comment".to_owned(),
            )
        }
    } else if message.contains("missing key") {
        (
            line,
            "a line starts with `=` or `:`; expected `key = value`".to_owned(),
        )
    } else {
        (line, message.to_owned())
    }
}
