{#- One row per content read (raw.scan_files) with the path it was read under and whether
    the scans folder still holds it: a content is gone when every path that held it was
    removed or now holds something else. While no path at all is recorded (a warehouse
    whose scans were read before paths were), every content counts as present. -#}
with files as (
    select * from {{ ref('stg_scans__scan_files') }}
),

paths as (
    select * from {{ ref('stg_scans__scan_paths') }}
),

holders as (
    select
        file_sha256,
        count(*) as path_count,
        count(*) filter (where status <> 'removed') as present_path_count
    from paths
    where file_sha256 is not null
    group by file_sha256
),

recorded as (
    select count(*) > 0 as has_paths from paths
),

final as (
    select
        files.file_sha256,
        files.file_path,
        coalesce(holders.path_count, 0) as path_count,
        coalesce(holders.present_path_count, 0) as present_path_count,
        coalesce(holders.present_path_count, 0) > 0 or not recorded.has_paths as is_present
    from files
    cross join recorded
    left join holders
        on files.file_sha256 = holders.file_sha256
)

select * from final
