//! Request parameters the way Mastodon apps send them: a JSON body, a form-encoded
//! body, a multipart body or the query string, all parsed into one struct. Bracketed
//! keys (`scopes[]`, `source[privacy]`) become arrays and nested objects, and the
//! `lenient` helpers read `"true"`/`"1"`/`"on"` as booleans, as Rails does.

use std::future::Future;
use std::pin::Pin;

use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ApiError;

/// Largest request body we read for API parameters.
pub const MAX_BODY: usize = 1024 * 1024;
/// Most parameters (query and body together) one request may carry.
pub const MAX_PARAMS: usize = 1000;
/// Longest parameter name.
const MAX_KEY_LEN: usize = 256;
/// Most bracket segments in one name (`a[b][c][]` has three); Mastodon needs two.
const MAX_DEPTH: usize = 4;

/// Parsed parameters from body and query string (body wins on conflicts).
pub struct Params<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Params<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let mut map = Map::new();
            let query = req.query_string();
            if !query.is_empty() {
                let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
                    .map_err(|_| ApiError::bad_request("Malformed query string"))?;
                insert_pairs(&mut map, pairs)?;
            }
            let content_type = req
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase();
            if content_type.starts_with("multipart/form-data") {
                let pairs = read_multipart(&req, &mut payload).await?;
                insert_pairs(&mut map, pairs)?;
            } else {
                let body = read_body(&mut payload).await?;
                if !body.iter().all(u8::is_ascii_whitespace) {
                    if content_type.starts_with("application/json")
                        || content_type.contains("+json")
                    {
                        let value: Value = serde_json::from_slice(&body)
                            .map_err(|_| ApiError::bad_request("Malformed JSON body"))?;
                        match value {
                            Value::Object(obj) => map.extend(obj),
                            _ => return Err(ApiError::bad_request("JSON body must be an object")),
                        }
                    } else {
                        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                            .map_err(|_| ApiError::bad_request("Malformed form body"))?;
                        insert_pairs(&mut map, pairs)?;
                    }
                }
            }
            serde_json::from_value(Value::Object(map))
                .map(Params)
                .map_err(|e| {
                    ApiError::unprocessable(
                        "invalid_parameters",
                        format!("Validation failed: {}", describe(&e)),
                    )
                })
        })
    }
}

/// serde's message names the field and the problem, never the value sent.
fn describe(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
    }
}

async fn read_body(payload: &mut Payload) -> Result<Bytes, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("Could not read request body"))?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Request body is too large",
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// Text fields of a multipart body. File parts (avatars, headers, media) are reported
/// by name with an empty value, so a handler can refuse what it does not support.
async fn read_multipart(
    req: &HttpRequest,
    payload: &mut Payload,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut multipart = Multipart::new(req.headers(), payload.take());
    let mut pairs = Vec::new();
    let mut total = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| ApiError::bad_request("Malformed multipart body"))?;
        if pairs.len() >= MAX_PARAMS {
            return Err(too_many_params());
        }
        let name = field.name().unwrap_or_default().to_owned();
        // Names and part headers count towards the body limit too, so many empty
        // parts cannot add up to an unbounded amount of work.
        total += name.len() + 64;
        let is_file = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .is_some();
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| ApiError::bad_request("Malformed multipart body"))?;
            total += chunk.len();
            if total > MAX_BODY {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "Request body is too large",
                ));
            }
            if !is_file {
                value.extend_from_slice(&chunk);
            }
        }
        let value = if is_file {
            FILE_MARKER.to_owned()
        } else {
            String::from_utf8(value)
                .map_err(|_| ApiError::bad_request("Multipart field is not UTF-8"))?
        };
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Value recorded for an uploaded file part.
pub const FILE_MARKER: &str = "\u{0}file";

fn too_many_params() -> ApiError {
    ApiError::bad_request("Too many parameters")
}

/// `a[]=x&a[]=y` → `{"a": ["x","y"]}`, `s[k]=v` → `{"s": {"k": "v"}}`,
/// `f[0][name]=n` → `{"f": {"0": {"name": "n"}}}`. Names are bounded in length and
/// depth, and the count is bounded, so a crafted request cannot exhaust the stack.
fn insert_pairs(
    map: &mut Map<String, Value>,
    pairs: Vec<(String, String)>,
) -> Result<(), ApiError> {
    if pairs.len() > MAX_PARAMS {
        return Err(too_many_params());
    }
    for (key, value) in pairs {
        if key.len() > MAX_KEY_LEN {
            return Err(ApiError::bad_request("Parameter name is too long"));
        }
        let mut parts: Vec<&str> = Vec::new();
        let (head, mut rest) = match key.find('[') {
            Some(i) => (&key[..i], &key[i..]),
            None => (key.as_str(), ""),
        };
        while let Some(stripped) = rest.strip_prefix('[') {
            match stripped.find(']') {
                Some(end) => {
                    parts.push(&stripped[..end]);
                    rest = &stripped[end + 1..];
                }
                None => break,
            }
            if parts.len() > MAX_DEPTH {
                return Err(ApiError::bad_request("Parameter name is nested too deeply"));
            }
        }
        insert_path(map, head, &parts, value);
    }
    Ok(())
}

