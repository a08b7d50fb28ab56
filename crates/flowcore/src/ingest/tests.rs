use super::*;
use crate::sites::find_site;

/// A cell of a one-file export, for a message.
fn cell_at(line: usize, text: &str) -> Option<CellAt> {
    Some(CellAt {
        file: None,
        line,
        text: text.to_string(),
    })
}

fn export(text: &[u8]) -> Result<Export> {
    Export::from_bytes(text.to_vec(), Path::new("test.csv"))
}

/// The `flow` column of `text`, its local clock that of `zone` when given.
fn read_in_zone(text: &[u8], zone: Option<&str>) -> Ingested {
    let clock = ClockSettings {
        zone: zone.map(str::to_string),
        ..ClockSettings::default()
    }
    .check()
    .unwrap();
    Export::from_bytes_with(text.to_vec(), Path::new("t.csv"), clock)
        .unwrap()
        .series(Selector::Column("flow"))
        .unwrap()
}

/// A SCADA logger whose clock wanders ±40 s around the hour reads as the same hourly series
/// as its clean twin, with the move said; before, its interval was taken for a minute, and a
/// quarter of its hours were empty buckets.
#[test]
fn a_file_from_a_wandering_clock_reads_like_its_clean_twin() {
    let jitter = [0, 38, -25, 12, -40, 3, 0, -7, 29, -33];
    let (mut clean, mut wandering) = (String::from("time,flow\n"), String::from("time,flow\n"));
    for hour in 0..72 {
        let at = crate::time::parse_timestamp("2022-03-01").unwrap() + hour * 3_600;
        let value = 10.0 + (hour % 24) as f64;
        clean.push_str(&format!("{},{value}\n", crate::time::format_timestamp(at)));
        let off = at + jitter[hour as usize % jitter.len()];
        wandering.push_str(&format!("{},{value}\n", crate::time::format_timestamp(off)));
    }
    let read = |text: &str| {
        export(text.as_bytes())
            .unwrap()
            .series(Selector::Column("flow"))
            .unwrap()
    };
    let (clean, wandering) = (read(&clean), read(&wandering));
    assert_eq!(wandering.series, clean.series);
    assert_eq!(wandering.series.interval, Interval::HOURLY);
    // Of each ten hours, two are on the hour (offsets 0): 72 − 8 − 7 = 57 moved.
    assert_eq!(wandering.report.snapped.moved, 57);
    assert_eq!(wandering.report.snapped.largest_seconds, 40);
    assert_eq!(clean.report.snapped, SnapReport::default());
}

/// SCADA report exports put a title and the export time above the table and units under its
/// header: the table is found (the same series as the bare file), what was skipped is kept for
/// the message, and a bad cell is still named by its line in the file.
#[test]
fn a_title_above_the_header_and_units_under_it_are_skipped() {
    let rows = "2022-01-03 00:00,5.5\n2022-01-03 01:00,6.0\n2022-01-03 02:00,7.5\n";
    let bare = export(format!("time,flow\n{rows}").as_bytes()).unwrap();
    let report =
        format!("장명 배수지 유량 보고서\n출력일시,2022-03-14 09:00\n\ntime,flow\n,m3/h\n{rows}2022-01-03 03:00,-\n");
    let titled = export(report.as_bytes()).unwrap();
    assert_eq!(
        titled.skipped_lines(),
        &SkippedLines {
            header_line: 4,
            names_given: None,
            above: vec![
                "장명 배수지 유량 보고서".to_string(),
                "출력일시,2022-03-14 09:00".to_string()
            ],
            below: vec![(5, ",m3/h".to_string())],
            hours_across: None,
            space_aligned: None,
            tags_in_rows: None,
        }
    );
    let (bare, titled) = (
        bare.series(Selector::Column("flow")).unwrap(),
        titled.series(Selector::Column("flow")).unwrap(),
    );
    assert_eq!(titled.series.values[..3], bare.series.values[..]);
    assert_eq!(titled.report.rows_read, 4);
    assert_eq!(titled.report.first_non_numeric, cell_at(9, "-"));
    // A bad time is named by its line in the file too.
    let bad = export(b"Title\ntime,flow\n2022-01-03 00:00,1\n2022-01-03 01:00,2\n2022-13-03 02:00,3\n").unwrap();
    let error = bad.series(Selector::Column("flow")).unwrap_err();
    assert!(matches!(&error, CoreError::BadTimestamp { line: 5, .. }), "{error}");
}

/// A daily report's subtotal between days and its totals at the end are not readings: skipped,
/// counted, the first named by its line; a file of labels only still names its first cell.
#[test]
fn summary_rows_are_skipped_and_counted() {
    let text = "time,flow\n2022-01-03 00:00,5\n2022-01-03 12:00,7\n소계,12\n2022-01-04 00:00,6\n합계,18\nAverage,6\n";
    let read = export(text.as_bytes())
        .unwrap()
        .series(Selector::Column("flow"))
        .unwrap();
    assert_eq!(read.series.values, [5.0, 7.0, 6.0]);
    assert_eq!(read.report.rows_read, 3);
    assert_eq!(read.report.label_rows, 3);
    assert_eq!(read.report.first_label_row, cell_at(4, "소계"));
    let words = export(b"time,flow\nfirst of May,1\nsecond of May,2\n").unwrap();
    let error = words.series(Selector::Column("flow")).unwrap_err();
    assert!(
        matches!(&error, CoreError::BadTimestamp { line: 2, text, .. } if text == "first of May"),
        "{error}"
    );
}

