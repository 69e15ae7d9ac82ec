//! Times as a learner reads them: a date in UTC, and "in 5 minutes" or "3 hours ago".

/// Seconds since the Unix epoch, from the browser's clock.
pub fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// A NumericDate (RFC 7519 §2) as `2026-12-04 16:07:00 UTC`.
pub fn format_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);

    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The calendar date of a day counted from 1970-01-01, in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Count from 0000-03-01 so the leap day falls at the end of each 400-year era's years.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// How far `then` is from `now`, in words: "in 5 minutes", "2 hours ago", "now".
pub fn relative(then: i64, now: i64) -> String {
    let delta = then - now;
    if delta == 0 {
        return "now".to_owned();
    }

    let size = delta.unsigned_abs();
    let (count, unit) = match size {
        0..60 => (size, "second"),
        60..3600 => (size / 60, "minute"),
        3600..86_400 => (size / 3600, "hour"),
        _ => (size / 86_400, "day"),
    };
    let plural = if count == 1 { "" } else { "s" };

    if delta > 0 {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
}

/// A countdown as `4:59`, or `1:02:03` past an hour; zero and below show `0:00`.
pub fn countdown(remaining: i64) -> String {
    let remaining = remaining.max(0);
    let (hours, minutes, seconds) = (remaining / 3600, remaining % 3600 / 60, remaining % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn format_utc_shows_the_calendar_date() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[wasm_bindgen_test]
    fn relative_speaks_of_the_future_and_the_past() {
        assert_eq!(relative(1300, 1000), "in 5 minutes");
        assert_eq!(relative(1000, 1001), "1 second ago");
        assert_eq!(relative(1000 - 7200, 1000), "2 hours ago");
        assert_eq!(relative(1000 + 3 * 86_400, 1000), "in 3 days");
        assert_eq!(relative(1000, 1000), "now");
    }

    #[wasm_bindgen_test]
    fn countdown_never_goes_below_zero() {
        assert_eq!(countdown(299), "4:59");
        assert_eq!(countdown(3723), "1:02:03");
        assert_eq!(countdown(-5), "0:00");
    }

    #[wasm_bindgen_test]
    fn now_reads_a_plausible_clock() {
        assert!(now() > 1_700_000_000);
    }
}
