//! `docs/OPERATIONS_RUNBOOK.md` against the system it describes: the container, service and path
//! names in its commands against `docker-compose.yml`, the instance's boot script and the
//! Terraform; its `/health` answers against the real server, with a stand-in Ollama that lists
//! the model (healthy) and one that does not (degraded); and its `curl` commands for `/health` and
//! `/verify`, run as written with only the host changed (so `curl` and `jq` must be installed, as
//! `scripts/setup.sh` does).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use regex::Regex;
use serde_json::Value;

use crate::support::{self, TestServer};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A fenced code block of the runbook and the last line of prose before it (its label).
struct Block {
    lang: String,
    label: String,
    text: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut label = String::new();
    let mut open: Option<Block> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if open.is_some() {
            if trimmed.starts_with("```") {
                found.push(open.take().unwrap());
            } else if let Some(block) = open.as_mut() {
                block.text.push_str(trimmed);
                block.text.push('\n');
            }
        } else if let Some(lang) = trimmed.strip_prefix("```") {
            open = Some(Block { lang: lang.trim().to_string(), label: label.clone(), text: String::new() });
        } else if !trimmed.is_empty() {
            label = trimmed.to_string();
        }
    }
    assert!(open.is_none(), "an unclosed code block in the runbook");
    found
}