/// Dates and times of day in two columns, as Korean daily reports (`날짜,시간`, with a
/// subtotal row a day) and European spreadsheets (`Data;Ora;Portata`, day-first, decimal
/// commas) write them: read together, the same series as one time column. Before, `시간` was
/// taken for the time and refused (`00:00` is no timestamp), and in `date,time` the date
/// column was: every reading of a day at midnight, the last one kept.
#[test]
fn dates_and_times_of_day_in_two_columns_are_read_together() {
    let one = export(b"time,flow\n2022-01-13 00:00,5\n2022-01-13 01:00,6\n2022-01-13 13:00,7\n2022-01-14 00:00,8\n")
        .unwrap()
        .series(Selector::Column("flow"))
        .unwrap();
    let korean = export(
        "날짜,시간,유량\n2022-01-13,00:00,5\n2022-01-13,01:00,6\n2022-01-13,오후 1:00:00,7\n2022-01-13,소계,18\n2022-01-14,00:00,8\n"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(korean.date_and_time_columns(), Some(("날짜", "시간")));
    assert_eq!(korean.value_columns(), ["유량"]);
    let korean = korean.series(Selector::Only).unwrap();
    assert_eq!(korean.series, one.series);
    assert_eq!(korean.report.first_label_row, cell_at(5, "소계"));
    // A report numbering its hours to 24:00, the end of the day.
    let to_24 = export(b"date,hour,flow\n2022-01-13,24:00,8\n2022-01-13,01:00,6\n").unwrap();
    assert_eq!(to_24.date_and_time_columns(), Some(("date", "hour")));
    let to_24 = to_24.series(Selector::Column("flow")).unwrap();
    assert_eq!(to_24.series.timestamps[1], one.series.timestamps[3]);
    let italian =
        export(b"Data;Ora;Portata\n13/01/2022;00:00;5,0\n13/01/2022;01:00;6\n13/01/2022;13:00;7\n14/01/2022;00:00;8\n")
            .unwrap()
            .series(Selector::Column("Portata"))
            .unwrap();
    assert_eq!(italian.series, one.series);
    // A date with its time left blank is named, not read as midnight.
    let blank = export(b"date,time,flow\n2022-01-13,00:00,5\n2022-01-13,,6\n").unwrap();
    let error = blank.series(Selector::Column("flow")).unwrap_err();
    assert!(matches!(&error, CoreError::BadTimestamp { line: 3, .. }), "{error}");
    // A daily file whose other column holds a time of day under a header that is not a time's
    // (a peak's time, beside the date or not) keeps its date alone.
    let daily = export(b"date,flow,peak,peak time\n2022-01-13,5,9,14:35\n2022-01-14,6,8,15:10\n").unwrap();
    assert_eq!(daily.date_and_time_columns(), None);
    let peak = export(b"Date,Peak time,Flow\n2022-01-13,14:35,9\n").unwrap();
    assert_eq!(peak.date_and_time_columns(), None);
    let beside = export(b"Date,Time (KST),flow\n2022-01-13,14:35,9\n").unwrap();
    assert_eq!(beside.date_and_time_columns(), Some(("Date", "Time (KST)")));
}

/// A Korean daily report (일보): a day a row, 1시 to 24시 across, a total column and a total
/// row. Read as one hourly column, 24시 being the next midnight: the same series as the file
/// written a reading a line. A bad cell is named by the report's line.
#[test]
fn a_report_with_its_hours_across_is_read_an_hour_a_line() {
    let hours: Vec<String> = (1..=24).map(|h| format!("{h}시")).collect();
    let day = |date: &str, base: usize| {
        // A daily cycle: up and down, as flow goes (a rise every hour would be a register).
        let cells: Vec<String> = (1..=24).map(|h| (base + h * 7 % 24).to_string()).collect();
        format!(
            "{date},{},{}\n",
            cells.join(","),
            (1..=24).map(|h| base + h * 7 % 24).sum::<usize>()
        )
    };
    let report = format!(
        "장명 유량 일보\n일자,{},합계\n{}{}합계,{},9999\n",
        hours.join(","),
        day("2022-01-03", 100),
        day("2022-01-04", 200),
        vec![""; 24].join(",")
    );
    let mut long = String::from("time,flow\n");
    for (date, base) in [("2022-01-03", 100), ("2022-01-04", 200)] {
        let start = crate::time::parse_timestamp(date).unwrap();
        for h in 1..=24 {
            let value = base + h as usize * 7 % 24;
            long.push_str(&format!(
                "{},{value}\n",
                crate::time::format_timestamp(start + h * 3_600)
            ));
        }
    }
    let read = export(report.as_bytes()).unwrap();
    let across = read.skipped_lines().hours_across.clone().unwrap();
    assert_eq!(
        (across.hours, across.first_hour.as_str(), across.last_hour.as_str()),
        (24, "1시", "24시")
    );
    assert_eq!(
        (across.other_columns, across.summary_rows),
        (vec!["합계".to_string()], 1)
    );
    let series = read.series(Selector::Only).unwrap();
    let expected = export(long.as_bytes()).unwrap().series(Selector::Only).unwrap();
    assert_eq!(series.series, expected.series);
    assert_eq!(series.report.rows_read, 48);
    let bad = report.replace("2022-01-04,", "2022-13-04,");
    let error = export(bad.as_bytes()).unwrap().series(Selector::Only).unwrap_err();
    assert!(matches!(&error, CoreError::BadTimestamp { line: 4, .. }), "{error}");
    // Fewer than twelve hour columns: an ordinary table.
    let few = export(b"date,1h,2h,3h\n2022-01-03,1,2,3\n").unwrap();
    assert!(few.skipped_lines().hours_across.is_none());
    // Fourteen meters under their tag numbers, read daily: no hours, unlike a day of `1`…`24`.
    let tags: Vec<String> = (1..=14).map(|k| k.to_string()).collect();
    let meters = export(format!("date,{}\n2022-01-03,{}\n", tags.join(","), tags.join(",")).as_bytes()).unwrap();
    assert!(meters.skipped_lines().hours_across.is_none());
    assert_eq!(meters.value_columns().len(), 14);
    let day: Vec<String> = (1..=24).map(|k| k.to_string()).collect();
    let bare = export(format!("date,{}\n2022-01-03,{}\n", day.join(","), day.join(",")).as_bytes()).unwrap();
    assert_eq!(bare.skipped_lines().hours_across.as_ref().map(|a| a.hours), Some(24));
}

/// A logger's dump with no header: read with names given, no reading lost; a malformed row
/// further down is not taken for a header (the rows above it are shaped like readings).
#[test]
fn a_file_without_a_header_is_read_from_its_first_line() {
    let text = b"2022-01-03 00:00,5.5\n2022-01-03 01:00,6.0\n2022-13-03 02:00,7.5\n2022-01-03 03:00,8\n";
    let read = export(text).unwrap();
    assert_eq!(read.skipped_lines().names_given.as_deref(), Some("time,column 2"));
    assert_eq!(read.value_columns(), ["column 2"]);
    let error = read.series(Selector::Only).unwrap_err();
    assert!(matches!(&error, CoreError::BadTimestamp { line: 3, .. }), "{error}");
    let good = export(b"2022-01-03 00:00;5,5\n2022-01-03 01:00;6,0\n").unwrap();
    assert_eq!(good.series(Selector::Only).unwrap().series.values, [5.5, 6.0]);
}

/// A historian's export in seconds since 1970 across the autumn change, with the zone: read as
/// the same readings written on Rome's clock (the two 02:00 readings averaged). Without a zone
/// it is on the UTC clock, and the report says so.
#[test]
fn epoch_seconds_read_like_the_local_clock() {
    // 2022-10-29 23:00 UTC is 01:00 CEST; then 02:00 CEST, 02:00 CET, 03:00 CET.
    let epoch = b"time,flow\n1667084400,1\n1667088000,2\n1667091600,4\n1667095200,5\n";
    let local = b"time,flow\n2022-10-30 01:00,1\n2022-10-30 02:00,2\n2022-10-30 02:00,4\n2022-10-30 03:00,5\n";
    let (from_epoch, as_local) = (
        read_in_zone(epoch, Some("Europe/Rome")),
        read_in_zone(local, Some("Europe/Rome")),
    );
    assert_eq!(from_epoch.series, as_local.series);
    assert!(!from_epoch.report.utc_clock);
    let utc = read_in_zone(epoch, None);
    assert!(utc.report.utc_clock);
    assert_eq!(
        utc.series.timestamps[0],
        crate::time::parse_timestamp("2022-10-29 23:00").unwrap()
    );
}

/// A historian's export in UTC offsets across the autumn change (Rome: 03:00 CEST → 02:00 CET,
/// so 02:00 is shown twice): with the zone, read exactly as the same readings written on the
/// local clock; without one, at each cell's own wall time. InfluxDB's `_time` is a time column.
#[test]
fn times_with_utc_offsets_read_like_the_local_clock() {
    let offsets = b"_time,flow\n2022-10-30T01:00:00+02:00,1\n2022-10-30T02:00:00+02:00,2\n\
2022-10-30T02:00:00+01:00,4\n2022-10-30T03:00:00+01:00,5\n";
    let local = b"time,flow\n2022-10-30 01:00,1\n2022-10-30 02:00,2\n2022-10-30 02:00,4\n2022-10-30 03:00,5\n";
    let (with_offsets, as_local) = (
        read_in_zone(offsets, Some("Europe/Rome")),
        read_in_zone(local, Some("Europe/Rome")),
    );
    assert_eq!(with_offsets.series, as_local.series);
    assert_eq!(
        with_offsets.series.values,
        [1.0, 3.0, 5.0],
        "the two 02:00 readings averaged"
    );
    assert_eq!(
        with_offsets.report.repeated_local_times,
        as_local.report.repeated_local_times
    );
    assert_eq!(with_offsets.report.time_format, "ISO 8601 with UTC offsets");
    // The same instants written in UTC, on the clock of Rome.
    let utc =
        b"_time,flow\n2022-10-29T23:00:00Z,1\n2022-10-30T00:00:00Z,2\n2022-10-30T01:00:00Z,4\n2022-10-30T02:00:00Z,5\n";
    assert_eq!(read_in_zone(utc, Some("Europe/Rome")).series, as_local.series);
    // No zone: each cell's wall time, and a second reading at one time replaces the first.
    let own = read_in_zone(offsets, None);
    assert_eq!(own.series.values, [1.0, 4.0, 5.0]);
    assert_eq!(own.report.duplicate_timestamps, 1);
}

/// Korean Excel saves times as it shows them, `2021-01-04 오후 3:00:00`: read as the same
/// readings on a 24-hour clock, with no header naming the time column.
#[test]
fn korean_twelve_hour_times_read_as_24_hour_ones() {
    let mut twelve = String::from("일자,유량\n");
    let mut plain = String::from("time,유량\n");
    for hour in 0..24 {
        let (marker, shown) = match hour {
            0 => ("오전", 12),
            1..=11 => ("오전", hour),
            12 => ("오후", 12),
            _ => ("오후", hour - 12),
        };
        twelve.push_str(&format!("2021-01-04 {marker} {shown}:00:00,{}\n", 100 + hour));
        plain.push_str(&format!("2021-01-04 {hour:02}:00:00,{}\n", 100 + hour));
    }
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(&twelve);
    let read = |bytes: &[u8]| export(bytes).unwrap().series(Selector::Column("유량")).unwrap().series;
    assert_eq!(read(&bytes), read(plain.as_bytes()));
}

#[test]
fn repeated_and_blank_headers_get_names_of_their_own() {
    let text = b"time,DMA 1, DMA 1 ,,column 4,DMA 1\n2021-01-01 00:00,1,2,3,4,5\n2021-01-01 01:00,1,,3,4,5\n";
    let export = export(text).unwrap();
    assert_eq!(
        export.value_columns(),
        ["DMA 1", "DMA 1 #3", "column 4", "column 4 #5", "DMA 1 #6"]
    );
    let said: Vec<String> = export.renamed_headers().iter().map(ToString::to_string).collect();
    assert_eq!(
        said,
        [
            "column 3 repeats the header `DMA 1`: read as `DMA 1 #3`",
            "column 4 has no header: read as `column 4`",
            "column 5 repeats the header `column 4`: read as `column 4 #5`",
            "column 6 repeats the header `DMA 1`: read as `DMA 1 #6`",
        ]
    );
    // Each name reads its own column: the second `DMA 1` has a blank in its second row.
    let read = |name: &str| export.series(Selector::Column(name)).unwrap().series.values;
    assert_eq!(read("DMA 1"), [1.0, 1.0]);
    assert!(read("DMA 1 #3")[1].is_nan());
    assert_eq!(read("DMA 1 #6"), [5.0, 5.0]);
    assert_eq!(read("column 4 #5"), [4.0, 4.0]);
}

#[test]
fn reads_day_first_local_time_with_its_daylight_saving_hours() {
    // The source's own header and day-first times; CET in the header names the clock.
    let text = "Date-time CET-CEST (DD/MM/YYYY HH:mm),DMA 1 (L/s)\n\
        28/03/2021 01:00,4.0\n28/03/2021 03:00,5.0\n\
        31/10/2021 01:00,6.0\n31/10/2021 02:00,6.5\n31/10/2021 02:00,7.5\n31/10/2021 03:00,8.0\n";
    let read = export(text.as_bytes()).unwrap().series(Selector::Only).unwrap();
    let report = &read.report;
    assert_eq!(report.time_format, "%d/%m/%Y %H:%M");
    assert_eq!(report.time_zone.as_deref(), Some("CET"));
    let autumn = crate::time::parse_timestamp("2021-10-31 02:00").unwrap();
    let spring = crate::time::parse_timestamp("2021-03-28 02:00").unwrap();
    assert_eq!(report.repeated_local_times, vec![autumn]);
    assert_eq!(report.duplicate_timestamps, 0);
    // Hourly steps: the spring hour is a gap the clock made; the gap of October is not.
    assert_eq!(report.skipped_local_times, vec![spring]);
    let at = |t: i64| read.series.values[read.series.timestamps.iter().position(|x| *x == t).unwrap()];
    assert_eq!(at(autumn), 7.0);
    assert_eq!(read.series.len(), 5);
}

#[test]
fn date_orders_need_evidence_or_a_flag() {
    use crate::clock::{ClockSettings, TimeFormat};
    let unclear = b"time,v\n01/02/2021 00:00,1\n02/02/2021 00:00,2\n".to_vec();
    let error = export(&unclear).unwrap().series(Selector::Only).unwrap_err();
    assert!(matches!(error, CoreError::AmbiguousDateOrder { .. }), "{error}");
    let settings = ClockSettings {
        format: TimeFormat::MonthFirst,
        zone: None,
    };
    let read = Export::from_bytes_with(unclear, Path::new("t.csv"), settings.check().unwrap())
        .unwrap()
        .series(Selector::Only)
        .unwrap();
    assert_eq!(crate::time::format_date(read.series.timestamps[0]), "2021-01-02");
    // A pattern that does not fit says so, with the line.
    let settings = ClockSettings {
        format: TimeFormat::Pattern("%Y%m%d %H%M".into()),
        zone: None,
    };
    let error = Export::from_bytes_with(
        b"time,v\n20210102 0000,1\n2021-01-02 01:00,2\n".to_vec(),
        Path::new("t.csv"),
        settings.check().unwrap(),
    )
    .unwrap()
    .series(Selector::Only)
    .unwrap_err();
    assert!(matches!(&error, CoreError::BadTimestamp { line: 3, .. }), "{error}");
}

#[test]
fn an_abbreviation_of_several_clocks_is_not_guessed() {
    use crate::clock::{ClockSettings, TimeFormat};
    // `CST`: Chicago (-06:00) or Shanghai (+08:00), fourteen hours apart.
    let cst = b"time,v\n2022-01-03 00:00 CST,1\n2022-01-03 01:00 CST,2\n".to_vec();
    let error = export(&cst).unwrap().series(Selector::Only).unwrap_err();
    assert!(
        matches!(&error, CoreError::AmbiguousZone { abbreviation, .. } if abbreviation == "CST"),
        "{error}"
    );
    assert!(error.to_string().contains("Asia/Shanghai"), "{error}");
    // The form it suggests, with the zone, reads the file.
    let settings = ClockSettings {
        format: TimeFormat::Pattern("%Y-%m-%d %H:%M CST".into()),
        zone: Some("Asia/Shanghai".into()),
    };
    let read = Export::from_bytes_with(cst, Path::new("t.csv"), settings.check().unwrap())
        .unwrap()
        .series(Selector::Only)
        .unwrap();
    assert_eq!(read.series.len(), 2);
    // `KST` is one clock: read as it is.
    let kst = b"time,v\n2022-01-03 00:00 KST,1\n2022-01-03 01:00 KST,2\n".to_vec();
    assert!(export(&kst).unwrap().series(Selector::Only).is_ok());
}

#[test]
fn reads_a_two_column_file_counting_bad_cells() {
    let data = b"time,value\n2020-01-01 0:02,3\n2020-01-01 0:00,1\n2020-01-01 0:01,-\n2020-01-01 0:01,2\n2020-01-01 0:03,\n2020-01-01 0:04,#N/A\n";
    let read = export(data)
        .unwrap()
        .series(Selector::Site(find_site("jangmyeong").unwrap()))
        .unwrap();
    assert_eq!(read.report.rows_read, 6);
    assert_eq!(read.report.blank_cells, 1);
    assert_eq!(read.report.non_numeric_cells, 2);
    assert_eq!(read.report.duplicate_timestamps, 1);
    assert!(read.report.reordered);
    assert_eq!(read.series.timestamps.len(), 5);
    assert_eq!(&read.series.values[..3], &[1.0, 2.0, 3.0]);
    assert!(read.series.values[3].is_nan() && read.series.values[4].is_nan());
    assert_eq!(read.series.interval, Interval::MINUTE);
}

#[test]
fn picks_the_site_column_from_a_wide_export() {
    let data =
        "저장시간,회룡(가) 유입유량 순시,장명(배) 유입유량 순시\n2020/01/01 0:00,94,330\n2020/01/01 0:01,95,331\n";
    let export = export(data.as_bytes()).unwrap();
    let read = export.series(Selector::Site(find_site("jangmyeong").unwrap())).unwrap();
    assert_eq!(read.series.values, vec![330.0, 331.0]);
    let read = export.series(Selector::Column("회룡(가) 유입유량 순시")).unwrap();
    assert_eq!(read.series.values, vec![94.0, 95.0]);
    let error = export
        .series(Selector::Site(find_site("naejang").unwrap()))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("columns in the file: 회룡(가) 유입유량 순시, 장명(배) 유입유량 순시"),
        "{error}"
    );
}

