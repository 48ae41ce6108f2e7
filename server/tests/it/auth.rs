//! The bearer token (on and off) and CORS.

use serde_json::Value;

use crate::support::{self, TestServer, expect_error, image_form};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_is_required_everywhere_but_health_when_configured() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.api_token = Some("s3cret".into());
    let server = TestServer::start(config).await;
    let form = || image_form(support::sample("label_good_001.jpg"), "a.jpg", &[]);
    let job = uuid_like();

    let r = server.post_form("/verify", form()).await;
    assert_eq!(r.headers().get("www-authenticate").unwrap(), "Bearer");
    expect_error(r, 401, "unauthorized").await;
    let r = server.client.post(server.url("/verify")).bearer_auth("wrong").multipart(form()).send().await.unwrap();
    expect_error(r, 401, "unauthorized").await;
    let r = server
        .client
        .post(server.url("/verify"))
        .basic_auth("s3cret", None::<&str>)
        .multipart(form())
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "unauthorized").await;
    for path in ["/openapi.json".to_string(), format!("/verify/status/{job}"), format!("/verify/batch/{job}")] {
        let r = server.client.get(server.url(&path)).send().await.unwrap();
        expect_error(r, 401, "unauthorized").await;
    }
    let r = server.client.delete(server.url(&format!("/verify/batch/{job}"))).send().await.unwrap();
    expect_error(r, 401, "unauthorized").await;
    let r = server.client.post(server.url(&format!("/verify/retry/{job}"))).send().await.unwrap();
    expect_error(r, 401, "unauthorized").await;
    let r = server.post_form("/verify/async", form()).await;
    expect_error(r, 401, "unauthorized").await;
    let r = server
        .post_form(
            "/verify/batch",
            support::batch_form(support::zip_of(&[("a.jpg", support::sample("label_good_001.jpg"))])),
        )
        .await;
    expect_error(r, 401, "unauthorized").await;

    let (code, _) = server.get_json("/health").await;
    assert_eq!(code, 200);
    let r = server.client.post(server.url("/verify")).bearer_auth("s3cret").multipart(form()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.unwrap()["status"].is_string());
    let r = server.client.get(server.url("/openapi.json")).bearer_auth("s3cret").send().await.unwrap();
    assert_eq!(r.status(), 200);
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_no_header_is_needed() {
    let data = support::temp_dir();
    let server = TestServer::start(support::config(data.path())).await;
    let r = server.client.get(server.url("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // A wrong header is ignored when no token is configured.
    let r = server
        .client
        .get(server.url(&format!("/verify/status/{}", uuid_like())))
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    expect_error(r, 404, "job_not_found").await;
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_configured_origins_only() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.cors_origins = vec!["https://app.example".into()];
    config.api_token = Some("s3cret".into());
    let server = TestServer::start(config).await;
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/verify"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let r = preflight("https://app.example").await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers().get("access-control-allow-origin").unwrap(), "https://app.example");
    let r = preflight("https://evil.example").await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // Error answers carry CORS headers too, so a browser app can read them.
    let r =
        server.client.get(server.url("/openapi.json")).header("origin", "https://app.example").send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers().get("access-control-allow-origin").unwrap(), "https://app.example");
    server.stop().await.unwrap();
}

fn uuid_like() -> String {
    "0b9a5f8e-2c1d-4e3f-8a7b-6c5d4e3f2a1b".into()
}
