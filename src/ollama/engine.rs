//! The Ollama engine: one label per `POST /api/chat`, on a runtime of the engine's own (it lives
//! on one worker thread, as every engine does), so that a cancelled label drops its request at
//! once and Ollama stops generating.

use std::borrow::Cow;
use std::time::Duration;

use base64::Engine as _;
use image::{DynamicImage, GrayImage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::answer::{self, LabelAnswer};
use super::{OllamaConfig, OllamaError, SharedConfig, error_chain, keep_alive_value};
use crate::ocr::prepare::Prepared;
use crate::ocr::{Cancel, OcrEngine, OcrError, OcrPage};

/// Most tokens the model may write: a label's transcription takes a few hundred; a model that
/// runs on (the JSON-mode whitespace Ollama's documentation warns of) is stopped there.
const MAX_ANSWER_TOKENS: u32 = 1024;
/// JPEG quality of the image sent: text stays sharp at a fifth of a PNG's size.
const JPEG_QUALITY: u8 = 90;
/// How often a waiting request looks at its cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(50);

pub struct OllamaEngine {
    config: SharedConfig,
    cancel: Cancel,
    runtime: tokio::runtime::Runtime,
    /// The HTTP client and the timeouts it was built with.
    client: Option<((Duration, Duration), reqwest::Client)>,
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: Vec<Message>,
    stream: bool,
    format: Value,
    options: Options,
    keep_alive: Value,
}

#[derive(Serialize)]
struct Message {
    role: &'static str,
    content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    images: Option<Vec<String>>,
}

#[derive(Serialize)]
struct Options {
    temperature: f32,
    num_predict: u32,
}

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    message: Option<AnswerMessage>,
    #[serde(default)]
    done: bool,
    #[serde(default)]
    done_reason: Option<String>,
}

#[derive(Deserialize)]
struct AnswerMessage {
    #[serde(default)]
    content: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

impl OllamaEngine {
    /// An engine reading with the latest of `config`; setting `cancel` stops the label being read.
    pub fn new(config: SharedConfig, cancel: Cancel) -> Result<Self, OllamaError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| OllamaError::Setup(format!("cannot start the Ollama client: {e}")))?;
        Ok(Self { config, cancel, runtime, client: None })
    }

    /// Reads one label: the image, downscaled, goes to `/api/chat`; the answer is parsed.
    pub fn read(&mut self, image: &DynamicImage) -> Result<LabelAnswer, OllamaError> {
        let config = self.config.get();
        config.validate().map_err(OllamaError::Setup)?;
        let body = ChatRequest {
            model: &config.model,
            messages: vec![
                Message { role: "system", content: answer::SYSTEM_PROMPT.into(), images: None },
                Message {
                    role: "user",
                    content: answer::user_prompt(),
                    images: Some(vec![encode(image, config.max_image_side)?]),
                },
            ],
            stream: false,
            format: answer::schema(),
            options: Options { temperature: config.temperature, num_predict: MAX_ANSWER_TOKENS },
            keep_alive: keep_alive_value(&config.keep_alive).map_err(OllamaError::Setup)?,
        };
        let client = self.client_for(&config)?;
        let cancel = self.cancel.clone();
        self.runtime.block_on(async {
            tokio::select! {
                answer = chat(&client, &config, &body) => answer,
                () = cancelled(&cancel) => Err(OllamaError::Cancelled),
            }
        })
    }

    fn client_for(&mut self, config: &OllamaConfig) -> Result<reqwest::Client, OllamaError> {
        let timeouts = (config.connect_timeout, config.timeout);
        if let Some((built_with, client)) = &self.client
            && *built_with == timeouts
        {
            return Ok(client.clone());
        }
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .build()
            .map_err(|e| OllamaError::Setup(format!("cannot start the HTTP client: {}", error_chain(&e))))?;
        self.client = Some((timeouts, client.clone()));
        Ok(client)
    }

    fn page(&mut self, image: &DynamicImage) -> Result<OcrPage, OcrError> {
        let answer = self.read(image)?;
        Ok(OcrPage { width: image.width(), height: image.height(), ..OcrPage::from_text(&answer.text()) })
    }
}