#[test]
fn bad_inputs_name_the_problem() {
    assert!(matches!(export(b"time,value\n"), Err(CoreError::NoDataRows { .. })));
    assert!(matches!(
        export(b"when,value\nyesterday,1\n"),
        Err(CoreError::NoTimeColumn { .. })
    ));
    let error = export(b"time,value\n2020-01-01 00:00,1\n2020-01-01 00:01,2\n\n2020-13-01 00:02,3\n")
        .unwrap()
        .series(Selector::Only)
        .unwrap_err();
    assert!(
        matches!(&error, CoreError::BadTimestamp { line: 5, text, .. } if text == "2020-13-01 00:02"),
        "{error}"
    );
    let error = export(b"time,value\n2020-01-01,-\n2020-01-02,\n")
        .unwrap()
        .series(Selector::Only)
        .unwrap_err();
    assert!(matches!(error, CoreError::AllMissing { rows: 2, .. }));
    assert!(
        error
            .to_string()
            .ends_with("in any of its 2 rows: 1 not a number (first: line 2 `-`)"),
        "{error}"
    );
    let error = export(b"time,value\n2020-01-01,\n2020-01-02,\n")
        .unwrap()
        .series(Selector::Only)
        .unwrap_err();
    assert!(error.to_string().ends_with("in any of its 2 rows"), "{error}");
    // A column of a historian's fill value is numbers, and the line says which kind of cell.
    let error = export(b"time,value\n2020-01-01,9.9e+200\n2020-01-02,-9.9E200\n2020-01-03,Bad\n")
        .unwrap()
        .series(Selector::Only)
        .unwrap_err();
    assert!(
        error.to_string().ends_with(
            "in any of its 3 rows: 2 beyond ±1e12, taken as data errors (first: line 2 `9.9e+200`); \
             1 not a number (first: line 4 `Bad`)"
        ),
        "{error}"
    );
}

