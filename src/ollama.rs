//! A small async client for an Ollama server: is it reachable, and does it have the vision model?
//!
//! This is the availability check the server's `/health` reports. The Ollama OCR engine itself
//! is not here (it is not built yet).

use std::time::Duration;

use serde::Deserialize;

/// How long the availability check waits to connect, and for the whole answer: `/health` must
/// stay quick even when Ollama is down or slow.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// A client for availability checks, with short timeouts.
pub fn check_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder().connect_timeout(CHECK_TIMEOUT).timeout(CHECK_TIMEOUT).build()
}

/// `GET /api/tags`: the models the server has.
#[derive(Debug, Default, Deserialize)]
pub struct Tags {
    #[serde(default)]
    pub models: Vec<ModelTag>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ModelTag {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub model: String,
}

/// Whether `model` is among `tags`. A name without a tag (`llama3.2-vision`) matches any tag of
/// that name (`llama3.2-vision:latest`, `llama3.2-vision:11b`); a name with a tag must match
/// exactly.
pub fn is_listed(tags: &Tags, model: &str) -> bool {
    let wanted = model.trim();
    let has_tag = wanted.contains(':');
    tags.models.iter().flat_map(|m| [m.name.as_str(), m.model.as_str()]).any(|listed| {
        if has_tag {
            listed == wanted
        } else {
            listed == wanted || listed.split_once(':').is_some_and(|(name, _)| name == wanted)
        }
    })
}

/// Checks that the Ollama server at `base_url` answers and lists `model`.
///
/// The errors are the operations runbook's wording: `Model 'NAME' not found` when the server
/// answers without the model, `Cannot reach Ollama at URL: ...` when it does not answer.
pub async fn availability(client: &reqwest::Client, base_url: &str, model: &str) -> Result<(), String> {
    let base = base_url.trim_end_matches('/');
    let url = format!("{base}/api/tags");
    let response =
        client.get(&url).send().await.map_err(|e| format!("Cannot reach Ollama at {base}: {}", error_chain(&e)))?;
    if !response.status().is_success() {
        return Err(format!("Ollama at {base} answered {} to /api/tags", response.status()));
    }
    let tags: Tags = response
        .json()
        .await
        .map_err(|e| format!("Ollama at {base} answered /api/tags with an unexpected body: {}", error_chain(&e)))?;
    if is_listed(&tags, model) { Ok(()) } else { Err(format!("Model '{model}' not found")) }
}

/// An error with its sources: reqwest's own message ("error sending request") hides the cause.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(names: &[&str]) -> Tags {
        Tags { models: names.iter().map(|n| ModelTag { name: (*n).into(), model: (*n).into() }).collect() }
    }

    #[test]
    fn model_names_match_with_and_without_tag() {
        let listed = tags(&["llama3.2-vision:latest", "qwen2.5vl:7b"]);
        assert!(is_listed(&listed, "llama3.2-vision"));
        assert!(is_listed(&listed, "llama3.2-vision:latest"));
        assert!(is_listed(&listed, "qwen2.5vl"));
        assert!(is_listed(&listed, "qwen2.5vl:7b"));
        assert!(!is_listed(&listed, "qwen2.5vl:3b"));
        assert!(!is_listed(&listed, "llama3.2"));
        assert!(!is_listed(&tags(&[]), "llama3.2-vision"));
    }

    #[test]
    fn tags_parse_from_ollama_shape() {
        let body = r#"{"models":[{"name":"llama3.2-vision:latest","model":"llama3.2-vision:latest",
            "modified_at":"2025-01-01T00:00:00Z","size":7816589186,"digest":"abc",
            "details":{"family":"mllama"}}]}"#;
        let parsed: Tags = serde_json::from_str(body).unwrap();
        assert!(is_listed(&parsed, "llama3.2-vision"));
    }
}
