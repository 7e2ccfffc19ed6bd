{#- The ranked entities of each tier with their place in the hierarchy: every supply unit,
    every team, business staff (tier staff) and archive collectors (tier collector). -#}
with entities as (
    select * from {{ ref('int_org_entities_listed') }}
),

final as (
    select
        case
            when entity_kind <> 'person' then entity_kind
            when is_business_staff then 'staff'
            else 'collector'
        end as tier,
        entity_id,
        unit_code,
        team_code,
        entity_name,
    from entities
    where entity_kind <> 'person' or is_business_staff or is_collector
)

select * from final