#[test]
fn a_semicolon_export_with_decimal_commas_is_read_like_its_comma_twin() {
    let comma = "Data ora (DD/MM/YYYY HH:mm),DMA 1 (l/s),DMA 2 (l/s)\n31/10/2022 00:00,5.36,1.5\n31/10/2022 01:00,,2\n31/10/2022 02:00,-0.25,1234.5\n";
    let semicolon = "Data ora (DD/MM/YYYY HH:mm);DMA 1 (l/s);DMA 2 (l/s)\n31/10/2022 00:00;5,36;1,5\n31/10/2022 01:00;;2\n31/10/2022 02:00;-0,25;1.234,5\n";
    let read = |text: &str, column: &str| {
        export(text.as_bytes())
            .unwrap()
            .series(Selector::Column(column))
            .unwrap()
    };
    for column in ["DMA 1 (l/s)", "DMA 2 (l/s)"] {
        let (a, b) = (read(comma, column), read(semicolon, column));
        assert_eq!(a.series.timestamps, b.series.timestamps);
        assert_eq!(format!("{:?}", a.series.values), format!("{:?}", b.series.values));
    }
    assert_eq!(
        export(semicolon.as_bytes()).unwrap().value_columns(),
        ["DMA 1 (l/s)", "DMA 2 (l/s)"]
    );
    assert_eq!(read(semicolon, "DMA 1 (l/s)").report.decimal_comma_cells, 2);
    assert_eq!(read(semicolon, "DMA 2 (l/s)").report.decimal_comma_cells, 2);
}

