//! `/verify/async`, status and retry; jobs surviving a restart; retention; graceful shutdown.

use std::time::Duration;

use serde_json::Value;

use crate::support::{self, TestServer, batch_form, expect_error, image_form, zip_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_job_completes() {
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;
    let application = support::sample_text("label_good_001.json");
    let r = server
        .post_form(
            "/verify/async",
            image_form(support::sample("label_good_001.jpg"), "label_good_001.jpg", &[("application", &application)]),
        )
        .await;
    assert_eq!(r.status(), 202);
    let accepted: ttb_verifier::api::JobAccepted = r.json().await.unwrap();
    let status_url = accepted.status_url.unwrap();
    assert_eq!(status_url, format!("/verify/status/{}", accepted.job_id));

    let done = server.wait_for_job(&status_url).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(done["result"]["status"], "COMPLIANT");
    assert_eq!(done["result"]["file"], "label_good_001.jpg");
    assert_eq!(done["attempts"], 1);
    assert!(done["error"].is_null());
    let parsed: ttb_verifier::api::AsyncStatus = serde_json::from_value(done).unwrap();
    assert!(parsed.result.is_some());

    // Only failed jobs are retried; unknown ids are 404.
    let r = server.client.post(server.url(&format!("/verify/retry/{}", accepted.job_id))).send().await.unwrap();
    expect_error(r, 409, "not_retryable").await;
    for path in
        ["/verify/status/0b9a5f8e-2c1d-4e3f-8a7b-6c5d4e3f2a1b", "/verify/status/not-a-job", "/verify/batch/not-a-job"]
    {
        let r = server.client.get(server.url(path)).send().await.unwrap();
        expect_error(r, 404, "job_not_found").await;
    }
    let r = server.client.post(server.url("/verify/retry/0b9a5f8e-2c1d-4e3f-8a7b-6c5d4e3f2a1b")).send().await.unwrap();
    expect_error(r, 404, "job_not_found").await;
    let r =
        server.client.delete(server.url("/verify/batch/0b9a5f8e-2c1d-4e3f-8a7b-6c5d4e3f2a1b")).send().await.unwrap();
    expect_error(r, 404, "job_not_found").await;
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_job_is_retried_from_its_stored_upload() {
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;
    // A JPEG cut short: its header reads (accepted), its pixels do not (the job fails).
    let jpeg = support::sample("label_good_001.jpg");
    let cut = jpeg[..jpeg.len() / 2].to_vec();
    let r = server.post_form("/verify/async", image_form(cut, "cut.jpg", &[])).await;
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_string();
    let status_url = format!("/verify/status/{id}");

    let failed = server.wait_for_job(&status_url).await;
    assert_eq!(failed["status"], "failed", "{failed:#}");
    assert!(failed["error"].as_str().unwrap().contains("cut short"), "{failed:#}");
    assert_eq!(failed["result"]["status"], "ERROR");
    assert_eq!(failed["attempts"], 1);

    let r = server.client.post(server.url(&format!("/verify/retry/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(r.json::<Value>().await.unwrap()["job_id"], id.as_str());
    // Ran again from the stored file (which is still cut short).
    server
        .wait_for(|| async {
            let (_, body) = server.get_json(&status_url).await;
            body["attempts"] == 2 && body["status"] == "failed"
        })
        .await;
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_job_survives_a_restart_and_completes() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.workers = 1;
    let images: Vec<(String, Vec<u8>)> =
        (1..=7).map(|i| (format!("label_good_00{i}.jpg"), support::sample(&format!("label_good_00{i}.jpg")))).collect();
    let entries: Vec<(&str, Vec<u8>)> = images.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();

    let first = TestServer::start(config.clone()).await;
    let r = first.post_form("/verify/batch", batch_form(zip_of(&entries))).await;
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_string();
    first.stop().await.unwrap();

    // Stopped with the job unfinished, as the database on disk shows.
    let (status, read) = stored_progress(data.path(), &id).await;
    assert!(status == "pending" || status == "processing", "{status}");
    assert!(read < 7, "{read} of 7 read before the stop");

    let second = TestServer::start(config).await;
    let done = second.wait_for_job(&format!("/verify/batch/{id}")).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(done["processed_images"], 7);
    let files: Vec<&str> = done["results"].as_array().unwrap().iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(files, images.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>());
    second.stop().await.unwrap();
}

/// The job's status and count of read images, straight from the database file.
async fn stored_progress(data: &std::path::Path, id: &str) -> (String, i64) {
    let store = ttb_verifier_server::store::Store::open(&data.join("jobs.sqlite3")).unwrap();
    let id = id.to_string();
    store
        .call(move |conn| {
            let status =
                ttb_verifier_server::store::status(conn, &id)?.map(|s| s.as_str().to_string()).unwrap_or_default();
            let read: i64 =
                conn.query_row("SELECT COUNT(report) FROM job_images WHERE job_id = ?1", [&id], |row| row.get(0))?;
            Ok((status, read))
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_jobs_expire_with_their_files() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.retention = Duration::from_secs(1);
    config.sweep_interval = Duration::from_millis(200);
    let server = TestServer::start(config).await;
    let r = server.post_form("/verify/async", image_form(support::sample("label_good_002.jpg"), "l.jpg", &[])).await;
    let id = r.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_string();
    let done = server.wait_for_job(&format!("/verify/status/{id}")).await;
    assert_eq!(done["status"], "completed");

    server
        .wait_for(|| async {
            let (code, _) = server.get_json(&format!("/verify/status/{id}")).await;
            code == 404 && !support::jobs_dir(data.path()).join(&id).exists()
        })
        .await;
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_requests_in_flight() {
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;
    let (client, url) = (server.client.clone(), server.url("/verify"));
    let in_flight = tokio::spawn(async move {
        client.post(url).multipart(image_form(support::sample("label_good_004.jpg"), "l.jpg", &[])).send().await
    });
    // Let the upload arrive and OCR start, then ask the server to stop.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let base = server.base.clone();
    server.stop().await.unwrap();

    let response = in_flight.await.unwrap().expect("the request in flight is answered");
    assert_eq!(response.status(), 200);
    assert!(response.json::<Value>().await.unwrap()["status"].is_string());
    // And the server takes no new connection.
    assert!(reqwest::Client::new().get(format!("{base}/health")).send().await.is_err());
}
