with source as (
    select * from {{ source('raw', 'dossiers') }}
),

final as (
    select
        dossier_id,
        barcode,
        cust_no,
        proc_id,
        collector_id,
        created_at,
        transferred_at,
        location
    from source
)

select * from final
