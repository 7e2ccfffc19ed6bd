{#- The entities of each tier with their place in the hierarchy: the company (entity_id
    company, its name from the seed thresholds, scored like a unit and never ranked), every
    supply unit, every team, business staff (tier staff) and archive collectors (tier
    collector). -#}
with entities as (
    select * from {{ ref('int_org_entities_listed') }}
),

company as (
    select
        'company' as tier,
        'company' as entity_id,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        cast(null as {{ dbt.type_string() }}) as team_code,
        {{ threshold_text('company_name') }} as entity_name
),

tiered as (
    select
        case
            when entity_kind <> 'person' then entity_kind
            when is_business_staff then 'staff'
            else 'collector'
        end as tier,
        entity_id,
        unit_code,
        team_code,
        entity_name
    from entities
    where entity_kind <> 'person' or is_business_staff or is_collector
),

final as (
    select * from company
    union all
    select * from tiered
)

select * from final
