{#- 扫描文件清单: every file ever found in the scans folder, one row per path, none left out
    (CONTRACT §2): its content hash, the path read for that content when it is another
    one (duplicate_of), its status (read, duplicate, error, removed, unread) and error.
    When a run last saw a path (raw.scan_paths.last_seen_at) changes with every run, not
    with the inputs and as_of, so it stays in raw: the same inputs and as_of give the same
    mart (CONTRACT §2). -#}
with accounted as (
    select * from {{ ref('int_scan_paths_accounted') }}
),

final as (
    select
        file_path,
        file_sha256,
        first_seen_at,
        duplicate_of,
        status,
        error,
        file_format,
        file_size,
        page_count,
        read_at,
        removed_at
    from accounted
)

select * from final
