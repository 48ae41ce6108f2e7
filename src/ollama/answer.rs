//! The structured answer asked of the vision model: the label's fields and the government
//! warning, each transcribed verbatim, and every other line of text. The JSON schema sent as
//! Ollama's `format` and this type describe the same object.
//!
//! The answer reaches the checks as text: [`LabelAnswer::text`] puts each field on its own line
//! (the brand first, then the fields, the other lines, the warning last), and that text becomes
//! the page the checks read. The fields are asked for separately because the model then looks for
//! each one; the checks still find and judge them in the text as they do in Tesseract's words, so
//! a field the model put in the wrong slot is still judged where it stands.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One label as the model read it. Empty strings for what the label does not show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelAnswer {
    pub brand_name: String,
    pub class_type: String,
    pub alcohol_content: String,
    pub net_contents: String,
    pub bottler: String,
    pub country_of_origin: String,
    pub government_warning: String,
    #[serde(default)]
    pub other_text: Vec<String>,
}

/// The fields in the order of [`LabelAnswer::text`] (the warning is last, after `other_text`),
/// with what the model is told about each.
const FIELDS: [(&str, &str); 7] = [
    ("brand_name", "the brand name, as printed"),
    (
        "class_type",
        "the class or type designation, such as \"Cabernet Sauvignon\" or \"Kentucky Straight Bourbon Whiskey\"",
    ),
    ("alcohol_content", "the alcohol content statement exactly as printed, such as \"13.5% ALC./VOL.\" with any proof"),
    ("net_contents", "the net contents, such as \"750 mL\" or \"12 FL OZ\""),
    (
        "bottler",
        "the whole bottler, producer or importer statement with its name and place, such as \"Bottled by ...\"",
    ),
    ("country_of_origin", "the country of origin statement, such as \"Product of France\""),
    (
        "government_warning",
        "the whole government warning statement, word for word from its heading to its last word, keeping its capitals and punctuation",
    ),
];

/// What the model is told before the label.
pub const SYSTEM_PROMPT: &str = "You transcribe alcohol beverage labels for a compliance check. Copy text exactly as it \
     is printed: the same words, spelling, capital letters, numbers and punctuation. Never correct, complete, \
     reorder or translate anything, and never add text that is not on the label. Answer with the JSON object asked \
     for; use an empty string for a field the label does not show.";

/// The question sent with the image.
pub fn user_prompt() -> String {
    let mut prompt = String::from("Read this label and fill in:\n");
    for (name, what) in FIELDS {
        prompt.push_str(&format!("- {name}: {what};\n"));
    }
    prompt.push_str("- other_text: every other line of text on the label, one string per line, top to bottom.");
    prompt
}

/// The JSON schema of [`LabelAnswer`], sent as Ollama's `format`.
pub fn schema() -> Value {
    let mut properties = serde_json::Map::new();
    for (name, what) in FIELDS {
        properties.insert(name.into(), json!({"type": "string", "description": what}));
    }
    properties.insert(
        "other_text".into(),
        json!({"type": "array", "items": {"type": "string"}, "description": "other lines of text, top to bottom"}),
    );
    let required: Vec<&str> = FIELDS.iter().map(|(name, _)| *name).chain(["other_text"]).collect();
    json!({"type": "object", "properties": properties, "required": required})
}

impl LabelAnswer {
    /// Parses the model's `message.content`.
    pub fn parse(content: &str) -> Result<Self, String> {
        let trimmed = content.trim();
        if trimmed.is_empty() {
            return Err("the answer is empty".into());
        }
        serde_json::from_str(trimmed).map_err(|e| {
            let start: String = trimmed.chars().take(80).collect();
            format!("it is not the JSON object asked for ({e}); it begins {start:?}")
        })
    }

    /// The transcription, a line per line: the brand first, then the fields, the other lines,
    /// and the warning last. Blank lines are dropped.
    pub fn text(&self) -> String {
        let fields = [
            &self.brand_name,
            &self.class_type,
            &self.alcohol_content,
            &self.net_contents,
            &self.bottler,
            &self.country_of_origin,
        ];
        fields
            .into_iter()
            .chain(&self.other_text)
            .chain([&self.government_warning])
            .flat_map(|field| field.lines())
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_and_type_describe_the_same_object() {
        let schema = schema();
        let properties = schema["properties"].as_object().unwrap();
        let answer = serde_json::to_value(LabelAnswer::default()).unwrap();
        let keys: Vec<&String> = answer.as_object().unwrap().keys().collect();
        assert_eq!(properties.keys().collect::<Vec<_>>().len(), keys.len());
        for key in keys {
            assert!(properties.contains_key(key), "{key} is not in the schema");
            assert!(schema["required"].as_array().unwrap().iter().any(|r| r == key.as_str()), "{key} not required");
        }
        assert_eq!(schema["type"], "object");
        assert!(user_prompt().contains("government_warning"));
    }

    #[test]
    fn answers_parse_or_say_why_not() {
        let answer = LabelAnswer::parse(
            r#"{"brand_name": "STONE'S THROW", "class_type": "", "alcohol_content": "13.5% ALC./VOL.",
                "net_contents": "750 mL", "bottler": "", "country_of_origin": "", "government_warning": "GOVERNMENT WARNING: (1)",
                "other_text": ["PASO ROBLES", "  "]}"#,
        )
        .unwrap();
        assert_eq!(answer.text(), "STONE'S THROW\n13.5% ALC./VOL.\n750 mL\nPASO ROBLES\nGOVERNMENT WARNING: (1)");
        let err = LabelAnswer::parse("Sure! Here is the label: STONE'S THROW").unwrap_err();
        assert!(err.contains("not the JSON object"), "{err}");
        assert!(LabelAnswer::parse("{\"brand_name\": \"X\"}").is_err(), "missing fields");
        assert!(LabelAnswer::parse("   ").unwrap_err().contains("empty"));
    }
}
