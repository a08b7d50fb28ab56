//! Ingest and preprocessing never panic, whatever the bytes: every input ends in a value or an error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::path::Path;

use flowcore::{preprocess, Check, Export, PreprocessConfig, Selector};
use proptest::prelude::*;

fn ingest(bytes: Vec<u8>) {
    let Ok(export) = Export::from_bytes(bytes, Path::new("fuzz.csv")) else {
        return;
    };
    for selector in [
        Selector::Only,
        Selector::Column("value"),
        Selector::Site(&flowcore::SITES[0]),
    ] {
        if let Ok(read) = export.series(selector) {
            assert_eq!(read.series.timestamps.len(), read.series.values.len());
            assert!(read.series.timestamps.windows(2).all(|w| w[0] < w[1]));
            let _ = preprocess(&read.series, &PreprocessConfig::default().check().unwrap());
        }
    }
}

/// Lines that look like an export: timestamps, numbers, faults, quotes, commas and junk.
fn csv_like() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        Just(String::new()),
        Just("-".to_string()),
        Just("#N/A".to_string()),
        Just("\"1,5\"".to_string()),
        // Meters' names, as a row-per-meter export writes them beside the time.
        Just("FIT-1".to_string()),
        Just("DMA 2".to_string()),
        Just("2021/01/01 0:00".to_string()),
        (-1e6f64..1e6).prop_map(|v| v.to_string()),
        // Numbers with a unit after them, or a quality word.
        (-1e4f64..1e4, 0usize..5).prop_map(|(v, u)| format!("{v:.2} {}", ["m3/h", "㎥/h", "L/s", "bar", "Bad"][u])),
        (2019i32..2022, 1u32..13, 1u32..32, 0u32..25, 0u32..61)
            .prop_map(|(y, m, d, h, n)| format!("{y}/{m:02}/{d:02} {h}:{n:02}")),
        // Forms systems write: month names, compact digits, weekdays, zones, hours in units.
        (1u32..32, 0usize..12, 2019i32..2022, 0u32..25).prop_map(|(d, m, y, h)| {
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            format!("{d:02}-{}-{y} {h:02}:00:00", MONTHS[m])
        }),
        (2019i32..2022, 1u32..13, 1u32..32, 0u32..25).prop_map(|(y, m, d, h)| format!("{y}{m:02}{d:02}{h:02}00")),
        (2019i32..2022, 1u32..13, 1u32..32, 0u32..25).prop_map(|(y, m, d, h)| format!("{y}-{m:02}-{d:02}(월) {h}시")),
        (2019i32..2022, 1u32..13, 1u32..32, 0u32..25)
            .prop_map(|(y, m, d, h)| format!("{y}-{m:02}-{d:02} {h:02}:00 CEST")),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ];
    let row = prop::collection::vec(cell, 0..5).prop_map(|cells| cells.join(","));
    let header = prop_oneof![
        Just("저장시간,장명(배) 유입유량 순시".to_string()),
        Just("time,value".to_string()),
        "[a-z,]{0,12}"
    ];
    (header, prop::collection::vec(row, 0..40)).prop_map(|(header, rows)| format!("{header}\n{}", rows.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        ingest(bytes);
    }

    #[test]
    fn export_shaped_text_never_panics(text in csv_like(), encoding in 0u8..4) {
        let bytes = match encoding {
            0 => encoding_rs::EUC_KR.encode(&text).0.into_owned(),
            // Columns lined up by spaces instead of commas (a fixed-width export).
            3 => text.replace(',', "   ").into_bytes(),
            // Excel's Unicode text: UTF-16LE with its mark.
            1 => [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
            _ => text.into_bytes(),
        };
        ingest(bytes);
    }

    /// Two export-shaped files read as one export (their columns differing, their times
    /// overlapping, one of them empty) end in a value or an error.
    #[test]
    fn two_files_read_as_one_never_panic(first in csv_like(), second in csv_like()) {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<std::path::PathBuf> = [first, second]
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let path = dir.path().join(format!("{i}.csv"));
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let clock = flowcore::clock::ClockSettings::default().check().unwrap();
        if let Ok(export) = Export::open_all(&[dir.path().to_path_buf()], clock.clone(), None) {
            let _ = export.columns_without_numbers();
            for column in export.value_columns() {
                if let Ok(read) = export.series(Selector::Column(column)) {
                    assert!(read.series.timestamps.windows(2).all(|w| w[0] < w[1]));
                }
            }
        }
        let _ = Export::open_all(&paths, clock, None);
    }

    /// Bytes marked as UTF-16 (odd lengths, lone surrogates) end in a value or an error too.
    #[test]
    fn utf16_marked_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), big in any::<bool>()) {
        let mark: [u8; 2] = if big { [0xFE, 0xFF] } else { [0xFF, 0xFE] };
        ingest(mark.into_iter().chain(bytes).collect());
    }
}
