//! The OpenAPI document against the running server: every documented operation is routed, and
//! the routes the tests use are the documented ones.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{self, TestServer};

/// Every route of the server (kept with `app` in `server/src/lib.rs`).
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("post", "/verify"),
    ("post", "/verify/async"),
    ("get", "/verify/status/{id}"),
    ("post", "/verify/retry/{id}"),
    ("post", "/verify/batch"),
    ("get", "/verify/batch/{id}"),
    ("delete", "/verify/batch/{id}"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_matches_the_routes() {
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;
    let r = server.client.get(server.url("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("content-type").unwrap(), "application/json");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc, serde_json::from_str::<Value>(ttb_verifier_server::OPENAPI_DOCUMENT).unwrap());

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_string(), path.clone()));
            }
        }
    }
    let routes: BTreeSet<(String, String)> = ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, routes);

    // Each documented operation reaches a handler: not the 404 or 405 fallback.
    for (method, path) in &documented {
        let url = server.url(&path.replace("{id}", "0b9a5f8e-2c1d-4e3f-8a7b-6c5d4e3f2a1b"));
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = server.client.request(method.clone(), url).send().await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_ne!(status, 405, "{method} {path}");
        assert_ne!(body["error_code"], "not_found", "{method} {path} is not routed");
    }
    server.stop().await.unwrap();
}
