with source as (
    select * from {{ source('raw', 'ingest_runs') }}
),

final as (
    select
        run_id,
        system,
        table_name,
        source,
        mode,
        source_rows,
        loaded_rows,
        rejected_rows,
        status,
        error,
        started_at,
        finished_at,
    from source
)

select * from final
