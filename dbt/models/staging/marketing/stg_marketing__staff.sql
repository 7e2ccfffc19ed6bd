with source as (
    select * from {{ source('raw', 'staff') }}
),

final as (
    select
        staff_id,
        staff_name,
        team_code,
        post,
        mobile,
        email,
        active as is_active
    from source
)

select * from final
