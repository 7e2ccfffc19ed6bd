{#- One row per path ever found in the scans folder, none left out: its content, the path
    that content was read under when that is another one (duplicate_of), and what became
    of it. Status, first that applies: removed (gone from the folder), error (could not be
    read this time: tried again on the next run), duplicate (a copy of a content read under
    another path), error (its content was read and found unreadable), read. Contents read
    before paths were recorded appear under their read path as long as no path is. -#}
with paths as (
    select * from {{ ref('stg_scans__scan_paths') }}
),

files as (
    select * from {{ ref('stg_scans__scan_files') }}
),

recorded_paths as (
    select
        paths.file_path,
        paths.file_sha256,
        paths.status as path_status,
        paths.error as path_error,
        paths.first_seen_at,
        paths.last_seen_at,
        paths.removed_at
    from paths
),

unrecorded_reads as (
    select
        files.file_path,
        files.file_sha256,
        'ok' as path_status,
        cast(null as {{ dbt.type_string() }}) as path_error,
        files.read_at as first_seen_at,
        files.read_at as last_seen_at,
        cast(null as timestamp) as removed_at
    from files
    where not exists (select 1 from paths)
),

all_paths as (
    select * from recorded_paths
    union all
    select * from unrecorded_reads
),

final as (
    select
        all_paths.file_path,
        all_paths.file_sha256,
        case when files.file_path <> all_paths.file_path then files.file_path end as duplicate_of,
        case
            when all_paths.path_status = 'removed' then 'removed'
            when all_paths.path_status = 'error' then 'error'
            when files.file_sha256 is null then 'unread'
            when files.file_path <> all_paths.file_path then 'duplicate'
            when files.status = 'error' then 'error'
            else 'read'
        end as status,
        coalesce(all_paths.path_error, files.error) as error,
        files.file_format,
        files.file_size,
        files.page_count,
        all_paths.first_seen_at,
        files.read_at,
        all_paths.last_seen_at,
        all_paths.removed_at
    from all_paths
    left join files
        on all_paths.file_sha256 = files.file_sha256
)

select * from final
