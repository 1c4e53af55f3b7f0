//! What looks like a secret, and how it is masked wherever text is shown: the one place that
//! decides it, for diagnostics' source lines, URLs in messages and state dumps.
//!
//! Secrets belong in the environment (`DINGTALK_APP_SECRET`, `PGPASSWORD`, a webhook's
//! `token_env`); when one is written where it does not belong anyway, it must not reach a CI
//! log through an error message that quotes the line.

/// Whether a key names a secret (`app_secret`, `password`, `access_token`, …). Keys that name
/// the environment variable holding one (`token_env`, `secret_env`) do not.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    if key.ends_with("_env") {
        return false;
    }
    SECRET_WORDS.iter().any(|word| key.contains(word))
}

/// What a secret-named key contains, lowercased.
const SECRET_WORDS: [&str; 8] = [
    "secret",
    "password",
    "passwd",
    "token",
    "private_key",
    "access_key",
    "api_key",
    "credential",
];

/// Whether `text` may hold a secret-named key: a key is part of the text, so one that
/// [`is_secret_key`] takes means the lowercased text holds one of its words. Checking that
/// first spares a large workspace the key-by-key scan (issue 15).
fn may_name_a_secret(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|word| lower.contains(word))
}

/// `scheme://user:password@host…` with the password shown as `***`.
pub fn mask_url(text: &str) -> String {
    let mut masked = text.to_owned();
    for range in url_passwords(text).into_iter().rev() {
        masked.replace_range(range, "***");
    }
    masked
}

/// `text` (a YAML file) with the value of every secret-named key and every password in a URL
/// replaced by `*`s of the same byte length, so that spans into it still point where they did.
pub fn mask_source(text: &str) -> String {
    let mut ranges = url_passwords(text);
    if may_name_a_secret(text) {
        ranges.extend(secret_values(text));
    }
    if ranges.is_empty() {
        return text.to_owned();
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in ranges {
        bytes[range].fill(b'*');
    }
    // Only whole UTF-8 sequences inside ranges that start and end on char boundaries were
    // replaced by ASCII, so the text is still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

/// Byte ranges of the passwords of `scheme://user:password@` URLs in `text`.
fn url_passwords(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("://") {
        let start = from + at + 3;
        let rest = &text[start..];
        let authority_end = rest
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at_sign) = authority.rfind('@')
            && let Some(colon) = authority[..at_sign].find(':')
            && colon + 1 < at_sign
        {
            ranges.push(start + colon + 1..start + at_sign);
        }
        from = start;
    }
    ranges
}

/// Byte ranges of the values of secret-named keys (`key: value`, block or flow style).
fn secret_values(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let bytes = text.as_bytes();
    let is_key_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut index = 0;
    while index < bytes.len() {
        if !is_key_byte(bytes[index]) || (index > 0 && is_key_byte(bytes[index - 1])) {
            index += 1;
            continue;
        }
        let key_start = index;
        while index < bytes.len() && is_key_byte(bytes[index]) {
            index += 1;
        }
        let key = &text[key_start..index];
        let mut cursor = index;
        if bytes.get(cursor) == Some(&b'"') || bytes.get(cursor) == Some(&b'\'') {
            cursor += 1;
        }
        if bytes.get(cursor) != Some(&b':') || !is_secret_key(key) {
            continue;
        }
        cursor += 1;
        if !matches!(bytes.get(cursor), Some(b' ' | b'\t')) {
            continue;
        }
        while matches!(bytes.get(cursor), Some(b' ' | b'\t')) {
            cursor += 1;
        }
        let start = cursor;
        let end = match bytes.get(start) {
            Some(&quote @ (b'"' | b'\'')) => text[start + 1..]
                .find(quote as char)
                .map_or(text.len(), |at| start + 1 + at + 1),
            _ => {
                let line_end = text[start..].find('\n').map_or(text.len(), |at| start + at);
                let value = &text[start..line_end];
                let mut end = value
                    .find([',', '}', ']'])
                    .map_or(line_end, |at| start + at);
                if let Some(comment) = text[start..end].find(" #") {
                    end = start + comment;
                }
                start + text[start..end].trim_end().len()
            }
        };
        if end > start {
            ranges.push(start..end);
        }
        index = end.max(index);
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_masked_in_place_and_keep_their_length() {
        let text = "organization: Demo\napp_secret: hunter2  # oops\napp: {kind: internal, client_secret: 'abc', agent_id: 1}\n";
        let masked = mask_source(text);
        assert_eq!(masked.len(), text.len());
        assert!(
            !masked.contains("hunter2") && !masked.contains("abc"),
            "{masked}"
        );
        assert!(masked.contains("app_secret: *******  # oops"), "{masked}");
        assert!(masked.contains("agent_id: 1") && masked.contains("organization: Demo"));
    }

    #[test]
    fn url_passwords_are_masked_and_users_kept() {
        assert_eq!(
            mask_url("postgres://dingform:s3cret@db:5432/x"),
            "postgres://dingform:***@db:5432/x"
        );
        assert_eq!(mask_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        let masked = mask_source("endpoint: https://me:pa55@example.com/\n");
        assert!(masked.contains("https://me:****@example.com/"), "{masked}");
    }

    #[test]
    fn environment_variable_names_are_not_secrets() {
        assert!(!is_secret_key("token_env"));
        assert!(!is_secret_key("secret_env"));
        assert!(is_secret_key("app_secret"));
        assert!(is_secret_key("password"));
        assert!(!is_secret_key("app_key") && !is_secret_key("robot_code"));
        let text = "via: {webhook: {token_env: OPS_TOKEN, secret_env: OPS_SECRET}}\n";
        assert_eq!(mask_source(text), text);
    }
}