fn insert_path(map: &mut Map<String, Value>, head: &str, parts: &[&str], value: String) {
    match parts.split_first() {
        None => {
            map.insert(head.to_owned(), Value::String(value));
        }
        Some((&"", rest)) => {
            let entry = map
                .entry(head.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !entry.is_array() {
                *entry = Value::Array(Vec::new());
            }
            let Value::Array(items) = entry else {
                return;
            };
            match rest.split_first() {
                None => items.push(Value::String(value)),
                // `a[][k]=1&a[][w]=2&a[][k]=3` → [{k:1,w:2},{k:3}]: as Rails, a new
                // element starts when the last one already has this key.
                Some((next, deeper)) => {
                    let reuse =
                        matches!(items.last(), Some(Value::Object(o)) if !o.contains_key(*next));
                    if !reuse {
                        items.push(Value::Object(Map::new()));
                    }
                    if let Some(Value::Object(inner)) = items.last_mut() {
                        insert_path(inner, next, deeper, value);
                    }
                }
            }
        }
        Some((next, rest)) => {
            let entry = map
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                insert_path(inner, next, rest, value);
            }
        }
    }
}

/// Deserializers that accept what Rails accepts.
pub mod lenient {
    use serde::de::{self, Deserializer};
    use serde::Deserialize;
    use serde_json::Value;

    pub fn to_bool(v: &Value) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => Some(n.as_i64() != Some(0)),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "t" | "yes" => Some(true),
                "false" | "0" | "off" | "f" | "no" | "" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => to_bool(&v)
                .map(Some)
                .ok_or_else(|| de::Error::custom("expected a boolean")),
        }
    }

    /// A string, a number, or `null`.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(de::Error::custom("expected a string")),
        }
    }

    /// A list of objects given as an array or, as Rails forms send them, as an object
    /// keyed by index (`a[0][k]=v`), in index order.
    pub fn opt_objects<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: serde::de::DeserializeOwned,
    {
        let v = Option::<Value>::deserialize(d)?;
        let items = match v {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(Value::Object(map)) => {
                let mut entries: Vec<(String, Value)> = map.into_iter().collect();
                entries.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), k.clone()));
                entries.into_iter().map(|(_, v)| v).collect()
            }
            Some(_) => return Err(de::Error::custom("expected a list")),
        };
        items
            .into_iter()
            .map(|i| serde_json::from_value(i).map_err(de::Error::custom))
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    /// A list given as an array or as one string separated by spaces or newlines.
    pub fn opt_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.split_whitespace().map(str::to_owned).collect())),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s),
                    _ => Err(de::Error::custom("expected a list of strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(de::Error::custom("expected a list of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_become_structure() {
        let mut m = Map::new();
        insert_pairs(
            &mut m,
            vec![
                ("scopes[]".into(), "read".into()),
                ("scopes[]".into(), "write".into()),
                ("source[privacy]".into(), "unlisted".into()),
                ("fields_attributes[0][name]".into(), "n".into()),
                ("plain".into(), "x".into()),
                ("kw[][keyword]".into(), "a".into()),
                ("kw[][whole_word]".into(), "1".into()),
                ("kw[][keyword]".into(), "b".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            Value::Object(m),
            serde_json::json!({
                "scopes": ["read", "write"],
                "source": {"privacy": "unlisted"},
                "fields_attributes": {"0": {"name": "n"}},
                "plain": "x",
                "kw": [{"keyword": "a", "whole_word": "1"}, {"keyword": "b"}]
            })
        );
    }

    #[test]
    fn deep_long_or_many_names_are_refused() {
        let deep = format!("a{}", "[x]".repeat(5));
        assert!(insert_pairs(&mut Map::new(), vec![(deep, "v".into())]).is_err());
        let ok = format!("a{}", "[x]".repeat(4));
        assert!(insert_pairs(&mut Map::new(), vec![(ok, "v".into())]).is_ok());
        let long = "a".repeat(MAX_KEY_LEN + 1);
        assert!(insert_pairs(&mut Map::new(), vec![(long, "v".into())]).is_err());
        let many = (0..=MAX_PARAMS)
            .map(|i| (format!("k{i}"), String::new()))
            .collect();
        assert!(insert_pairs(&mut Map::new(), many).is_err());
        // A huge bracket bomb is refused by length before any nesting happens.
        let bomb = format!("a{}", "[".repeat(100_000));
        assert!(insert_pairs(&mut Map::new(), vec![(bomb, "v".into())]).is_err());
    }
}