impl OcrEngine for OllamaEngine {
    fn name(&self) -> &'static str {
        "ollama"
    }

    fn recognize(&mut self, image: &GrayImage) -> Result<OcrPage, OcrError> {
        self.page(&DynamicImage::ImageLuma8(image.clone()))
    }

    fn recognize_label(&mut self, original: &DynamicImage, _prepared: &Prepared) -> Result<OcrPage, OcrError> {
        self.page(original)
    }

    fn measures_boxes(&self) -> bool {
        false
    }

    /// A vision model takes most of a minute per label, and reads a sideways label as it is.
    fn affords_rereads(&self) -> bool {
        false
    }
}

async fn cancelled(cancel: &Cancel) {
    while !cancel.is_cancelled() {
        tokio::time::sleep(CANCEL_POLL).await;
    }
}

async fn chat(
    client: &reqwest::Client,
    config: &OllamaConfig,
    body: &ChatRequest<'_>,
) -> Result<LabelAnswer, OllamaError> {
    let base = config.base_url.as_str();
    let timeout = || OllamaError::Timeout { url: base.to_string(), seconds: config.timeout.as_secs() };
    let url = format!("{base}/api/chat");
    // A connection kept from an earlier label may have been closed by a restarted Ollama: one
    // more try on a new connection tells that from an Ollama that is gone.
    let mut sent = client.post(&url).json(body).send().await;
    if sent.as_ref().is_err_and(|e| !e.is_timeout()) {
        sent = client.post(&url).json(body).send().await;
    }
    let response = sent.map_err(|e| {
        if e.is_timeout() && !e.is_connect() {
            timeout()
        } else {
            OllamaError::Unreachable { url: base.to_string(), reason: error_chain(&e) }
        }
    })?;
    let status = response.status();
    let text = response.text().await.map_err(|e| {
        if e.is_timeout() {
            timeout()
        } else {
            OllamaError::Answer(format!("Ollama at {base} failed: {}", error_chain(&e)))
        }
    })?;
    if !status.is_success() {
        let error = serde_json::from_str::<ErrorBody>(&text).map(|b| b.error).unwrap_or_else(|_| text.clone());
        if status == reqwest::StatusCode::NOT_FOUND && error.contains("not found") {
            return Err(OllamaError::ModelNotFound(config.model.clone()));
        }
        return Err(OllamaError::Answer(format!("Ollama at {base} answered {status}: {}", error.trim())));
    }
    let response: ChatResponse = serde_json::from_str(&text).map_err(|e| {
        OllamaError::Answer(format!("Ollama at {base} answered /api/chat with an unexpected body: {e}"))
    })?;
    if !response.done {
        return Err(OllamaError::Malformed("the answer is not finished (done is false)".into()));
    }
    if response.done_reason.as_deref() == Some("length") {
        return Err(OllamaError::Malformed(format!(
            "the model reached its limit of {MAX_ANSWER_TOKENS} tokens before finishing the answer"
        )));
    }
    let content = response.message.map(|m| m.content).unwrap_or_default();
    LabelAnswer::parse(&content).map_err(OllamaError::Malformed)
}

/// The image as base64 JPEG, its longest side at most `max_side`.
fn encode(image: &DynamicImage, max_side: u32) -> Result<String, OllamaError> {
    let image: Cow<'_, DynamicImage> = if image.width().max(image.height()) > max_side {
        Cow::Owned(image.thumbnail(max_side, max_side))
    } else {
        Cow::Borrowed(image)
    };
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&image.to_rgb8())
        .map_err(|e| OllamaError::Setup(format!("cannot encode the image for Ollama: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(jpeg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_downscaled_to_what_the_model_reads() {
        let big = DynamicImage::new_rgb8(3000, 4200);
        let sent = base64::engine::general_purpose::STANDARD.decode(encode(&big, 1120).unwrap()).unwrap();
        let decoded = image::load_from_memory(&sent).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (800, 1120));
        let small = DynamicImage::new_luma8(500, 300);
        let sent = base64::engine::general_purpose::STANDARD.decode(encode(&small, 1120).unwrap()).unwrap();
        let decoded = image::load_from_memory(&sent).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (500, 300), "small images are not enlarged");
    }
}
