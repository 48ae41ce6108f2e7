//! `POST /verify`: real labels through the real Tesseract, and every refusal with its status and
//! envelope.

use std::time::{Duration, Instant};

use reqwest::multipart::Form;
use serde_json::Value;

use crate::support::{self, TestServer, expect_error, image_form};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_label_is_compliant() {
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;

    let application = support::sample_text("label_good_001.json");
    let response = server
        .post_form(
            "/verify",
            image_form(support::sample("label_good_001.jpg"), "label_good_001.jpg", &[("application", &application)]),
        )
        .await;
    assert_eq!(response.status(), 200);
    let correlation = response.headers().get("x-correlation-id").unwrap().to_str().unwrap().to_string();
    assert!(!correlation.is_empty());
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["file"], "label_good_001.jpg");
    assert_eq!(report["status"], "COMPLIANT", "{report:#}");
    assert_eq!(report["validation_level"], "FULL_VALIDATION");
    assert_eq!(report["backend"], "tesseract");
    // The reply parses as the shared report type.
    let _: ttb_verifier::report::Report = serde_json::from_value(report).unwrap();

    // The runbook's call: image and backend, no application data; the earlier service's
    // `ground_truth` name works too.
    let runbook = server
        .post_form(
            "/verify",
            image_form(support::sample("label_good_001.jpg"), "label_good_001.jpg", &[("ocr_backend", "tesseract")]),
        )
        .await;
    assert_eq!(runbook.status(), 200);
    let report: Value = runbook.json().await.unwrap();
    assert_eq!(report["validation_level"], "STRUCTURAL_ONLY");
    let legacy = server
        .post_form(
            "/verify",
            image_form(support::sample("label_good_001.jpg"), "x.jpg", &[("ground_truth", &application)]),
        )
        .await;
    assert_eq!(legacy.status(), 200);
    assert_eq!(legacy.json::<Value>().await.unwrap()["validation_level"], "FULL_VALIDATION");

    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_the_envelope() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.max_file_size = 1024 * 1024;
    let server = TestServer::start(config).await;
    let jpeg = support::sample("label_good_001.jpg");

    // 400: unknown backend, malformed application data (naming the problem), no image, not a form.
    let r = server.post_form("/verify", image_form(jpeg.clone(), "a.jpg", &[("ocr_backend", "easyocr")])).await;
    let body = expect_error(r, 400, "invalid_backend").await;
    assert!(body["detail"].as_str().unwrap().contains("easyocr"));
    let r =
        server.post_form("/verify", image_form(jpeg.clone(), "a.jpg", &[("application", "{\"brand_name\": ")])).await;
    let body = expect_error(r, 400, "invalid_application").await;
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"), "{body}");
    let r = server
        .post_form("/verify", image_form(jpeg.clone(), "a.jpg", &[("application", r#"{"product_type": "cider"}"#)]))
        .await;
    let body = expect_error(r, 400, "invalid_application").await;
    assert!(body["detail"].as_str().unwrap().contains("product_type"), "{body}");
    let r = server.post_form("/verify", Form::new().text("ocr_backend", "tesseract")).await;
    expect_error(r, 400, "missing_image").await;
    let r = server.client.post(server.url("/verify")).json(&serde_json::json!({"image": "x"})).send().await.unwrap();
    expect_error(r, 400, "invalid_multipart").await;

    // 413: over the size limit, within and beyond the body limit.
    let mut big = jpeg.clone();
    big.resize(1536 * 1024, 0);
    let r = server.post_form("/verify", image_form(big, "big.jpg", &[])).await;
    let body = expect_error(r, 413, "payload_too_large").await;
    assert!(body["detail"].as_str().unwrap().contains("1 MB"), "{body}");
    let mut huge = jpeg.clone();
    huge.resize(3 * 1024 * 1024, 0);
    match server.client.post(server.url("/verify")).multipart(image_form(huge, "huge.jpg", &[])).send().await {
        Ok(r) => {
            expect_error(r, 413, "payload_too_large").await;
        }
        // The server may close the connection before the client has sent the whole body.
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }

    // 415: not an image, whatever its name says.
    let r = server.post_form("/verify", image_form(b"%PDF-1.7\n1 0 obj\n".to_vec(), "label.jpg", &[])).await;
    expect_error(r, 415, "unsupported_media_type").await;

    // A decompression bomb: a tiny PNG declaring 60000 x 60000 pixels, refused from its header.
    let bomb = support::png_declaring(60_000, 60_000);
    assert!(bomb.len() < 100);
    let started = Instant::now();
    let r = server.post_form("/verify", image_form(bomb, "bomb.png", &[])).await;
    let body = expect_error(r, 413, "image_too_large").await;
    assert!(body["detail"].as_str().unwrap().contains("60000 x 60000"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Under the side limit but over the pixel limit.
    let r = server.post_form("/verify", image_form(support::png_declaring(15_000, 15_000), "wide.png", &[])).await;
    expect_error(r, 413, "image_too_large").await;

    // 400: an image whose header is cut short.
    let r = server.post_form("/verify", image_form(jpeg[..100].to_vec(), "cut.jpg", &[])).await;
    expect_error(r, 400, "invalid_image").await;

    // Unknown endpoint and method.
    let r = server.client.get(server.url("/nope")).send().await.unwrap();
    expect_error(r, 404, "not_found").await;
    let r = server.client.get(server.url("/verify")).send().await.unwrap();
    expect_error(r, 405, "method_not_allowed").await;

    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saturation_answers_503_with_retry_after() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.workers = 1;
    config.queue = 0;
    let server = std::sync::Arc::new(TestServer::start(config).await);
    let jpeg = support::sample("label_good_002.jpg");

    let requests: Vec<_> = (0..5)
        .map(|_| {
            let (server, jpeg) = (server.clone(), jpeg.clone());
            tokio::spawn(async move {
                let r = server.post_form("/verify", image_form(jpeg, "l.jpg", &[])).await;
                let retry_after = r.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
                (r.status().as_u16(), retry_after, r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let (mut ok, mut busy) = (0, 0);
    for request in requests {
        let (status, retry_after, body) = request.await.unwrap();
        match status {
            200 => ok += 1,
            503 => {
                busy += 1;
                assert!(retry_after.is_some_and(|s| s >= 1), "503 without Retry-After");
                assert_eq!(body["error_code"], "server_busy");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(ok >= 1 && busy >= 1, "{ok} answered, {busy} refused");
    let server = std::sync::Arc::into_inner(server).unwrap();
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_time_out_with_504() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.request_timeout = Duration::from_millis(50);
    let server = TestServer::start(config).await;
    let r = server.post_form("/verify", image_form(support::sample("label_good_003.jpg"), "l.jpg", &[])).await;
    let body = expect_error(r, 504, "timeout").await;
    assert!(body["detail"].as_str().unwrap().contains("/verify/async"));
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_logged_with_their_correlation_id() {
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;
    let jpeg = support::sample("label_good_001.jpg");
    let r = server.post_form("/verify", image_form(jpeg.clone(), "a.jpg", &[("ocr_backend", "easyocr")])).await;
    let body = expect_error(r, 400, "invalid_backend").await;
    let id = body["correlation_id"].as_str().unwrap().to_string();
    // A caller's own id is kept, in the header, the body and the log.
    let r = server
        .client
        .post(server.url("/verify"))
        .header("x-correlation-id", "caller-42")
        .multipart(image_form(b"%PDF-1.7".to_vec(), "a.jpg", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(expect_error(r, 415, "unsupported_media_type").await["correlation_id"], "caller-42");
    server.stop().await.unwrap();

    let logs = support::captured_logs();
    for (id, code) in [(id.as_str(), "invalid_backend"), ("caller-42", "unsupported_media_type")] {
        let line = logs.lines().find(|l| l.contains("request refused") && l.contains(id));
        let line = line.unwrap_or_else(|| panic!("no log line with {id}:\n{logs}"));
        assert!(line.contains(code), "{line}");
    }
}
