with source as (
    select * from {{ source('raw', 'supply_units') }}
),

final as (
    select
        unit_code,
        unit_name
    from source
)

select * from final
