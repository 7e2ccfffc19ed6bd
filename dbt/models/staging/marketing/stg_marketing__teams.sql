with source as (
    select * from {{ source('raw', 'teams') }}
),

final as (
    select
        team_code,
        team_name,
        unit_code
    from source
)

select * from final
