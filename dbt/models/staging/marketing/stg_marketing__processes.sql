with source as (
    select * from {{ source('raw', 'processes') }}
),

final as (
    select
        proc_id,
        proc_type,
        cust_no,
        unit_code,
        owner_id,
        accepted_at,
        completed_at,
        status,
        updated_at,
        status = 'cancelled' as is_cancelled
    from source
)

select * from final
