with source as (
    select * from {{ source('raw', 'ingest_rejects') }}
),

final as (
    select
        run_id,
        system,
        table_name,
        row_key,
        row_number,
        column_name,
        reason,
        raw_row,
        rejected_at,
    from source
)

select * from final
