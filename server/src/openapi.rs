//! The OpenAPI document, kept by hand in `server/openapi.json` and served at `/openapi.json`.
//!
//! Why by hand rather than generated (utoipa): the largest schema, the report, lives in the root
//! library, which should not carry a documentation generator's derives for every consumer, and
//! the API is small. The server's tests keep the document honest: every documented operation
//! is called on a running server and must be routed (not the 404/405 fallbacks), and every
//! route the tests exercise must be documented.

use axum::http::header;
use axum::response::IntoResponse;

/// The document's text.
pub const DOCUMENT: &str = include_str!("../openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_is_json_with_this_version() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        // Every reference points at something that exists.
        let text = DOCUMENT;
        for reference in text.split("\"$ref\": \"#/").skip(1) {
            let path = reference.split('"').next().unwrap();
            let mut node = &doc;
            for part in path.split('/') {
                node = &node[part];
            }
            assert!(!node.is_null(), "dangling reference #/{path}");
        }
    }
}
