//! The one duration grammar of the command line (`--lock-timeout 30s`, `2m`, `1h30m`, `500ms`,
//! or a plain number of seconds): every command's flag is parsed by [`parse_duration`].

use std::time::Duration;

/// Parse `500ms`, `30s`, `2m`, `1h`, `1h30m`, `1.5m` or a plain number of seconds (`15`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let written = text.trim();
    let bad = || format!("`{written}` is not a duration (try 0s, 30s, 2m, 1h30m or 500ms)");
    if written.is_empty() {
        return Err(bad());
    }
    if let Ok(seconds) = written.parse::<f64>() {
        return seconds_of(seconds, 1.0).ok_or_else(bad);
    }
    let mut rest = written;
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let number: f64 = number.parse().map_err(|_| bad())?;
        let scale = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => {
                return Err(format!(
                    "`{written}`: unknown unit `{unit}` (use ms, s, m or h)"
                ));
            }
        };
        total += seconds_of(number, scale).ok_or_else(bad)?;
        rest = next;
    }
    Ok(total)
}

fn seconds_of(number: f64, scale: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(number * scale).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_plain_seconds() {
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration(" 1.5m "), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
    }

    #[test]
    fn anything_else_is_refused_with_the_grammar_in_the_message() {
        for bad in ["", "soon", "3d", "m", "-5s", "1.2.3s", "s30", "1e400"] {
            let error = parse_duration(bad).unwrap_err();
            assert!(
                error.contains("not a duration") || error.contains("unknown unit"),
                "{bad}: {error}"
            );
        }
        assert!(parse_duration("3d").unwrap_err().contains("ms, s, m or h"));
    }
}
