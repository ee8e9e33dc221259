CREATE TABLE "odd;table" ("semi;colon" text, "quote""d" text);
INSERT INTO "odd;table" VALUES ('it''s; fine', 'two '' quotes ''');
INSERT INTO "odd;table" VALUES (E'escaped \' quote; and \\', e'lower e\'s; too');
INSERT INTO "odd;table" VALUES (U&'d\0061t\+000061; ok', 'standard \ backslash');
SELECT 'ends with backslash\', 'next';
COMMENT ON TABLE "odd;table" IS 'a comment; with -- dashes and /* stars */';
