//! The YAML parser's messages in a manifest author's words: what the value should be, never a
//! Rust type (`u64`, `Option<String>`) or the parser's internal limits (its "budget").

use serde_saphyr::Error as YamlError;

/// What a type the parser names means to someone writing YAML.
fn kind_of(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number (0 or more)",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "bool" | "boolean" => "true or false",
        "char" => "a single character",
        "string" | "String" => "text",
        "option" => "a value or nothing",
        _ => return None,
    })
}

/// The message of `error` (its position left out: findings show it themselves).
pub fn message(error: &YamlError) -> String {
    match error {
        YamlError::NullIntoString { .. } => {
            "this needs text, and the value is empty: write it after the colon (in quotes if it \
             starts with a special character such as `*`, `&` or `@`)"
                .to_owned()
        }
        YamlError::InvalidScalar { ty, .. } => match kind_of(ty) {
            Some(kind) => format!("this is not {kind}"),
            None => format!("this is not a valid {ty}"),
        },
        YamlError::InvalidBooleanStrict { .. } => "this is not true or false".to_owned(),
        _ => without_rust_types(&plain(error)),
    }
}

/// `yaml-too-complex`, said without the parser's counters.
pub fn too_complex(max_depth: usize) -> String {
    format!(
        "the YAML is too deeply nested or its aliases expand too much (manifests take at most \
         {max_depth} levels of nesting and a few aliases)"
    )
}

/// The parser's message without the position it appends.
fn plain(error: &YamlError) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// Replace Rust type names in a serde message ("invalid type: string \"x\", expected u64")
/// by what they mean, and drop advice aimed at a Rust programmer ("; use Option<String>").
fn without_rust_types(message: &str) -> String {
    let message = match message.find("; use ") {
        Some(at) => &message[..at],
        None => message,
    };
    let message = message
        .replace(
            "sequence start",
            "a list (`[a, b]`, or lines that start with `- `)",
        )
        .replace("mapping start", "a mapping (`key: value`)")
        .replace("string scalar", "text")
        .replace("a borrowed string", "text")
        .replace("a string", "text")
        .replace("a boolean", "true or false");
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(kind_of(word).unwrap_or(word));
        word.clear();
    };
    for c in message.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out.replace("Option<text>", "a value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_types_become_what_they_mean() {
        assert_eq!(
            without_rust_types("invalid type: string \"ten\", expected u64"),
            "invalid type: text \"ten\", expected a whole number (0 or more)"
        );
        assert_eq!(
            without_rust_types("cannot deserialize null into string; use Option<String>"),
            "cannot deserialize null into text"
        );
        assert_eq!(
            without_rust_types("invalid type: sequence, expected a string"),
            "invalid type: sequence, expected text"
        );
    }
}
