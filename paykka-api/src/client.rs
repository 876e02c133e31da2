//! The merchant's PayKKa client: signs each request with the merchant key, sends it, and
//! accepts only answers signed by the platform key within the timestamp window — unless
//! told to only report answers signed otherwise (PayKKa does not publish how it signs
//! answers: `guesses::verify_answer`).

use std::time::Duration;

use rsa::{PrivateKey, PublicKey};
use serde_json::Value;

use crate::signing::{self, HEADER_NONCE, HEADER_SIGN, HEADER_TIMESTAMP};

/// Where and as whom the merchant talks to PayKKa (the embedded sandbox by default).
pub struct PaykkaClient {
    pub base_url: String,
    pub merchant_id: String,
    pub app_id: String,
    pub merchant_key: PrivateKey,
    pub platform_key: PublicKey,
    /// Another key whose signed answers are trusted too: the secure origin's, for its own
    /// refusals (PayKKa's answers it passes on unchanged).
    pub also_trusted: Option<PublicKey>,
    pub answer_signatures: AnswerSignatures,
    pub http: reqwest::Client,
}

/// What is done with an answer whose signature does not verify as guessed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerSignatures {
    /// Refused (`CallError::BadSignature`): the default.
    #[default]
    Strict,
    /// Taken, with a warning in the log: for when PayKKa turns out to sign answers otherwise
    /// than guessed, until the check follows it. TLS still authenticates PayKKa.
    Report,
}

impl AnswerSignatures {
    const ALL: [AnswerSignatures; 2] = [AnswerSignatures::Strict, AnswerSignatures::Report];

    /// The name in flags and configuration files (`strict`, `report`).
    pub fn name(self) -> &'static str {
        match self {
            AnswerSignatures::Strict => "strict",
            AnswerSignatures::Report => "report",
        }
    }
}

impl std::str::FromStr for AnswerSignatures {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        AnswerSignatures::ALL
            .into_iter()
            .find(|mode| mode.name() == text)
            .ok_or_else(|| format!("{text}: answer signatures are `strict` or `report`"))
    }
}

/// Why a call did not give data.
#[derive(Debug)]
pub enum CallError {
    /// No connection could be made: the request was never sent.
    NotSent,
    /// Sent, and no HTTP answer came (timed out, cut off): what PayKKa did is not known.
    Unavailable,
    /// The answer was not signed by the platform (or too old): never trusted.
    BadSignature,
    /// Not JSON.
    Garbage,
    /// PayKKa refused: HTTP status, `ret_code`, `ret_msg`.
    Refused(u16, String, String),
}

/// An answer whose signature verified: what PayKKa sent, untouched.
pub struct SignedAnswer {
    pub status: u16,
    pub timestamp: String,
    pub nonce: String,
    pub sign: String,
    pub body: Vec<u8>,
}

impl PaykkaClient {
    /// Calls `path` with `body`; returns `data` of a `000000` answer.
    pub async fn call(&self, path: &str, body: &Value) -> Result<Value, CallError> {
        let bytes = serde_json::to_vec(body).map_err(|_| CallError::Garbage)?;
        let answer = self.exchange(path, bytes, Duration::from_secs(20)).await?;
        let json: Value = serde_json::from_slice(&answer.body).map_err(|_| CallError::Garbage)?;
        let ret_code = json["ret_code"].as_str().unwrap_or_default();
        if ret_code == "000000" {
            Ok(json["data"].clone())
        } else {
            let message = json["ret_msg"].as_str().unwrap_or_default().to_owned();
            Err(CallError::Refused(
                answer.status,
                ret_code.to_owned(),
                message,
            ))
        }
    }

    /// Sends `bytes` to `path`, signed; the answer only if PayKKa signed it, within the
    /// timestamp window.
    pub async fn exchange(
        &self,
        path: &str,
        bytes: Vec<u8>,
        timeout: Duration,
    ) -> Result<SignedAnswer, CallError> {
        let url = format!("{}{path}", self.base_url);
        let response = signing::signed_post(
            &self.http,
            &url,
            path,
            &self.app_id,
            &self.merchant_key,
            bytes,
        )
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| {
            if e.is_connect() {
                CallError::NotSent
            } else {
                CallError::Unavailable
            }
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (timestamp, nonce, sign) = (
            header(HEADER_TIMESTAMP),
            header(HEADER_NONCE),
            header(HEADER_SIGN),
        );
        let body = response.bytes().await.map_err(|_| CallError::Unavailable)?;
        let (timestamp, nonce, sign) = (
            timestamp.unwrap_or_default(),
            nonce.unwrap_or_default(),
            sign.unwrap_or_default(),
        );
        let signed_by =
            |key| crate::guesses::verify_answer(key, path, &timestamp, &nonce, &body, &sign);
        let trusted = (signed_by(&self.platform_key)
            || self.also_trusted.as_ref().is_some_and(signed_by))
            && signing::timestamp_fresh(&timestamp, signing::now_ms());
        if !trusted {
            match self.answer_signatures {
                AnswerSignatures::Strict => return Err(CallError::BadSignature),
                AnswerSignatures::Report => tracing::warn!(
                    path,
                    status,
                    "PayKKa's answer is not signed as guessed; taken (answer signatures: report)"
                ),
            }
        }
        Ok(SignedAnswer {
            status,
            timestamp,
            nonce,
            sign,
            body: body.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::AnswerSignatures;

    #[test]
    fn answer_signature_modes_are_read_by_the_names_they_are_written_with() {
        for mode in AnswerSignatures::ALL {
            assert_eq!(mode.name().parse::<AnswerSignatures>(), Ok(mode));
        }
        assert!("lenient".parse::<AnswerSignatures>().is_err());
        assert_eq!(AnswerSignatures::default(), AnswerSignatures::Strict);
    }
}
