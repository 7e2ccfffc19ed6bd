with source as (
    select * from {{ source('raw', 'scan_files') }}
),

final as (
    select
        file_sha256,
        file_path,
        file_size,
        file_format,
        page_count,
        status,
        error,
        read_at
    from source
)

select * from final
