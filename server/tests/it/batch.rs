//! `/verify/batch`: a ZIP with sidecars verified in the background, cancelling, and the ZIP
//! attacks refused.

use serde_json::Value;

use crate::support::{self, TestServer, batch_form, expect_error, zip_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_verifies_images_with_their_sidecars() {
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;
    let zip = zip_of(&[
        ("labels/", Vec::new()),
        ("labels/label_good_001.jpg", support::sample("label_good_001.jpg")),
        ("labels/label_good_001.json", support::sample("label_good_001.json")),
        ("labels/label_good_008.png", support::sample("label_good_008.png")),
        ("labels/label_good_008.json", support::sample("label_good_008.json")),
        ("labels/README.txt", b"not a label".to_vec()),
        ("labels/orphan.json", b"{}".to_vec()),
        ("__MACOSX/._label_good_001.jpg", vec![0; 10]),
    ]);
    let r = server.post_form("/verify/batch", batch_form(zip)).await;
    assert_eq!(r.status(), 202);
    let accepted: Value = r.json().await.unwrap();
    let id = accepted["job_id"].as_str().unwrap().to_string();
    assert_eq!(accepted["status_url"], format!("/verify/batch/{id}"));

    let done = server.wait_for_job(&format!("/verify/batch/{id}")).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(done["total_images"], 2);
    assert_eq!(done["processed_images"], 2);
    let results = done["results"].as_array().unwrap();
    assert_eq!(results[0]["file"], "labels/label_good_001.jpg");
    assert_eq!(results[1]["file"], "labels/label_good_008.png");
    for report in results {
        assert_eq!(report["validation_level"], "FULL_VALIDATION", "sidecar paired: {report}");
    }
    assert_eq!(results[0]["status"], "COMPLIANT");
    let summary = &done["summary"];
    assert_eq!(summary["total"], 2);
    assert_eq!(summary["errors"], 0);
    assert_eq!(
        summary["compliant"].as_u64().unwrap()
            + summary["needs_review"].as_u64().unwrap()
            + summary["non_compliant"].as_u64().unwrap(),
        2
    );
    let skipped: Vec<&str> = done["skipped"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(skipped, ["__MACOSX/._label_good_001.jpg", "labels/README.txt", "labels/orphan.json"]);
    let status: ttb_verifier::api::BatchStatus = serde_json::from_value(done).unwrap();
    assert_eq!(status.status, ttb_verifier::api::JobStatus::Completed);

    // A finished batch cannot be cancelled; a batch id is not a single-label job.
    let r = server.client.delete(server.url(&format!("/verify/batch/{id}"))).send().await.unwrap();
    expect_error(r, 409, "not_cancellable").await;
    let r = server.client.get(server.url(&format!("/verify/status/{id}"))).send().await.unwrap();
    expect_error(r, 404, "job_not_found").await;
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_can_be_cancelled() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.workers = 1;
    let server = TestServer::start(config).await;
    let images: Vec<(String, Vec<u8>)> =
        (1..=6).map(|i| (format!("l{i}.jpg"), support::sample(&format!("label_good_00{i}.jpg")))).collect();
    let entries: Vec<(&str, Vec<u8>)> = images.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let r = server.post_form("/verify/batch", batch_form(zip_of(&entries))).await;
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_string();

    let r = server.client.delete(server.url(&format!("/verify/batch/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let cancelled: Value = r.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    // Again: a no-op.
    let r = server.client.delete(server.url(&format!("/verify/batch/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // The image being read may finish; no other starts.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (_, later) = server.get_json(&format!("/verify/batch/{id}")).await;
    assert_eq!(later["status"], "cancelled");
    let processed = later["processed_images"].as_u64().unwrap();
    assert!(processed < 6, "{later:#}");
    assert_eq!(later["summary"]["not_processed"].as_u64().unwrap(), 6 - processed);
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zip_attacks_and_bad_batches_are_refused() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.max_batch_size = 2;
    let server = TestServer::start(config).await;
    let jpeg = support::sample("label_good_001.jpg");

    // Path traversal, either slash, and absolute paths.
    for name in ["../evil.jpg", "labels/../../evil.jpg", "/etc/evil.jpg", "..\\evil.jpg"] {
        let r = server
            .post_form("/verify/batch", batch_form(zip_of(&[("ok.jpg", jpeg.clone()), (name, jpeg.clone())])))
            .await;
        let body = expect_error(r, 400, "unsafe_zip_entry").await;
        assert!(body["detail"].as_str().unwrap().contains("evil.jpg"), "{body}");
    }

    // A ZIP bomb: 300 MB of zeros in a few hundred KB.
    let bomb = support::zip_bomb("bomb.jpg", 300);
    assert!(bomb.len() < 2 * 1024 * 1024, "{}", bomb.len());
    let r = server.post_form("/verify/batch", batch_form(bomb)).await;
    let body = expect_error(r, 413, "batch_too_large").await;
    assert!(body["detail"].as_str().unwrap().contains("bomb.jpg"), "{body}");

    // More images than MAX_BATCH_SIZE.
    let three = zip_of(&[("a.jpg", jpeg.clone()), ("b.jpg", jpeg.clone()), ("c.jpg", jpeg.clone())]);
    let r = server.post_form("/verify/batch", batch_form(three)).await;
    expect_error(r, 413, "batch_too_large").await;
    // Too many entries of any kind.
    let many: Vec<(String, Vec<u8>)> = (0..40).map(|i| (format!("n{i}.txt"), vec![b'x'])).collect();
    let many: Vec<(&str, Vec<u8>)> = many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let r = server.post_form("/verify/batch", batch_form(zip_of(&many))).await;
    expect_error(r, 413, "batch_too_large").await;

    // Not a ZIP; no image in it; a sidecar that does not parse; no file at all.
    let r = server.post_form("/verify/batch", batch_form(b"PK\x03\x04 not really a zip".to_vec())).await;
    expect_error(r, 400, "invalid_zip").await;
    let r = server.post_form("/verify/batch", batch_form(zip_of(&[("notes.txt", b"hello".to_vec())]))).await;
    expect_error(r, 400, "empty_batch").await;
    let r = server
        .post_form(
            "/verify/batch",
            batch_form(zip_of(&[("a.jpg", jpeg.clone()), ("a.json", b"{\"abv\": \"strong\"}".to_vec())])),
        )
        .await;
    let body = expect_error(r, 400, "invalid_application").await;
    assert!(body["detail"].as_str().unwrap().contains("a.json"), "{body}");
    let r = server.post_form("/verify/batch", reqwest::multipart::Form::new().text("ocr_backend", "tesseract")).await;
    expect_error(r, 400, "missing_batch_file").await;

    // Nothing refused was kept.
    let leftovers = std::fs::read_dir(support::jobs_dir(data.path())).unwrap().count();
    assert_eq!(leftovers, 0);
    let spooled = std::fs::read_dir(data.path().join("tmp")).unwrap().count();
    assert_eq!(spooled, 0);
    server.stop().await.unwrap();
}
