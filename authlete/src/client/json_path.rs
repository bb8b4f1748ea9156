//! Where in a JSON body decoding failed, as a path such as `scopes[2].name`.
//!
//! serde_json reports a failure's line and column; this walks the body up to there and
//! names the member or element being read. One function for every response type: tracking
//! the path while decoding (as `serde_path_to_error` does) would compile a second decoder
//! for each of them, and this runs only when decoding has already failed.

use serde_json::error::Category;

/// The path of the value being decoded when `error` occurred in `body`: member names
/// joined by `.`, element indexes in brackets; `.` for the document itself and for a body
/// that is not JSON at all (a syntax error, or the end of the body too soon).
pub fn json_path(body: &[u8], error: &serde_json::Error) -> String {
    match error.classify() {
        Category::Data => {}
        Category::Syntax | Category::Eof | Category::Io => return ".".to_string(),
    }
    // serde_json reports a missing member past the object's `}`, where the walk has closed
    // the object and names it in its parent, as a path-tracking decoder does.
    let offset = offset_of(body, error.line(), error.column());
    render(&frames_at(body, offset))
}

/// One open object or array on the way to the failure.
#[derive(Debug, PartialEq)]
enum Frame {
    /// The member whose value is being read (`None` while reading a name).
    Object { member: Option<String> },
    /// The element being read.
    Array { index: usize },
}

/// The byte offset just past `column` bytes of line `line` (both one-based, as serde_json
/// counts them).
fn offset_of(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        body.iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(line - 2)
            .map_or(body.len(), |(at, _)| at + 1)
    };
    (line_start + column).min(body.len())
}

/// The objects and arrays open at `offset`, outermost first.
fn frames_at(body: &[u8], offset: usize) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    // In an object, whether the next string is a member's name.
    let mut expecting_name = false;
    let mut at = 0;
    while at < offset {
        match body[at] {
            b'{' => {
                frames.push(Frame::Object { member: None });
                expecting_name = true;
            }
            b'[' => {
                frames.push(Frame::Array { index: 0 });
                expecting_name = false;
            }
            b'}' | b']' => {
                frames.pop();
                expecting_name = false;
            }
            b',' => match frames.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { member }) => {
                    *member = None;
                    expecting_name = true;
                }
                None => {}
            },
            b'"' => {
                let end = string_end(body, at);
                if expecting_name && let Some(Frame::Object { member }) = frames.last_mut() {
                    let name = &body[at + 1..end.saturating_sub(1).max(at + 1)];
                    *member = Some(unescape(name));
                    expecting_name = false;
                }
                at = end;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    frames
}

/// The offset just past the string starting at `start` (or the end of the body).
fn string_end(body: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < body.len() {
        match body[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    body.len()
}

/// A member name as written, its escapes decoded when they are valid JSON.
fn unescape(raw: &[u8]) -> String {
    let quoted = [b"\"".as_slice(), raw, b"\""].concat();
    serde_json::from_slice::<String>(&quoted)
        .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
}

fn render(frames: &[Frame]) -> String {
    let mut path = String::new();
    for frame in frames {
        match frame {
            Frame::Object { member: Some(name) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
            }
            Frame::Object { member: None } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::json_path;

    /// The path this module gives and the one `serde_path_to_error` gives, for `body`
    /// decoded as `T`.
    fn both<T: DeserializeOwned>(body: &str) -> (String, String) {
        let Err(error) = serde_json::from_str::<T>(body) else {
            panic!("{body} must fail");
        };
        let mut deserializer = serde_json::Deserializer::from_str(body);
        let tracked = serde_path_to_error::deserialize::<_, T>(&mut deserializer)
            .err()
            .expect("fails the same way");
        (
            json_path(body.as_bytes(), &error),
            tracked.path().to_string(),
        )
    }

    #[test]
    fn agrees_with_a_path_tracking_decoder() {
        use authlete_sys::types::{Client, ClientGetListResponse, TokenResponse};
        type Check = fn(&str) -> (String, String);
        let cases: &[(&str, Check)] = &[
            (
                r#"{"action":"OK","scopes":["openid", 5]}"#,
                both::<TokenResponse>,
            ),
            (r#"{"action": 7}"#, both::<TokenResponse>),
            (r#"{"accessTokenExpiresAt": "soon"}"#, both::<TokenResponse>),
            (
                "{\n  \"clients\": [\n    {\"clientId\": 1},\n    {\"clientId\": \"x\"}\n  ]\n}",
                both::<ClientGetListResponse>,
            ),
            (
                r#"{"clients":[{"clientId":1},{"clientId":2,"redirectUris":["a",{}]}]}"#,
                both::<ClientGetListResponse>,
            ),
            (
                r#"{"clients":[{"clientId":1,"attributes":[{"key":"k","value":3}]}]}"#,
                both::<ClientGetListResponse>,
            ),
            (r#"{"cl\"ient\u0049d": 1, "clientId": []}"#, both::<Client>),
            (r#"[1, 2]"#, both::<Client>),
            (r#""text""#, both::<Client>),
        ];
        for (body, check) in cases {
            let (ours, tracked) = check(body);
            assert_eq!(ours, tracked, "{body}");
        }
    }

    #[test]
    fn a_missing_member_belongs_to_its_object() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Inner {
            required: String,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Outer {
            first: u32,
            inner: Vec<Inner>,
            #[serde(default)]
            single: Option<Inner>,
        }
        for body in [
            r#"{"first":1,"inner":[],"single":{"other":1}}"#,
            r#"{"single":{"required":"x"},"inner":[]}"#,
            r#"{"first":1,"inner":[{"required":"a"},{"other":2}]}"#,
            r#"{"first":1,"inner":[{"required":"a"},{"other":2} ]}"#,
            r#"{"first":1,"inner":[{}]}"#,
            r#"{"first":1}"#,
            r#"{"inner":[]}"#,
        ] {
            let (ours, tracked) = both::<Outer>(body);
            assert_eq!(ours, tracked, "{body}");
        }
    }

    #[test]
    fn a_body_that_is_not_json_has_the_document_path() {
        for body in ["", "{\"action\":", "{\"scopes\":[\"a\" \"b\"]}", "nul"] {
            let error = serde_json::from_str::<authlete_sys::types::TokenResponse>(body)
                .err()
                .unwrap();
            assert_eq!(json_path(body.as_bytes(), &error), ".", "{body}");
        }
    }
}
