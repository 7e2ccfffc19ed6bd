with source as (
    select * from {{ source('raw', 'archive_steps') }}
),

final as (
    select
        arch_step_id,
        step_id,
        proc_id,
        created_at,
        first_doc_at,
        sent_at,
        collector_id,
        reviewed_at,
        review_result,
        updated_at
    from source
)

select * from final
