-- One row per source file loaded into staging: where it came from, its sha256, and how many rows
-- were read and loaded. A file the release does not have (Task Ratings) shows status 'absent'.
-- columns:
--   target_table: Staging table the file was loaded into.
--   source: Source: oes_national, oes_sector, onet or soc.
--   release: OES vintage year, O*NET release, or SOC edition.
--   file_name: File name as published.
--   path: Local path the file was read from (null when absent).
--   sha256: sha256 of the file (null when absent).
--   rows_read: Data rows read from the file.
--   rows_loaded: Rows in the staging table.
--   status: loaded, or absent for an optional file the release does not have.
--   loaded_at: When the staging table was last replaced (UTC).
select
    target_table,
    source,
    release,
    file_name,
    path,
    sha256,
    rows_read,
    rows_loaded,
    status,
    loaded_at
from meta.file_loads
where target_table like 'staging.%'
order by source, release, file_name
