//! Decoding an export's bytes into text: UTF-8 (with or without its mark), cp949 (Windows code
//! page 949, what Korean SCADA exports are saved in), UTF-16 (Excel's "Unicode text"), else
//! Windows-1252; a workbook, an archive or binary bytes refused by what they are.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// The text encoding a file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Windows code page 949 / EUC-KR, what Korean SCADA software and Excel write by default.
    Cp949,
    /// Windows-1252 (Latin-1), what Excel in much of Europe writes (`Portata (m³/h)`, `Qualità`).
    Windows1252,
    /// UTF-16 little-endian: Excel's "Unicode text" (tab-separated), how Korean users save a sheet
    /// so its Hangul survives.
    Utf16Le,
    /// UTF-16 big-endian.
    Utf16Be,
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Cp949 => "cp949",
            TextEncoding::Windows1252 => "Windows-1252",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        })
    }
}

impl std::str::FromStr for TextEncoding {
    type Err = CoreError;

    /// `utf-8`, `cp949` (`euc-kr`, `ms949`) or `windows-1252` (`cp1252`, `latin1`, `iso-8859-1`),
    /// in any case.
    fn from_str(name: &str) -> Result<TextEncoding> {
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            "cp949" | "euc-kr" | "euckr" | "ms949" | "uhc" => Ok(TextEncoding::Cp949),
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" => Ok(TextEncoding::Windows1252),
            "utf-16" | "utf16" | "utf-16le" | "utf16le" | "unicode" => Ok(TextEncoding::Utf16Le),
            "utf-16be" | "utf16be" => Ok(TextEncoding::Utf16Be),
            _ => Err(CoreError::UnknownEncoding { name: name.to_string() }),
        }
    }
}

/// Where cp949 decoding of `bytes` first fails, if it does.
fn cp949_error_offset(bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding_rs::EUC_KR.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() * 2 + 16);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => Some(read - usize::from(bad) - usize::from(after)),
        _ => None,
    }
}

/// Files that are not text but are often given for one: a spreadsheet saved in its own format, or
/// an export still compressed. Told by their first bytes.
const NOT_CSV: [(&[u8], &str, &str); 3] = [
    (
        b"PK\x03\x04",
        "an Excel workbook (.xlsx) or another zip archive",
        "open it and save it as CSV (UTF-8 or cp949), then give that file",
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "an Excel 97–2003 workbook (.xls)",
        "open it and save it as CSV (UTF-8 or cp949), then give that file",
    ),
    (b"\x1F\x8B", "a gzip-compressed file", "decompress it first (gunzip)"),
];

/// Whether the bytes above 127 stand alone, each followed by an ASCII byte, as the accented
/// letters and `°`, `³` of Windows-1252 text do; cp949's Korean comes in pairs of high bytes, so a
/// cp949 file cut in the middle of a character is not taken for Windows-1252.
fn high_bytes_stand_alone(bytes: &[u8]) -> bool {
    let (mut high, mut alone) = (0usize, 0usize);
    for (i, byte) in bytes.iter().enumerate() {
        if *byte >= 0x80 {
            high += 1;
            if bytes.get(i + 1).is_none_or(u8::is_ascii) {
                alone += 1;
            }
        }
    }
    high > 0 && alone * 10 >= high * 9
}

/// Decodes a file's bytes: UTF-8 (with or without BOM) when valid, else cp949, else Windows-1252
/// when its bytes above 127 stand alone (European exports).
///
/// A NUL byte, or bytes valid in none of them, mean the file is not text. The offset reported
/// is where the longer-lived of the UTF-8 and cp949 decodings stopped: for a cp949 file cut in the
/// middle of a character, the cut. A workbook or a compressed file is named as such.
pub fn decode(bytes: Vec<u8>, path: &Path) -> Result<(String, TextEncoding)> {
    if let Some(order) = utf16_order(&bytes) {
        return utf16(&bytes, order, path);
    }
    refuse_non_text(&bytes, path)?;
    let marked = bytes.starts_with(BYTE_ORDER_MARK);
    match utf8(bytes) {
        Ok(found) => Ok(found),
        // A file marked as UTF-8 is not tried as anything else.
        Err((_, offset)) if marked => Err(CoreError::Encoding {
            path: path.to_path_buf(),
            offset,
        }),
        Err((bytes, offset)) => match encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(&bytes) {
            Some(text) => Ok((text.into_owned(), TextEncoding::Cp949)),
            None => neither_utf8_nor_cp949(&bytes, path, offset),
        },
    }
}

/// UTF-8's byte-order mark, which Excel's "CSV UTF-8" starts with.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The bytes as UTF-8 text, a byte-order mark dropped; else the bytes back with the offset of the
/// first byte UTF-8 does not allow.
fn utf8(bytes: Vec<u8>) -> std::result::Result<(String, TextEncoding), (Vec<u8>, usize)> {
    if let Some(rest) = bytes.strip_prefix(BYTE_ORDER_MARK) {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((text.to_string(), TextEncoding::Utf8Bom)),
            Err(error) => {
                let offset = error.valid_up_to() + BYTE_ORDER_MARK.len();
                Err((bytes, offset))
            }
        };
    }
    String::from_utf8(bytes)
        .map(|text| (text, TextEncoding::Utf8))
        .map_err(|error| {
            let offset = error.utf8_error().valid_up_to();
            (error.into_bytes(), offset)
        })
}

