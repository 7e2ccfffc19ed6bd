with source as (
    select * from {{ source('raw', 'process_steps') }}
),

final as (
    select
        step_id,
        proc_id,
        seq,
        node_code,
        assignee_id,
        started_at,
        completed_at,
        updated_at,
        produces_archive as is_archive_producing
    from source
)

select * from final