/// `files` (name, text) written into a new folder; the folder.
fn folder_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn open_all(paths: &[PathBuf]) -> Result<Export> {
    Export::open_all(paths, ClockSettings::default().check().unwrap(), None)
}

/// Hand-checked: three monthly files in a folder, the first with a title above its header
/// and its columns in another order, each holding the next month's first midnight as well
/// (as SCADA month exports often do), with a summary workbook and a hidden file beside them.
/// Read in time order whatever the names' order; where two files hold a time, the later
/// file's number wins; a bad cell is named by its file.
#[test]
fn the_files_of_a_folder_are_read_as_one_export() {
    let dir = folder_of(&[
        (
            "2022-01.csv",
            "장명 배수지\ntime,b,a\n2022-01-31 23:00,9,1\n2022-02-01 00:00,9,2\n",
        ),
        (
            "2022-02.csv",
            "time,a,b\n2022-02-01 00:00,20,9\n2022-02-01 01:00,-,9\n2022-03-01 00:00,3,9\n",
        ),
        ("2022-03.csv", "time,a,b\n2022-03-01 00:00,,9\n2022-03-01 01:00,4,9\n"),
        ("summary.xlsx", "not an export"),
        (".~lock.2022-03.csv#", "a spreadsheet's lock file"),
    ]);
    let export = open_all(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(export.paths().count(), 3);
    assert_eq!(export.left_aside(), [dir.path().join("summary.xlsx")]);
    assert!(export.describe().starts_with("3 files, "), "{}", export.describe());
    let read = export.series(Selector::Column("a")).unwrap();
    let hours: Vec<String> = read
        .series
        .timestamps
        .iter()
        .map(|t| crate::time::format_timestamp(*t)[..16].to_string())
        .collect();
    // Hourly from 2022-01-31 23:00 to 2022-03-01 01:00; the gap between is missing readings.
    assert_eq!(hours.first().map(String::as_str), Some("2022-01-31 23:00"));
    assert_eq!(hours.last().map(String::as_str), Some("2022-03-01 01:00"));
    let at = |time: &str| {
        let t = parse_timestamp(time).unwrap();
        let i = read.series.timestamps.iter().position(|&s| s == t).unwrap();
        read.series.values[i]
    };
    assert_eq!(at("2022-01-31 23:00"), 1.0);
    assert_eq!(at("2022-02-01 00:00"), 20.0, "the later file's number wins");
    assert!(at("2022-02-01 01:00").is_nan());
    assert_eq!(at("2022-03-01 00:00"), 3.0, "a blank does not overwrite a number");
    assert_eq!(at("2022-03-01 01:00"), 4.0);
    assert_eq!(read.report.rows_read, 7);
    assert_eq!(read.report.files, 3);
    assert_eq!(read.report.duplicate_timestamps, 2);
    // 2022-02-01 00:00: 2 then 20; 2022-03-01 00:00: 3 then a blank, which changes nothing.
    assert_eq!(read.report.duplicates_differing, 1);
    assert_eq!(read.report.blank_cells, 1);
    assert_eq!(
        read.report.first_non_numeric,
        Some(CellAt {
            file: Some(dir.path().join("2022-02.csv")),
            line: 3,
            text: "-".to_string()
        })
    );
    // The same files named one by one, in any order, one of them twice: the same readings.
    let named: Vec<PathBuf> = ["2022-03.csv", "2022-01.csv", "2022-02.csv", "2022-01.csv"]
        .iter()
        .map(|name| dir.path().join(name))
        .collect();
    let again = open_all(&named).unwrap();
    assert_eq!(again.paths().count(), 3);
    let again = again.series(Selector::Column("a")).unwrap();
    assert_eq!(again.series.timestamps, read.series.timestamps);
    // Named in this order, 2022-02.csv is the later file for 2022-03-01 00:00's blank and 3.
    assert_eq!(again.report.duplicate_timestamps, 2);
}

/// Hand-checked: a meter added in February (`DMA 3`) and one removed (`DMA 2`): every column
/// is read, a file without it a gap.
#[test]
fn a_meter_added_or_removed_during_the_year_is_read_where_it_is() {
    let dir = folder_of(&[
        (
            "a.csv",
            "time,DMA 1,DMA 2\n2022-01-31 22:00,1,2\n2022-01-31 23:00,1.5,2.5\n",
        ),
        (
            "b.csv",
            "time,DMA 3,DMA 1\n2022-02-01 00:00,30,1\n2022-02-01 01:00,31,1\n",
        ),
    ]);
    let export = open_all(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(export.value_columns(), ["DMA 1", "DMA 2", "DMA 3"]);
    assert_eq!(export.columns_not_in_every_file(), [("DMA 2", 1), ("DMA 3", 1)]);
    let three = export.series(Selector::Column("DMA 3")).unwrap();
    assert_eq!(three.series.values, [30.0, 31.0]);
    assert_eq!(three.report.files, 1);
    assert_eq!(
        export.series(Selector::Column("DMA 1")).unwrap().series.values,
        [1.0, 1.5, 1.0, 1.0]
    );
    assert_eq!(
        export.series(Selector::Column("DMA 2")).unwrap().series.values,
        [2.0, 2.5]
    );
}

#[test]
fn files_of_other_exports_or_no_export_are_refused_by_name() {
    let dir = folder_of(&[
        ("a.csv", "time,DMA 1,DMA 2\n2022-01-01 00:00,1,2\n"),
        ("b.csv", "time,DMA 7,DMA 8\n2022-02-01 00:00,1,2\n"),
    ]);
    let error = open_all(&[dir.path().to_path_buf()]).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "{}: its columns are not those of {}",
            dir.path().join("b.csv").display(),
            dir.path().join("a.csv").display()
        )),
        "{error}"
    );
    assert!(
        error.contains("(no value column in common: it has DMA 7, DMA 8; the files before it DMA 1, DMA 2)"),
        "{error}"
    );
    let empty = folder_of(&[("summary.xlsx", "x")]);
    let error = open_all(&[empty.path().to_path_buf()]).unwrap_err();
    assert!(
        matches!(error, CoreError::NoExportInFolder { ref others, .. } if others == "summary.xlsx"),
        "{error}"
    );
    assert!(matches!(open_all(&[]), Err(CoreError::NoInput)));
}