/// An empty file, a workbook or compressed file, or one with a NUL byte: no encoding makes text of
/// them.
fn refuse_non_text(bytes: &[u8], path: &Path) -> Result<()> {
    if bytes.is_empty() {
        return Err(CoreError::Empty {
            path: path.to_path_buf(),
        });
    }
    if let Some((_, what, hint)) = NOT_CSV.iter().find(|(magic, _, _)| bytes.starts_with(magic)) {
        return Err(CoreError::NotCsv {
            path: path.to_path_buf(),
            what,
            hint,
        });
    }
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(CoreError::Encoding {
            path: path.to_path_buf(),
            offset,
        });
    }
    Ok(())
}

/// Decodes a file's bytes in the encoding given (`--encoding`), or as [`decode`] finds it when
/// none is: for the file that is valid in two of them (a Windows-1252 `°C` is also a cp949
/// pair) and the engineer knows which.
pub fn decode_as(bytes: Vec<u8>, path: &Path, encoding: Option<TextEncoding>) -> Result<(String, TextEncoding)> {
    let Some(encoding) = encoding else {
        return decode(bytes, path);
    };
    refuse_non_text(&bytes, path)?;
    let wrong = |offset: usize| CoreError::NotInEncoding {
        path: path.to_path_buf(),
        encoding,
        offset,
    };
    match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => utf8(bytes).map_err(|(_, offset)| wrong(offset)),
        TextEncoding::Cp949 => match encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(&bytes) {
            Some(text) => Ok((text.into_owned(), TextEncoding::Cp949)),
            None => Err(wrong(cp949_error_offset(&bytes).unwrap_or(0))),
        },
        TextEncoding::Windows1252 => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
            Ok((text.into_owned(), TextEncoding::Windows1252))
        }
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => utf16(&bytes, encoding, path).map_err(|error| match error {
            CoreError::NotUtf16 { offset, .. } => wrong(offset),
            other => other,
        }),
    }
}

/// UTF-16 by its byte-order mark (`FF FE`: little-endian, as Excel's "Unicode text" starts), or
/// by the zero bytes of its first two ASCII characters; `None` when the bytes do not start so.
fn utf16_order(bytes: &[u8]) -> Option<TextEncoding> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(TextEncoding::Utf16Le),
        [0xFE, 0xFF, ..] => Some(TextEncoding::Utf16Be),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some(TextEncoding::Utf16Le),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some(TextEncoding::Utf16Be),
        _ => None,
    }
}

/// Decodes UTF-16 in `order` (a byte-order mark dropped); a malformed pair is named by its byte.
fn utf16(bytes: &[u8], order: TextEncoding, path: &Path) -> Result<(String, TextEncoding)> {
    let (encoding, mark): (&'static encoding_rs::Encoding, &[u8]) = match order {
        TextEncoding::Utf16Be => (encoding_rs::UTF_16BE, b"\xFE\xFF"),
        _ => (encoding_rs::UTF_16LE, b"\xFF\xFE"),
    };
    let body = bytes.strip_prefix(mark).unwrap_or(bytes);
    let skipped = bytes.len() - body.len();
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(body.len())
            .unwrap_or(body.len() * 3 / 2),
    );
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut text, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, extra) => Err(CoreError::NotUtf16 {
            path: path.to_path_buf(),
            encoding: order,
            // `read` counts the malformed bytes and any read after them.
            offset: skipped + read.saturating_sub(usize::from(bad) + usize::from(extra)),
        }),
        _ => Ok((text, order)),
    }
}

