//! Amounts as a customer reads them: integer minor units turned into the currency's own
//! decimals, with the symbol and separators of the message's language. Never through a float.

use super::Language;

/// Digits after the decimal point (ISO 4217). Most currencies have two.
fn exponent(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

fn symbol(currency: &str) -> Option<&'static str> {
    Some(match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        _ => return None,
    })
}

/// `1234567` EUR reads `€12,345.67` in English and `12.345,67 €` in German; a currency without
/// a symbol of ours is written by its code (`CHF 12.50`, `12,50 CHF`).
pub fn format_amount(minor: i64, currency: &str, language: Language) -> String {
    let (thousands, decimal) = match language {
        Language::En => (',', '.'),
        Language::De => ('.', ','),
    };
    let scale = 10u64.pow(exponent(currency));
    let magnitude = minor.unsigned_abs();
    let mut number = group(magnitude / scale, thousands);
    if scale > 1 {
        let width = exponent(currency) as usize;
        number.push(decimal);
        number.push_str(&format!("{:0width$}", magnitude % scale));
    }
    let sign = if minor < 0 { "-" } else { "" };
    match (language, symbol(currency)) {
        (Language::En, Some(symbol)) => format!("{sign}{symbol}{number}"),
        (Language::En, None) => format!("{sign}{currency} {number}"),
        (Language::De, Some(symbol)) => format!("{sign}{number} {symbol}"),
        (Language::De, None) => format!("{sign}{number} {currency}"),
    }
}

fn group(whole: u64, separator: char) -> String {
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_per_currency_and_language() {
        assert_eq!(format_amount(1_234_567, "EUR", Language::En), "€12,345.67");
        assert_eq!(format_amount(1_234_567, "EUR", Language::De), "12.345,67 €");
        assert_eq!(format_amount(1999, "USD", Language::En), "$19.99");
        assert_eq!(format_amount(5, "USD", Language::En), "$0.05");
        assert_eq!(format_amount(0, "GBP", Language::De), "0,00 £");
        assert_eq!(format_amount(1500, "JPY", Language::En), "¥1,500");
        assert_eq!(format_amount(1250, "CHF", Language::En), "CHF 12.50");
        assert_eq!(format_amount(1250, "CHF", Language::De), "12,50 CHF");
        assert_eq!(format_amount(1, "KWD", Language::En), "KWD 0.001");
        assert_eq!(format_amount(-250, "EUR", Language::En), "-€2.50");
        assert_eq!(
            format_amount(100_000_000, "USD", Language::En),
            "$1,000,000.00"
        );
    }
}
