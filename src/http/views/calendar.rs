//! The calendar's words as the API shows them; shared by the calendar and organisation routes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::calendar::Region;

/// The part of the UK whose public holidays apply (CAL-1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HolidayRegion {
    #[default]
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

impl From<HolidayRegion> for Region {
    fn from(region: HolidayRegion) -> Region {
        match region {
            HolidayRegion::EnglandAndWales => Region::EnglandAndWales,
            HolidayRegion::Scotland => Region::Scotland,
            HolidayRegion::NorthernIreland => Region::NorthernIreland,
        }
    }
}

impl From<Region> for HolidayRegion {
    fn from(region: Region) -> HolidayRegion {
        match region {
            Region::EnglandAndWales => HolidayRegion::EnglandAndWales,
            Region::Scotland => HolidayRegion::Scotland,
            Region::NorthernIreland => HolidayRegion::NorthernIreland,
        }
    }
}