/// The month so far (1 to 10 April) leaves `01/04/2022` ambiguous; the month before shows the
/// export writes days first, so it is read so. Alone, it is refused as before.
#[test]
fn a_file_with_ambiguous_dates_takes_the_order_another_file_shows() {
    // A flow up one day and down the next (a steady rise would be read as a register).
    let march: String = (1..=31)
        .map(|d| format!("{d:02}/03/2022 12:00,{}\n", 10 + d % 2))
        .collect();
    let april: String = (1..=10)
        .map(|d| format!("{d:02}/04/2022 12:00,{}\n", 100 + d))
        .collect();
    let dir = folder_of(&[
        ("2022-03.csv", &format!("Data,flow\n{march}")),
        ("2022-04.csv", &format!("Data,flow\n{april}")),
    ]);
    let read = open_all(&[dir.path().to_path_buf()])
        .unwrap()
        .series(Selector::Column("flow"))
        .unwrap();
    assert_eq!(read.series.timestamps.len(), 41);
    assert_eq!(read.series.timestamps[31], parse_timestamp("2022-04-01 12:00").unwrap());
    assert_eq!(read.series.values[40], 110.0);
    let alone = open_all(&[dir.path().join("2022-04.csv")])
        .unwrap()
        .series(Selector::Column("flow"));
    assert!(matches!(alone, Err(CoreError::AmbiguousDateOrder { .. })), "{alone:?}");
}

