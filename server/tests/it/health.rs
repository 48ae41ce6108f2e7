//! `/health`: the runbook's shapes and status rules, following a stand-in Ollama as it stops and
//! starts; unhealthy without Tesseract.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use ttb_verifier::api::BackendHealth;
use ttb_verifier_server::{AppState, app};

use crate::support::{self, TestServer};

async fn health_is(server: &TestServer, status: &str, ollama_error: Option<&str>) -> Value {
    let mut last = Value::Null;
    let reached = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let (code, body) = server.get_json("/health").await;
            let error_matches = match ollama_error {
                None => body["backends"]["ollama"]["error"].is_null(),
                Some(prefix) => body["backends"]["ollama"]["error"].as_str().is_some_and(|e| e.starts_with(prefix)),
            };
            if body["status"] == status && error_matches {
                assert_eq!(code, 200);
                return body;
            }
            last = body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    reached.unwrap_or_else(|_| panic!("/health never became {status} ({ollama_error:?}); last: {last}"))
}

/// The body without the fields added since the runbook was written (version, workers,
/// in_flight), for comparison with the runbook's examples as they stand.
fn runbook_part(body: &Value) -> Value {
    json!({"status": body["status"], "backends": body["backends"], "capabilities": body["capabilities"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_follows_ollama_as_it_stops_and_starts() {
    let data = support::temp_dir();
    let ollama = support::standin_ollama();
    let mut config = support::config(data.path());
    config.ollama_host = ollama.url();
    // /health needs no token even when one is configured.
    config.api_token = Some("s3cret".into());
    let server = TestServer::start(config).await;

    // The runbook's "Healthy (all backends available)", exactly.
    let healthy = health_is(&server, "healthy", None).await;
    assert_eq!(
        runbook_part(&healthy),
        json!({
            "status": "healthy",
            "backends": {"tesseract": {"available": true, "error": null}, "ollama": {"available": true, "error": null}},
            "capabilities": {"ocr_backends": ["tesseract", "ollama"], "degraded_mode": false}
        })
    );

    // The model goes missing: the runbook's "Degraded (Ollama unavailable)", exactly.
    ollama.set_models(&["qwen2.5vl:7b"]);
    let missing = health_is(&server, "degraded", Some("Model ")).await;
    assert_eq!(
        runbook_part(&missing),
        json!({
            "status": "degraded",
            "backends": {
                "tesseract": {"available": true, "error": null},
                "ollama": {"available": false, "error": "Model 'llama3.2-vision' not found"}
            },
            "capabilities": {"ocr_backends": ["tesseract"], "degraded_mode": true}
        })
    );

    // Ollama stops: degraded, saying it cannot be reached.
    ollama.set_models(&[support::MODEL]);
    health_is(&server, "healthy", None).await;
    let addr = ollama.addr();
    ollama.stop();
    let down = health_is(&server, "degraded", Some(&format!("Cannot reach Ollama at http://{addr}"))).await;
    assert_eq!(down["backends"]["ollama"]["available"], false);
    assert_eq!(down["capabilities"], json!({"ocr_backends": ["tesseract"], "degraded_mode": true}));

    // And starts again on its port: healthy.
    let back = support::StandIn::start_on(addr, &[support::MODEL]).unwrap();
    let again = health_is(&server, "healthy", None).await;
    assert_eq!(runbook_part(&again), runbook_part(&healthy));

    server.stop().await.unwrap();
    back.stop();
}

/// Without Tesseract: `unhealthy` with 503, and /verify refuses with 503 and Retry-After.
/// Through `oneshot`, with the Tesseract check's result injected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unhealthy_without_tesseract() {
    let data = support::temp_dir();
    let state = AppState::new(
        support::config(data.path()),
        BackendHealth::unavailable("Tesseract's English data (eng.traineddata) was not found"),
    )
    .unwrap();

    let response = app(state.clone()).oneshot(Request::get("/health").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap()).unwrap();
    assert_eq!(body["status"], "unhealthy");
    assert_eq!(body["backends"]["tesseract"]["available"], false);
    assert!(body["backends"]["tesseract"]["error"].as_str().unwrap().contains("eng.traineddata"));
    assert_eq!(body["capabilities"]["ocr_backends"], serde_json::json!([]));

    let boundary = "XYZBOUNDARY";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"label.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&support::sample("label_good_001.jpg"));
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post("/verify")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(form))
        .unwrap();
    let response = app(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap()).unwrap();
    assert_eq!(body["error_code"], "backend_unavailable");
    assert!(body["correlation_id"].as_str().is_some_and(|id| !id.is_empty()));
}
