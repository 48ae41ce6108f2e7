//! `ttb-ollama-standin [PORT] [ANSWER.json]`: serves the stand-in on 127.0.0.1:PORT (default
//! 11434, Ollama's) listing `llama3.2-vision:latest`, answering every label with the structured
//! answer in ANSWER.json (default: a label with no text). For trying the app and the command line
//! against a "working Ollama" by hand; stop it with Ctrl-C.

use std::process::ExitCode;

use ttb_ollama_standin::{Reply, StandIn};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port: u16 = match args.first().map(|p| p.parse()) {
        None => 11434,
        Some(Ok(port)) => port,
        Some(Err(_)) => {
            eprintln!("usage: ttb-ollama-standin [PORT] [ANSWER.json]");
            return ExitCode::from(2);
        }
    };
    let answer = match args.get(1).map(std::fs::read_to_string) {
        None => serde_json::json!({"brand_name": "", "class_type": "", "alcohol_content": "", "net_contents": "",
            "bottler": "", "country_of_origin": "", "government_warning": "", "other_text": []}),
        Some(Ok(text)) => match serde_json::from_str(&text) {
            Ok(answer) => answer,
            Err(e) => {
                eprintln!("error: the answer file is not JSON: {e}");
                return ExitCode::from(2);
            }
        },
        Some(Err(e)) => {
            eprintln!("error: cannot read the answer file: {e}");
            return ExitCode::from(2);
        }
    };
    let standin = match StandIn::start_on(([127, 0, 0, 1], port).into(), &["llama3.2-vision:latest"]) {
        Ok(standin) => standin,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    standin.set_reply(Reply::Answer(answer));
    eprintln!("Ollama stand-in on {} (model llama3.2-vision:latest); Ctrl-C stops it", standin.url());
    loop {
        std::thread::park();
    }
}
