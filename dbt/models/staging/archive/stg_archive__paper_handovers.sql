with source as (
    select * from {{ source('raw', 'paper_handovers') }}
),

final as (
    select
        handover_id,
        proc_id,
        handed_by,
        received_by,
        handed_over_at,
        doc_count
    from source
)

select * from final
