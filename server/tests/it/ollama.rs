//! `ocr_backend=ollama`: labels really read through the stand-in Ollama, 503 with `Retry-After`
//! while it is unavailable (also when it goes away mid-request), and async jobs for the slow
//! backend that never hold up Tesseract's.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{self, Reply, TestServer, expect_error, image_form};

fn form() -> reqwest::multipart::Form {
    let application = support::sample_text("label_good_001.json");
    image_form(
        support::sample("label_good_001.jpg"),
        "label_good_001.jpg",
        &[("ocr_backend", "ollama"), ("application", &application)],
    )
}

async fn wait_for_status(server: &TestServer, status: &str) {
    server.wait_for(|| async { server.get_json("/health").await.1["status"] == status }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reads_through_ollama_and_refuses_while_it_is_away() {
    // Unreachable from the start.
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;
    server
        .wait_for(|| async {
            let (_, health) = server.get_json("/health").await;
            health["backends"]["ollama"]["error"].as_str().is_some_and(|e| e.starts_with("Cannot reach"))
        })
        .await;
    let r = server.post_form("/verify", form()).await;
    assert!(r.headers().get("retry-after").is_some());
    let body = expect_error(r, 503, "backend_unavailable").await;
    assert!(body["detail"].as_str().unwrap().contains("Cannot reach Ollama"), "{body}");
    server.stop().await.unwrap();

    let ollama = support::standin_ollama();
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.ollama_host = ollama.url();
    let server = TestServer::start(config).await;
    wait_for_status(&server, "healthy").await;

    // Available: the vision model's reading, judged by the same checks.
    let r = server.post_form("/verify", form()).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["backend"], "ollama", "{report:#}");
    assert_eq!(report["status"], "NEEDS_REVIEW", "{report:#}");
    let outcome = |field: &str| {
        report["checks"].as_array().unwrap().iter().find(|c| c["field"] == field).map(|c| c["outcome"].clone())
    };
    assert_eq!(outcome("brand_name").unwrap(), "pass");
    assert_eq!(outcome("alcohol_content").unwrap(), "pass");
    assert_eq!(outcome("government_warning_text").unwrap(), "pass");
    assert_eq!(outcome("government_warning_bold").unwrap(), "review");
    let sent = ollama.chat_requests();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0]["model"].as_str(), sent[0]["stream"].as_bool()), (Some("llama3.2-vision"), Some(false)));

    // The model goes missing: 503 with Retry-After and the runbook's wording.
    ollama.set_models(&[]);
    wait_for_status(&server, "degraded").await;
    let r = server.post_form("/verify", form()).await;
    let retry_after: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    let body = expect_error(r, 503, "backend_unavailable").await;
    assert_eq!(body["detail"], "The ollama backend is unavailable: Model 'llama3.2-vision' not found");
    // Tesseract still serves (degraded mode).
    let r = server.post_form("/verify", image_form(support::sample("label_good_001.jpg"), "a.jpg", &[])).await;
    assert_eq!(r.status(), 200);

    // Ollama goes away between two checks: the request that finds it gone answers 503 too, and
    // /health says so at once rather than at the next check.
    ollama.set_models(&[support::MODEL]);
    wait_for_status(&server, "healthy").await;
    let mut config = support::config(data.path());
    config.ollama_check_interval = Duration::from_secs(3600);
    server.stop().await.unwrap();
    config.ollama_host = ollama.url();
    let server = TestServer::start(config).await;
    wait_for_status(&server, "healthy").await;
    ollama.stop();
    let r = server.post_form("/verify", form()).await;
    assert!(r.headers().get("retry-after").is_some());
    let body = expect_error(r, 503, "backend_unavailable").await;
    assert!(body["detail"].as_str().unwrap().contains("Cannot reach Ollama"), "{body}");
    assert_eq!(server.get_json("/health").await.1["status"], "degraded");
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_jobs_serve_the_slow_backend_without_holding_up_tesseract() {
    let ollama = support::standin_ollama();
    // A CPU-bound model: seconds per label.
    ollama.set_delay(Duration::from_secs(4));
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.ollama_host = ollama.url();
    let server = TestServer::start(config).await;
    wait_for_status(&server, "healthy").await;

    let r = server.post_form("/verify/async", form()).await;
    assert_eq!(r.status(), 202);
    let slow: ttb_verifier::api::JobAccepted = r.json().await.unwrap();
    let started = Instant::now();
    let r = server.post_form("/verify/async", image_form(support::sample("label_good_002.jpg"), "l2.jpg", &[])).await;
    let fast: ttb_verifier::api::JobAccepted = r.json().await.unwrap();

    let fast_done = server.wait_for_job(&fast.status_url.unwrap()).await;
    assert_eq!(fast_done["result"]["backend"], "tesseract");
    assert!(started.elapsed() < Duration::from_secs(4), "the Tesseract job waited for Ollama's");
    let (_, still) = server.get_json(&slow.status_url.clone().unwrap()).await;
    assert_eq!(still["status"], "processing", "{still}");

    let slow_done = server.wait_for_job(&slow.status_url.unwrap()).await;
    assert_eq!(slow_done["status"], "completed", "{slow_done:#}");
    assert_eq!(slow_done["result"]["backend"], "ollama");
    assert_eq!(slow_done["result"]["status"], "NEEDS_REVIEW");

    // A model answer that makes no sense fails the job, which can be retried once Ollama reads.
    ollama.set_delay(Duration::ZERO);
    ollama.set_reply(Reply::Content { content: "no idea".into(), done_reason: "stop".into() });
    let r = server.post_form("/verify/async", form()).await;
    let id = r.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_string();
    let failed = server.wait_for_job(&format!("/verify/status/{id}")).await;
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"].as_str().unwrap().contains("answer could not be used"), "{failed:#}");
    drop(ollama);
    server.stop().await.unwrap();
}
