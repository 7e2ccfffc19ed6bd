with source as (
    select * from {{ source('raw', 'documents') }}
),

final as (
    select
        doc_id,
        barcode,
        cust_no,
        proc_id,
        step_id,
        doc_type,
        category,
        pages,
        added_at,
        added_by,
        updated_at
    from source
)

select * from final