/// A file that is neither UTF-8 nor cp949: Windows-1252 when its high bytes stand alone, else not
/// text. Kept out of [`decode`]'s way (cold): a Korean export never comes here, and with this
/// branch inline its cp949 decoding measured 10 % slower.
#[cold]
#[inline(never)]
fn neither_utf8_nor_cp949(bytes: &[u8], path: &Path, utf8_offset: usize) -> Result<(String, TextEncoding)> {
    if high_bytes_stand_alone(bytes) {
        // Every byte is a character in Windows-1252.
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        return Ok((text.into_owned(), TextEncoding::Windows1252));
    }
    Err(CoreError::Encoding {
        path: path.to_path_buf(),
        offset: utf8_offset.max(cp949_error_offset(bytes).unwrap_or(0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_and_cp949() {
        let (encoded, _, _) = encoding_rs::EUC_KR.encode("저장시간,장명(배) 유입유량 순시\n2020/01/01 0:00,330\n");
        let (text, encoding) = decode(encoded.into_owned(), Path::new("x")).unwrap();
        assert_eq!(encoding, TextEncoding::Cp949);
        assert!(text.starts_with("저장시간,장명(배)"));
        let (text, encoding) = decode(b"\xEF\xBB\xBFtime,v\n".to_vec(), Path::new("x")).unwrap();
        assert_eq!((text.as_str(), encoding), ("time,v\n", TextEncoding::Utf8Bom));
        assert!(matches!(decode(vec![], Path::new("x")), Err(CoreError::Empty { .. })));
        assert!(matches!(
            decode(b"ab\x00cd".to_vec(), Path::new("x")),
            Err(CoreError::Encoding { offset: 2, .. })
        ));
        // 0xFF never starts a cp949 sequence.
        assert!(matches!(
            decode(b"time,v\n\xFF\xFF".to_vec(), Path::new("x")),
            Err(CoreError::Encoding { .. })
        ));
        // An Italian export saved by Excel in Windows-1252: `à` before a comma and `³` before a
        // slash are no cp949 pairs, and each high byte stands alone.
        let (text, encoding) = decode(
            b"Data,Qualit\xE0,Portata (m\xB3/h)\n01/02/2021 00:00,1,2\n".to_vec(),
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(encoding, TextEncoding::Windows1252);
        assert!(text.starts_with("Data,Qualità,Portata (m³/h)\n"), "{text}");
        // A cp949 file cut inside its last character stays an encoding error at the cut: its
        // Korean comes in pairs of high bytes.
        let (whole, _, _) = encoding_rs::EUC_KR.encode("저장시간,장명(배) 유입유량 순시\n2020/01/01 0:00,330\n장");
        let cut = whole[..whole.len() - 1].to_vec();
        let at = cut.len() - 1;
        assert!(matches!(decode(cut, Path::new("x")), Err(CoreError::Encoding { offset, .. }) if offset == at));
        // `°C` in Windows-1252 is B0 43, also a cp949 pair: found as cp949 (garbled), read right
        // when the engineer says the encoding.
        let celsius = b"time,Temp (\xB0C)\n2021-01-01 00:00,1\n".to_vec();
        let (_, found) = decode(celsius.clone(), Path::new("x")).unwrap();
        assert_eq!(found, TextEncoding::Cp949);
        let (text, given) = decode_as(celsius, Path::new("x"), Some(TextEncoding::Windows1252)).unwrap();
        assert_eq!(
            (text.lines().next(), given),
            (Some("time,Temp (°C)"), TextEncoding::Windows1252)
        );
        // A cp949 file said to be UTF-8: the first byte that UTF-8 does not allow, by name.
        let (korean, _, _) = encoding_rs::EUC_KR.encode("time,유량\n2021-01-01 00:00,1\n");
        let error = decode_as(korean.into_owned(), Path::new("x"), Some(TextEncoding::Utf8)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "x: byte 5 is not valid UTF-8 (--encoding UTF-8); leave --encoding out and flow finds the encoding"
        );
        for (name, encoding) in [
            ("UTF8", TextEncoding::Utf8),
            ("euc-kr", TextEncoding::Cp949),
            ("Latin1", TextEncoding::Windows1252),
            ("windows_1252", TextEncoding::Windows1252),
        ] {
            assert_eq!(name.parse::<TextEncoding>().unwrap(), encoding, "{name}");
        }
        assert!(matches!(
            "ascii".parse::<TextEncoding>(),
            Err(CoreError::UnknownEncoding { .. })
        ));
        // Workbooks and compressed files are named for what they are.
        for (bytes, what) in [
            (&b"PK\x03\x04\x14\x00"[..], "an Excel workbook (.xlsx)"),
            (
                &b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00"[..],
                "an Excel 97–2003 workbook (.xls)",
            ),
            (&b"\x1F\x8B\x08\x00"[..], "a gzip-compressed file"),
        ] {
            let error = decode(bytes.to_vec(), Path::new("x")).unwrap_err().to_string();
            assert!(error.starts_with(&format!("x: {what}")), "{error}");
        }
    }

    /// UTF-16 as Excel's "Unicode text" writes it (little-endian, marked), big-endian unmarked,
    /// and one cut inside a character, named by its byte.
    #[test]
    fn utf16_text_is_decoded() {
        let text = "시간\t유량\r\n2022-01-03 00:00\t5\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let be: Vec<u8> = "time\tflow\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let path = Path::new("t.txt");
        assert_eq!(
            decode(le.clone(), path).unwrap(),
            (text.to_string(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            decode(be, path).unwrap(),
            ("time\tflow\n".to_string(), TextEncoding::Utf16Be)
        );
        let cut = le[..le.len() - 1].to_vec();
        // The cut character's one byte is the file's last: at `le.len() - 2`.
        let got = decode(cut, path);
        assert!(
            matches!(got, Err(CoreError::NotUtf16 { offset, .. }) if offset == le.len() - 2),
            "{got:?} of {} bytes",
            le.len()
        );
        assert_eq!("utf-16".parse::<TextEncoding>().unwrap(), TextEncoding::Utf16Le);
    }
}
