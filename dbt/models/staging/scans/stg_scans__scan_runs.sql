with source as (
    select * from {{ source('raw', 'scan_runs') }}
),

final as (
    select
        scans_dir,
        files_seen,
        files_new,
        files_failed,
        pages,
        files_removed,
        started_at,
        finished_at
    from source
)

select * from final
