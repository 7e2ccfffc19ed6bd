with source as (
    select * from {{ source('raw', 'audit_findings') }}
),

final as (
    select
        finding_id,
        check_id,
        severity,
        problem_type,
        responsible_id,
        description,
        rectified_at
    from source
)

select * from final
