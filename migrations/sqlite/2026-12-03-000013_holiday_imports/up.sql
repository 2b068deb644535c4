-- Bank holidays imported from the government's published feed (CAL-2). For each region and
-- year listed here they replace the rules and the shipped list; an import replaces all rows.
CREATE TABLE imported_holidays (
    region TEXT NOT NULL,
    day DATE NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (region, day)
);

-- Moves on with every import, so each instance's calendars see the change on their next use.
ALTER TABLE organisation_settings ADD COLUMN holidays_version INTEGER NOT NULL DEFAULT 0;
