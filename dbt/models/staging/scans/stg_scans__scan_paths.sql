with source as (
    select * from {{ source('raw', 'scan_paths') }}
),

final as (
    select
        file_path,
        file_sha256,
        file_size,
        modified_ns,
        status,
        error,
        first_seen_at,
        last_seen_at,
        removed_at
    from source
)

select * from final