/// Rome's autumn change written with the abbreviations (`02:00 CEST`, `02:00 CET`) reads as
/// the local file on the CET clock: the repeated hour's two readings averaged, the zone found
/// in the cells. Before, `… CEST` was not a time.
#[test]
fn times_with_zone_abbreviations_read_as_the_local_clock() {
    let local = read_in_zone(
        b"time,flow\n2022-10-30 01:00,2\n2022-10-30 02:00,3\n2022-10-30 02:00,5\n2022-10-30 03:00,6\n",
        Some("CET"),
    );
    let marked = read_in_zone(
        b"time,flow\n2022-10-30 01:00 CEST,2\n2022-10-30 02:00 CEST,3\n2022-10-30 02:00 CET,5\n2022-10-30 03:00 CET,6\n",
        None,
    );
    assert_eq!(marked.series.timestamps, local.series.timestamps);
    assert_eq!(marked.series.values, [2.0, 4.0, 6.0]);
    assert_eq!(marked.series.values, local.series.values);
    assert_eq!(marked.report.time_zone.as_deref(), Some("CET"));
    assert_eq!(marked.report.repeated_local_times, local.report.repeated_local_times);
}

/// An OSIsoft PI export: month names, and a time column whose header flow does not know,
/// found by its first cell. Before, the file had no time column.
#[test]
fn a_historian_export_with_month_names_is_read() {
    let read =
        export(b"PI time,FIT-101.PV\n03-Jan-2022 00:00:00,12.5\n03-Jan-2022 01:00:00,11\n03-Jan-2022 02:00:00,10.5\n")
            .unwrap()
            .series(Selector::Column("FIT-101.PV"))
            .unwrap();
    assert_eq!(read.series.timestamps[0], parse_timestamp("2022-01-03 00:00").unwrap());
    assert_eq!(read.series.values, [12.5, 11.0, 10.5]);
    assert_eq!(read.report.time_format, "%d-%b-%Y %H:%M:%S%.f");
}

/// Hand-checked: a separator ending every line, and a spreadsheet's spacer column, are not
/// columns; a blank-headed column with one number in it is; a quoted separator is inside a cell.
#[test]
fn columns_with_no_header_and_no_cell_are_not_columns() {
    let columns = |text: &str| {
        export(text.as_bytes())
            .unwrap()
            .value_columns()
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        columns("time,flow,\n2022-01-01 00:00,1,\n2022-01-01 01:00,2,\n"),
        ["flow"]
    );
    assert_eq!(
        columns("time,DMA 1,,DMA 2\n2022-01-01 00:00,1, ,2\n2022-01-01 01:00,\"1,5\",,3\n"),
        ["DMA 1", "DMA 2"]
    );
    assert_eq!(
        columns("time,DMA 1,,DMA 2\n2022-01-01 00:00,1,,2\n2022-01-01 01:00,1,7,3\n"),
        ["DMA 1", "column 3", "DMA 2"]
    );
    // A one-column file with a separator ending each line is a two-column file again.
    let read = export(b"time,flow,\n2022-01-01 00:00,1,\n2022-01-01 01:00,2,\n").unwrap();
    assert!(read.renamed_headers().is_empty());
    assert_eq!(read.series(Selector::Only).unwrap().series.values, [1.0, 2.0]);
}

/// Hand-checked: a status column, a comment column and a blank one have no number; a column
/// whose first cells are `-` and whose later one is a number has one, as does a `;` file's
/// decimal comma and a quoted thousands form.
#[test]
fn columns_without_numbers_are_found() {
    let text = "time,flow,status,note,late,blank,big\n2022-01-01 00:00,1,Good,,-,,\"1,234\"\n2022-01-01 01:00,2,Bad,\"valve, shut\",-,,5\n2022-01-01 02:00,3,Good,,7.5,,5\n";
    assert_eq!(
        export(text.as_bytes()).unwrap().columns_without_numbers(),
        ["status", "note", "blank"]
    );
    let semicolon = "time;flow;status\n2022-01-01 00:00;1,5;Good\n2022-01-01 01:00;2,5;Bad\n";
    assert_eq!(
        export(semicolon.as_bytes()).unwrap().columns_without_numbers(),
        ["status"]
    );
}

/// An export of a row per meter and time reads as a column per meter, and a bad cell is named
/// by its line in the file (not in the table made of it).
#[test]
fn a_row_per_meter_export_names_its_own_lines() {
    let long = "Report of 2022-01-03\nTimestamp,TagName,Value\n2022-01-03 00:00,A,1\n2022-01-03 00:00,B,2\n2022-01-03 01:00,A,-\n2022-01-03 01:00,B,4\n2022-01-03 02:00,A,5\n2022-01-03 02:00,B,6\n";
    let export = export(long.as_bytes()).unwrap();
    assert_eq!(export.value_columns(), ["A", "B"]);
    let a = export.series(Selector::Column("A")).unwrap();
    assert!(a.series.values[1].is_nan());
    assert_eq!(a.series.values[2], 5.0);
    assert_eq!(a.report.first_non_numeric, cell_at(5, "-"));
    assert_eq!(
        export.series(Selector::Column("B")).unwrap().series.values,
        [2.0, 4.0, 6.0]
    );
}

/// A time only in a field past the header's last (the header a lone quote, found by the fuzz
/// test) is no time column: refused in one line, not an index past the header.
#[test]
fn a_time_past_the_headers_fields_is_no_time_column() {
    let error = export(b"\n\"\n\"1,5\",2019/01/01 0:00").unwrap_err();
    assert!(matches!(error, CoreError::NoTimeColumn { .. }), "{error}");
}

