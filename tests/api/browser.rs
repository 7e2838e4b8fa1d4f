//! A headless Chromium driven over the DevTools protocol, for the page tests: open a URL,
//! run script in the page, wait for a condition, take screenshots, and list every request
//! the page made and every console message (a refused script or style shows there).
//! `.ci/run` installs Debian's chromium; without it the page tests say so and do not run.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value as Json};
use tungstenite::{Message, WebSocket};

/// The flags every test browser runs with: headless, and nothing of its own on the network.
pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
];

pub fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

pub struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    /// Every URL the page requested, in order.
    pub requests: Vec<String>,
    /// Console messages, uncaught exceptions and browser log entries (CSP refusals).
    pub console: Vec<String>,
    /// Requests sent and not yet finished or failed.
    pending: std::collections::HashSet<String>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium with one blank tab of 1280×900; `None` when it is not installed.
    pub fn launch() -> Option<Browser> {
        let bin = chromium()?;
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(bin)
            .args(FLAGS)
            .args(["--remote-debugging-port=0", "--window-size=1280,900"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("chromium prints its DevTools address");
        let host = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let stream = TcpStream::connect(host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let (ws, _) = tungstenite::client(url.as_str(), stream).expect("DevTools handshake");
        let mut b = Browser {
            child,
            ws,
            session: String::new(),
            next_id: 0,
            requests: Vec::new(),
            console: Vec::new(),
            pending: Default::default(),
            _profile: profile,
        };
        let target = b.call("Target.createTarget", json!({ "url": "about:blank" }));
        let attached = b.call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_owned();
        for domain in ["Page", "Runtime", "Network", "Log"] {
            b.call(&format!("{domain}.enable"), json!({}));
        }
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        );
        Some(b)
    }

    /// Sends one command (to the tab once attached) and returns its result, noting the
    /// events that arrive meanwhile.
    fn call(&mut self, method: &str, params: Json) -> Json {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let text = match self.ws.read().expect("DevTools answers") {
                Message::Text(t) => t.to_string(),
                _ => continue,
            };
            let v: Json = serde_json::from_str(&text).unwrap();
            if v["id"] == id {
                assert!(v["error"].is_null(), "{method}: {}", v["error"]);
                return v["result"].clone();
            }
            self.note(&v);
        }
    }

    fn note(&mut self, event: &Json) {
        let p = &event["params"];
        match event["method"].as_str().unwrap_or("") {
            "Network.requestWillBeSent" => {
                self.requests
                    .push(p["request"]["url"].as_str().unwrap_or("").to_owned());
                self.pending.insert(p["requestId"].to_string());
            }
            "Network.loadingFinished" | "Network.loadingFailed" => {
                self.pending.remove(&p["requestId"].to_string());
            }
            "Runtime.consoleAPICalled" => {
                let args: Vec<String> = p["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| a["value"].to_string())
                    .collect();
                self.console
                    .push(format!("console.{}: {}", p["type"], args.join(" ")));
            }
            "Runtime.exceptionThrown" => self
                .console
                .push(format!("exception: {}", p["exceptionDetails"])),
            "Log.entryAdded" => self.console.push(format!(
                "log {}: {}",
                p["entry"]["level"], p["entry"]["text"]
            )),
            _ => {}
        }
    }

    /// Sends `Authorization: Bearer <token>` with every request of the page from now on (a
    /// document the server answers only to a signed-in official).
    pub fn bearer(&mut self, token: &str) {
        self.call(
            "Network.setExtraHTTPHeaders",
            json!({ "headers": { "Authorization": format!("Bearer {token}") } }),
        );
    }

    /// Prints the page to PDF, as a user's print dialog would (A4), and returns the bytes.
    pub fn print_pdf(&mut self) -> Vec<u8> {
        let pdf = self.call(
            "Page.printToPDF",
            json!({ "paperWidth": 8.27, "paperHeight": 11.69, "printBackground": false }),
        );
        base64::engine::general_purpose::STANDARD
            .decode(pdf["data"].as_str().unwrap())
            .unwrap()
    }

    /// Opens `url` and waits until the page has loaded.
    pub fn goto(&mut self, url: &str) {
        // From a blank page, so a URL differing only in its fragment loads the page anew.
        self.call("Page.navigate", json!({ "url": "about:blank" }));
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for("document.readyState === 'complete'", "the page to load");
    }

    /// Evaluates `expr` in the page (awaiting a promise) and returns its value.
    pub fn eval(&mut self, expr: &str) -> Json {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expr, "awaitPromise": true, "returnByValue": true }),
        );
        assert!(
            r["exceptionDetails"].is_null(),
            "{expr}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Waits up to 30 s for `condition` (script) to be true.
    pub fn wait_for(&mut self, condition: &str, what: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if self.eval(&format!("!!({condition})")) == json!(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let body = self.eval("document.body ? document.body.innerText.slice(0, 3000) : ''");
        panic!(
            "timed out waiting for {what}\npage: {body}\nconsole: {:#?}",
            self.console
        );
    }

    /// Waits until no request has been open for half a second (at most 30 s).
    pub fn wait_until_idle(&mut self) {
        let start = Instant::now();
        let mut idle_since = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            self.eval("0");
            if !self.pending.is_empty() {
                idle_since = Instant::now();
            } else if idle_since.elapsed() > Duration::from_millis(500) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("requests still open after 30 s");
    }

    /// Clicks the element `selector` names.
    pub fn click(&mut self, selector: &str) {
        let s = serde_json::to_string(selector).unwrap();
        self.wait_for(&format!("document.querySelector({s})"), selector);
        self.eval(&format!("document.querySelector({s}).click()"));
    }

    /// Clicks the element `selector` names with the mouse, at its centre (for widgets that
    /// open on pointer events).
    pub fn mouse_click(&mut self, selector: &str) {
        let s = serde_json::to_string(selector).unwrap();
        self.wait_for(&format!("document.querySelector({s})"), selector);
        let at = self.eval(&format!(
            "(() => {{ const r = document.querySelector({s}).getBoundingClientRect(); \
             return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": at[0], "y": at[1], "button": "left", "clickCount": 1 }),
            );
        }
    }

    /// Types `value` into the field `selector` names, as input events.
    pub fn fill(&mut self, selector: &str, value: &str) {
        let (s, v) = (
            serde_json::to_string(selector).unwrap(),
            serde_json::to_string(value).unwrap(),
        );
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({s}); e.focus(); e.value = {v}; \
             e.dispatchEvent(new Event('input', {{ bubbles: true }})); \
             e.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"
        ));
    }

    /// Presses a key on whatever has focus (`Tab`, `Enter`, ` `).
    pub fn press(&mut self, key: &str) {
        let (code, text) = match key {
            "Tab" => (9, ""),
            "Enter" => (13, "\r"),
            _ => (32, " "),
        };
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": key, "windowsVirtualKeyCode": code,
                        "text": if kind == "keyDown" { text } else { "" } }),
            );
        }
    }

    /// Saves a PNG of the whole page below the test binary's temporary directory; returns
    /// its path.
    pub fn screenshot(&mut self, name: &str) -> PathBuf {
        let shot = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{name}-{}.png", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
