with source as (
    select * from {{ source('raw', 'audit_checks') }}
),

final as (
    select
        check_id,
        proc_id,
        auditor_id,
        checked_at,
        result
    from source
)

select * from final
