//! The registry of the Jeongeup export's 14 sensor columns, each with a romanized slug.

/// Header of the time column in the utility's SCADA export ("save time").
pub const TIME_HEADER: &str = "저장시간";

/// One sensor column of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    /// Romanized name used on the command line, e.g. `jangmyeong`.
    pub slug: &'static str,
    /// The exact header in the export, e.g. `장명(배) 유입유량 순시`.
    pub column: &'static str,
    /// What the sensor measures, in English.
    pub description: &'static str,
}

/// All 14 columns, in the export's order.
pub const SITES: [Site; 14] = [
    Site {
        slug: "jangmyeong",
        column: "장명(배) 유입유량 순시",
        description: "Jangmyeong distribution reservoir, inflow, instantaneous",
    },
    Site {
        slug: "jangmyeong-out",
        column: "장명(배) 유출유량 순시(통산)",
        description: "Jangmyeong distribution reservoir, outflow, instantaneous (totalised line)",
    },
    Site {
        slug: "jangmyeong-1",
        column: "장명 1분류 유량",
        description: "Jangmyeong branch 1 flow",
    },
    Site {
        slug: "jangmyeong-2",
        column: "장명 2분류 유량",
        description: "Jangmyeong branch 2 flow",
    },
    Site {
        slug: "jangmyeong-3",
        column: "장명 3분류 유량(통산)",
        description: "Jangmyeong branch 3 flow (totalised line)",
    },
    Site {
        slug: "jangmyeong-4",
        column: "장명 4분류 유량(통산)",
        description: "Jangmyeong branch 4 flow (totalised line)",
    },
    Site {
        slug: "jangmyeong-5",
        column: "장명 5분류 유량 순시",
        description: "Jangmyeong branch 5 flow, instantaneous",
    },
    Site {
        slug: "jangmyeong-6",
        column: "장명 6분류 유량 순시",
        description: "Jangmyeong branch 6 flow, instantaneous",
    },
    Site {
        slug: "jangmyeong-ga",
        column: "장명(가) 순시유량(통산)",
        description: "Jangmyeong booster station, instantaneous flow (totalised line)",
    },
    Site {
        slug: "hoeryong",
        column: "회룡(가) 유입유량 순시",
        description: "Hoeryong booster station, inflow, instantaneous",
    },
    Site {
        slug: "hoeryong-out",
        column: "회룡(가) 유출순시(통산)",
        description: "Hoeryong booster station, outflow, instantaneous (totalised line)",
    },
    Site {
        slug: "noinbokji",
        column: "노인복지(가) 유량",
        description: "Noinbokji (senior welfare centre) booster station flow",
    },
    Site {
        slug: "naejang",
        column: "내장(배) 유입유량 순시",
        description: "Naejang distribution reservoir, inflow, instantaneous",
    },
    Site {
        slug: "naejang-out",
        column: "내장(배) 유출유량 순시",
        description: "Naejang distribution reservoir, outflow, instantaneous",
    },
];

/// Finds a site by slug (case-insensitive) or by its exact column header.
pub fn find_site(name: &str) -> Option<&'static Site> {
    let name = name.trim();
    SITES
        .iter()
        .find(|site| site.slug.eq_ignore_ascii_case(name) || site.column == name)
}

/// The slugs, comma-separated, for error messages.
pub fn known_slugs() -> String {
    SITES.iter().map(|site| site.slug).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_columns_are_unique_and_found() {
        for (i, site) in SITES.iter().enumerate() {
            assert_eq!(find_site(site.slug), Some(site));
            assert_eq!(find_site(site.column), Some(site));
            assert!(SITES[i + 1..]
                .iter()
                .all(|other| other.slug != site.slug && other.column != site.column));
        }
        assert_eq!(
            find_site("JANGMYEONG").map(|s| s.column),
            Some("장명(배) 유입유량 순시")
        );
        assert_eq!(find_site("nowhere"), None);
    }
}
