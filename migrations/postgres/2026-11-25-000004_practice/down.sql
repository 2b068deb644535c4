DROP TABLE asye_time;
DROP TABLE asye_evidence;
DROP TABLE asye_pauses;
DROP TABLE asye_programmes;
DROP TABLE entry_comments;
DROP TABLE entry_shares;
DROP TABLE reflective_entries;
DROP TABLE observations;