/// The shell commands of the runbook's bash blocks, continuation lines joined, comments dropped.
fn commands(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .filter(|b| b.lang == "bash")
        .flat_map(|b| b.text.replace("\\\n", " ").lines().map(str::trim).map(String::from).collect::<Vec<_>>())
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// The documented JSON after the bold label that starts with `label`.
fn documented_health(blocks: &[Block], label: &str) -> Value {
    let block = blocks
        .iter()
        .find(|b| b.lang == "json" && b.label.starts_with(label))
        .unwrap_or_else(|| panic!("no JSON block labelled {label} in the runbook"));
    serde_json::from_str(&block.text).unwrap_or_else(|e| panic!("{label} JSON does not parse: {e}"))
}

/// Every member the documentation shows is in the real answer, with the same value.
fn assert_contains(actual: &Value, documented: &Value, at: &str) {
    match (actual, documented) {
        (Value::Object(actual_members), Value::Object(documented_members)) => {
            for (key, value) in documented_members {
                let member =
                    actual_members.get(key).unwrap_or_else(|| panic!("{at}.{key} is documented but missing: {actual}"));
                assert_contains(member, value, &format!("{at}.{key}"));
            }
        }
        _ => assert_eq!(actual, documented, "{at} differs from the runbook"),
    }
}

/// `NAME=${NAME:-value}` and `NAME=value` lines of a shell script.
fn script_default(script: &str, name: &str) -> String {
    let with_default = Regex::new(&format!(r"(?m)^{name}=\$\{{{name}:-([^}}]+)\}}$")).unwrap();
    let plain = Regex::new(&format!(r"(?m)^{name}=([^\s$]+)$")).unwrap();
    with_default
        .captures(script)
        .or_else(|| plain.captures(script))
        .map(|c| c[1].to_string())
        .unwrap_or_else(|| panic!("the boot script sets no {name}"))
}

/// `${VAR:-default}` -> `default`.
fn compose_default(value: &str) -> String {
    Regex::new(r"^\$\{\w+:-([^}]+)\}$").unwrap().captures(value).map_or_else(|| value.to_string(), |c| c[1].to_string())
}

fn all_matches(pattern: &str, text: &str) -> BTreeSet<String> {
    Regex::new(pattern).unwrap().captures_iter(text).map(|c| c[1].to_string()).collect()
}

#[test]
fn runbook_names_match_the_compose_file_the_boot_script_and_terraform() {
    let runbook = read("docs/OPERATIONS_RUNBOOK.md");
    let blocks = blocks(&runbook);
    let shell = commands(&blocks).join("\n");
    let compose: Value = serde_norway::from_str(&read("docker-compose.yml")).unwrap();
    let boot = read("infrastructure/instance_init.sh");
    let services = compose["services"].as_object().expect("compose services");

    // Containers: `docker logs NAME`, `docker exec NAME` are the compose file's container names.
    let containers: BTreeSet<String> =
        services.values().filter_map(|s| s["container_name"].as_str().map(String::from)).collect();
    let named = all_matches(r"docker (?:logs|exec)(?: -[A-Za-z]+)* ([a-z][a-z0-9-]*)", &shell);
    assert_eq!(named, containers, "containers in the runbook's commands and in docker-compose.yml");
    assert_eq!(containers, BTreeSet::from(["ttb-ollama".to_string(), "ttb-verifier".to_string()]));
    assert!(
        boot.contains("OLLAMA_CONTAINER=ttb-ollama"),
        "the boot script talks to the compose file's Ollama container"
    );

    // Services: `docker-compose restart verifier`, `docker-compose exec -T ollama`.
    let compose_services: BTreeSet<String> = services.keys().cloned().collect();
    let named = all_matches(r"docker-compose (?:restart|up|exec|logs|pull)(?: -[A-Za-z]+)* ([a-z][a-z0-9-]*)", &shell);
    assert!(!named.is_empty());
    assert!(
        named.is_subset(&compose_services),
        "services {named:?} not all in docker-compose.yml {compose_services:?}"
    );
    assert_eq!(script_default(&boot, "OLLAMA_SERVICE"), "ollama");

    // /app: the boot script lays out every /app file the runbook names.
    assert!(shell.contains("cd /app && docker-compose"));
    let app_dir = script_default(&boot, "APP_DIR");
    assert_eq!(app_dir, "/app");
    let app_files = all_matches(r"/app/([A-Za-z0-9_.-]+)", &runbook);
    for file in ["deploy.sh", "docker-compose.yml", "instance_init.sh"] {
        assert!(app_files.contains(file), "the runbook names /app/{file}: {app_files:?}");
    }
    for file in &app_files {
        let written = boot.contains(&format!("\"$APP_DIR/{file}\""));
        assert!(written, "the runbook names /app/{file}, which the boot script does not write");
    }

    // The model download log, and large files under /home.
    let logs = all_matches(r"(/var/log/[A-Za-z0-9_.-]+\.log)", &shell);
    assert_eq!(logs, BTreeSet::from([script_default(&boot, "MODEL_LOG")]), "the download log");
    assert_eq!(script_default(&boot, "MODEL_LOG"), "/var/log/ollama-model-download.log");
    assert!(shell.contains("/home/model.tar.gz"));
    assert_eq!(script_default(&boot, "WORK_DIR"), "/home");
    assert!(boot.contains("\"${WORK_DIR}/model.tar.gz\""), "the boot script's archive is /home/model.tar.gz");

    // The model: one name in the runbook, the compose file, the server's default and the cache key.
    let model = compose_default(services["verifier"]["environment"]["OLLAMA_MODEL"].as_str().unwrap());
    assert_eq!(model, ttb_verifier_server::Config::default().ollama_model);
    assert_eq!(all_matches(r"ollama pull ([A-Za-z0-9_.:-]+)", &shell), BTreeSet::from([model.clone()]));
    let key = all_matches(r"s3://ttb-verifier-ollama-models-<ACCOUNT_ID>/(models/[A-Za-z0-9_.-]+)", &shell);
    assert_eq!(key, BTreeSet::from([format!("models/{model}.tar.gz")]), "the S3 cache key");
    assert!(boot.contains("model_key=\"models/${OLLAMA_MODEL}.tar.gz\""));
    let degraded = documented_health(&blocks, "**Degraded");
    assert_eq!(degraded["backends"]["ollama"]["error"], format!("Model '{model}' not found"));

    // Terraform: the instance's Name tag, the bucket's name, the certificate output, instance.tf.
    let project_default = Regex::new(r#"variable "project" \{[^}]*default\s*=\s*"([^"]+)""#).unwrap();
    for unit in ["infrastructure/variables.tf", "infrastructure/persistent/variables.tf"] {
        assert_eq!(&project_default.captures(&read(unit)).expect("project variable")[1], "ttb-verifier", "{unit}");
    }
    assert!(shell.contains("\"Name=tag:Name,Values=ttb-verifier\""));
    assert!(Regex::new(r"tags = \{\s*Name = var\.project\s*\}").unwrap().is_match(&read("infrastructure/instance.tf")));
    assert!(read("infrastructure/instance.tf").contains("volume_size"), "root volume size is in instance.tf");
    assert!(
        read("infrastructure/persistent/model_cache.tf")
            .contains(r#"bucket = "${var.project}-ollama-models-${data.aws_caller_identity.current.account_id}""#)
    );
    assert!(shell.contains("terragrunt output -raw certificate_arn"));
    for unit in ["infrastructure/outputs.tf", "infrastructure/persistent/outputs.tf"] {
        assert!(read(unit).contains("output \"certificate_arn\""), "{unit}");
    }
    assert!(shell.contains("cd infrastructure") && repo().join("infrastructure/terragrunt.hcl").is_file());

    // Every file of the repository the runbook names exists.
    let files = all_matches(r"`((?:docs|infrastructure|test_samples|server|scripts)/[A-Za-z0-9_./-]+)`", &runbook);
    for file in files.iter().chain(all_matches(r#"@(test_samples/[A-Za-z0-9_.-]+)"#, &shell).iter()) {
        assert!(repo().join(file).exists(), "the runbook names {file}, which does not exist");
    }
}

/// Runs a runbook command with its host replaced by the local server's, from the repository's
/// root; returns its standard output as JSON.
async fn run_documented(command: &str, base: &str) -> Value {
    let host = Regex::new(r"https://[A-Za-z0-9.-]+").unwrap();
    assert!(host.is_match(command), "no host in {command}");
    let local = host.replace_all(command, base).into_owned();
    let output = tokio::task::spawn_blocking(move || {
        let output = Command::new("bash").args(["-o", "pipefail", "-c", &local]).current_dir(repo()).output();
        (local, output)
    })
    .await
    .unwrap();
    let (local, output) = output;
    let output = output.unwrap_or_else(|e| panic!("cannot run bash: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`{local}` failed ({}); curl and jq are needed (scripts/setup.sh): {stderr}",
        output.status
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("`{local}` printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

async fn wait_for_health(server: &TestServer, status: &str, ollama_error_prefix: Option<&str>) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let (code, body) = server.get_json("/health").await;
        let error = &body["backends"]["ollama"]["error"];
        let error_matches = match ollama_error_prefix {
            None => error.is_null(),
            Some(prefix) => error.as_str().is_some_and(|e| e.starts_with(prefix)),
        };
        if body["status"] == status && error_matches {
            assert_eq!(code, 200, "{body}");
            return body;
        }
        last = body;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/health never became {status}; last: {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runbook_health_answers_and_curl_commands_work_against_the_real_server() {
    let runbook = read("docs/OPERATIONS_RUNBOOK.md");
    let blocks = blocks(&runbook);
    let commands = commands(&blocks);
    let healthy_doc = documented_health(&blocks, "**Healthy");
    let degraded_doc = documented_health(&blocks, "**Degraded");
    let health_command =
        commands.iter().find(|c| c.starts_with("curl ") && c.contains("/health")).expect("a /health curl command");
    let verify_commands: Vec<&String> =
        commands.iter().filter(|c| c.starts_with("curl ") && c.contains("/verify")).collect();
    assert_eq!(verify_commands.len(), 3, "the runbook's /verify commands: {verify_commands:?}");

    let data = support::temp_dir();
    let ollama = support::standin_ollama();
    let mut config = support::config(data.path());
    config.ollama_host = ollama.url();
    let server = TestServer::start(config).await;

    // Healthy: the documented answer, from the server and through the documented command.
    let healthy = wait_for_health(&server, "healthy", None).await;
    assert_contains(&healthy, &healthy_doc, "healthy /health");
    assert_contains(
        &run_documented(health_command, &server.base).await,
        &healthy_doc,
        "healthy `curl .../health | jq .`",
    );
    // Members beyond the documented ones are named in the runbook's differences.
    for key in healthy.as_object().unwrap().keys().filter(|k| healthy_doc.get(k.as_str()).is_none()) {
        assert!(runbook.contains(&format!("`{key}`")), "/health has `{key}`, which the runbook does not mention");
    }

    // Healthy, the documented Ollama call is read by the vision model (the stand-in's).
    for command in verify_commands.iter().filter(|c| c.contains("ocr_backend=ollama")) {
        let answer = run_documented(command, &server.base).await;
        assert_eq!(answer["backend"], "ollama", "{command}: {answer}");
        assert_eq!(answer["status"], "NEEDS_REVIEW", "{command}: {answer}");
    }

    // Degraded: Ollama answers without the model (the download still running).
    ollama.set_models(&["qwen2.5vl:7b"]);
    let degraded = wait_for_health(&server, "degraded", Some("Model ")).await;
    assert_contains(&degraded, &degraded_doc, "degraded /health");
    assert_contains(
        &run_documented(health_command, &server.base).await,
        &degraded_doc,
        "degraded `curl .../health | jq .`",
    );

    // /verify as documented: Tesseract works in degraded mode; Ollama answers 503.
    for command in verify_commands {
        let answer = run_documented(command, &server.base).await;
        if command.contains("ocr_backend=ollama") {
            assert_eq!(answer["error_code"], "backend_unavailable", "{command}: {answer}");
            assert!(answer["correlation_id"].as_str().is_some_and(|id| !id.is_empty()), "{answer}");
            continue;
        }
        assert_eq!(answer["backend"], "tesseract", "{command}: {answer}");
        assert_eq!(answer["status"], "COMPLIANT", "{command}: {answer}");
        let level = if command.contains("application=") { "FULL_VALIDATION" } else { "STRUCTURAL_ONLY" };
        assert_eq!(answer["validation_level"], level, "{command}: {answer}");
        assert!(
            runbook.contains(&format!("`\"validation_level\": \"{level}\"`")),
            "the runbook says which level {level}"
        );
        println!("{command}: {} in {} s", answer["status"], answer["processing_time_seconds"]);
    }

    server.stop().await.unwrap();
    ollama.stop();
}
