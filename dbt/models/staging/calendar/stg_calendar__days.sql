with source as (
    select * from {{ source('raw', 'calendar_days') }}
),

final as (
    select
        calendar_date,
        is_workday,
        is_official
    from source
)

select * from final