/// A row with more fields than the header is read as the header's fields, and named: a value
/// written with an unquoted thousands separator reads as its first part (1 for `1,234.5`). A row
/// short of fields (its cell blank) and a separator ending a row are not long rows.
#[test]
fn rows_longer_than_the_header_are_counted_and_the_first_named() {
    let text = b"time,flow\n2022-01-03 00:00,5.5\n2022-01-03 01:00,1,234.5\n2022-01-03 02:00\n\
                 2022-01-03 03:00,6.0,\n2022-01-03 04:00,\"7,5\"\n2022-01-03 05:00,8,x\n";
    let read = export(text).unwrap().series(Selector::Only).unwrap();
    assert_eq!(read.report.long_rows, 2);
    let first = read.report.first_long_row.unwrap();
    assert_eq!((first.line, first.text.as_str()), (3, "2022-01-03 01:00,1,234.5"));
    // The readings as the header's fields give them: the long row's first part, the short row
    // blank, the quoted `"7,5"` read whole (a number with thousands grouping it is not: missing).
    let values: Vec<String> = read.series.values.iter().map(|v| format!("{v}")).collect();
    assert_eq!(values, ["5.5", "1", "NaN", "6", "NaN", "8"]);
    // A well-formed export has none.
    let plain = export(b"time,flow\n2022-01-03 00:00,5.5\n2022-01-03 01:00,6\n").unwrap();
    let read = plain.series(Selector::Only).unwrap();
    assert_eq!((read.report.long_rows, read.report.first_long_row), (0, None));
}

/// Columns said ahead (`read_ahead`) are read a batch a pass over each file, where `series`
/// alone reads one: on every column of exports that exercise the per-file rules (a meter added
/// and one removed, a file whose dates only another file disambiguates, bad cells and duplicates
/// across files, the BWDF fixture's day-first local time with its daylight-saving hours, a
/// header of over 1,000 columns) each column reads exactly as alone, errors included, asked in
/// order, and from two threads, out of order and twice.
#[test]
fn columns_read_in_batches_read_as_each_alone() {
    // A copy of an export reads its columns alone: nothing said ahead is shared.
    let alone_of = |export: &Export, asked: &[&str]| -> Vec<String> {
        let alone = export.clone();
        asked
            .iter()
            .map(|column| format!("{:?}", alone.series(Selector::Column(column))))
            .collect()
    };
    let same = |export: &Export, asked: &[&str]| {
        let alone = alone_of(export, asked);
        export.read_ahead(asked);
        let batched: Vec<String> = asked
            .iter()
            .map(|column| format!("{:?}", export.series(Selector::Column(column))))
            .collect();
        for ((column, batched), alone) in asked.iter().zip(&batched).zip(&alone) {
            assert_eq!(batched, alone, "{column}");
        }
        batched
    };
    let march: String = (1..=31)
        .map(|d| format!("{d:02}/03/2022 12:00,{},{d}\n", 10 + d % 2))
        .collect();
    let april: String = (1..=10)
        .map(|d| format!("{d:02}/04/2022 12:00,{},x\n", 100 + d))
        .collect();
    let dir = folder_of(&[
        ("2022-03.csv", &format!("Data,flow,DMA 2\n{march}")),
        ("2022-04.csv", &format!("Data,flow,DMA 3\n{april}")),
    ]);
    let export = open_all(&[dir.path().to_path_buf()]).unwrap();
    let read = same(&export, &["DMA 3", "flow", "nowhere", "DMA 2"]);
    // Only in the ambiguous month: refused, as alone.
    assert!(read[0].contains("AmbiguousDateOrder"), "{}", read[0]);
    assert!(read[1].starts_with("Ok("), "{}", read[1]);
    assert!(read[2].contains("UnknownColumn"), "{}", read[2]);
    assert!(read[3].starts_with("Ok("), "{}", read[3]);

    let bwdf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bwdf/inflows_raw_dayfirst_2021-08_2021-11.csv");
    let export = open_all(&[bwdf]).unwrap();
    let columns = export.value_columns();
    let read = same(&export, &columns);
    assert_eq!(read.len(), 10);
    assert!(read.iter().all(|r| r.starts_with("Ok(")));

    // The sites of `--sites all`, asked for by two threads at once, out of order and twice.
    let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    let asked: Vec<&str> = columns.iter().map(String::as_str).collect();
    let alone = alone_of(&export, &asked);
    export.read_ahead(&asked);
    let ahead = |column: &str| format!("{:?}", export.series(Selector::Column(column)));
    let (evens, odds) = std::thread::scope(|scope| {
        let evens = scope.spawn(|| asked.iter().step_by(2).map(|c| ahead(c)).collect::<Vec<_>>());
        let odds = scope.spawn(|| asked.iter().skip(1).step_by(2).map(|c| ahead(c)).collect::<Vec<_>>());
        (evens.join().unwrap(), odds.join().unwrap())
    });
    assert_eq!(evens, alone.iter().step_by(2).cloned().collect::<Vec<_>>());
    assert_eq!(odds, alone.iter().skip(1).step_by(2).cloned().collect::<Vec<_>>());
    assert_eq!(ahead(asked[3]), alone[3], "asked a second time");
    assert_eq!(ahead(asked[9]), alone[9]);

    // Past 1,000 columns each read cuts its columns out of the lines before polars sees them.
    let header: String = (0..1_200).map(|c| format!(",c{c}")).collect();
    let rows: String = (0..48)
        .map(|h| {
            let cells: String = (0..1_200).map(|c| format!(",{}", (h * 7 + c) % 50)).collect();
            format!("2022-01-{:02} {:02}:00{cells}\n", 1 + h / 24, h % 24)
        })
        .collect();
    let wide = folder_of(&[("wide.csv", &format!("time{header}\n{rows}"))]);
    let export = open_all(&[wide.path().join("wide.csv")]).unwrap();
    // Every fourth column, last first: 300, more than one batch holds.
    let asked: Vec<&str> = export.value_columns().into_iter().rev().step_by(4).collect();
    assert!(export.columns_a_read() < asked.len());
    let read = same(&export, &asked);
    assert!(read.iter().all(|r| r.starts_with("Ok(")));
}
