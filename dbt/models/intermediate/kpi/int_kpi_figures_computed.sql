{#- 月度考核指标 computed for every scored month (DOMAIN §8-§9): one row per month, tier,
    entity and indicator of the tier, for entities with at least one applicable indicator in
    the month. Pending items are left out of numerator and denominator; a denominator of 0
    makes the indicator not applicable (value, weight and score null); quality_points is
    applicable only when another indicator of the person is. The company tier (entity
    company) takes every item that counts for any supply unit (DOMAIN §8). The mart kpi_monthly takes a
    final month from frozen.kpi_monthly instead (DOMAIN §13). -#}
with items as (
    select * from {{ ref('int_kpi_items_unioned') }}
),

entities as (
    select * from {{ ref('int_kpi_entities_tiered') }}
),

rules as (
    select * from {{ ref('kpi_rules') }}
),

months as (
    select * from {{ ref('int_kpi_months_computed') }}
),

tier_items as (
    select
        month,
        'company' as tier,
        'company' as entity_id,
        indicator,
        is_pending,
        is_success,
        points
    from items
    where unit_code is not null
    union all
    select
        month,
        'supply_unit' as tier,
        unit_code as entity_id,
        indicator,
        is_pending,
        is_success,
        points
    from items
    where unit_code is not null
    union all
    select
        month,
        'team' as tier,
        team_code as entity_id,
        indicator,
        is_pending,
        is_success,
        points
    from items
    where team_code is not null
    union all
    select
        month,
        'staff' as tier,
        person_id as entity_id,
        indicator,
        is_pending,
        is_success,
        points
    from items
    where person_id is not null
    union all
    select
        month,
        'collector' as tier,
        person_id as entity_id,
        indicator,
        is_pending,
        is_success,
        points
    from items
    where person_id is not null
),

aggregated as (
    select
        month,
        tier,
        entity_id,
        indicator,
        sum(case when not is_pending and is_success then 1 else 0 end) as numerator,
        sum(case when not is_pending then 1 else 0 end) as denominator,
        sum(case when is_pending then 1 else 0 end) as pending_count,
        sum(points) as points
    from tier_items
    group by month, tier, entity_id, indicator
),

grid as (
    select
        months.month,
        months.is_provisional,
        months.cutoff_at,
        entities.tier,
        entities.entity_id,
        entities.entity_name,
        entities.unit_code,
        entities.team_code,
        rules.indicator,
        {{ code_label('indicator', 'rules.indicator') }} as indicator_zh,
        rules.direction,
        rules.target,
        rules.weight as rule_weight,
        rules.points_per_pct
    from months
    cross join entities
    inner join rules
        on entities.tier = rules.tier
),

measured as (
    select
        grid.*,
        case
            when grid.direction = 'points' then coalesce(aggregated.points, 0)
            else coalesce(aggregated.numerator, 0)
        end as numerator,
        case when grid.direction <> 'points' then coalesce(aggregated.denominator, 0) end as denominator,
        coalesce(aggregated.pending_count, 0) as pending_count,
        grid.direction <> 'points' and coalesce(aggregated.denominator, 0) > 0 as is_rate_applicable
    from grid
    left join aggregated
        on
            grid.month = aggregated.month
            and grid.tier = aggregated.tier
            and grid.entity_id = aggregated.entity_id
            and grid.indicator = aggregated.indicator
),

applicability as (
    select
        *,
        case
            when direction = 'points'
                then bool_or(is_rate_applicable) over (partition by month, tier, entity_id)
            else is_rate_applicable
        end as is_applicable,
        bool_or(is_rate_applicable) over (partition by month, tier, entity_id) as has_applicable
    from measured
),

valued as (
    select
        *,
        case
            when not is_applicable then null
            when direction = 'points' then cast(numerator as double)
            else cast(numerator as double) / denominator
        end as value
    from applicability
    where has_applicable
),

scored as (
    select
        *,
        case
            when value is null then null
            when direction = 'higher' then value >= target
            else value <= target
        end as meets_target,
        case when is_applicable then rule_weight end as weight,
        round(
            case
                when value is null then null
                when direction = 'higher'
                    then greatest(0, rule_weight - points_per_pct * greatest(0, target - value) * 100)
                when direction = 'lower'
                    then greatest(0, rule_weight - points_per_pct * greatest(0, value - target) * 100)
                else greatest(0, rule_weight - value)
            end,
            4
        ) as score
    from valued
),

final as (
    select
        month,
        tier,
        entity_id,
        entity_name,
        unit_code,
        team_code,
        indicator,
        indicator_zh,
        direction,
        numerator,
        denominator,
        pending_count,
        value,
        target,
        meets_target,
        weight,
        rule_weight,
        points_per_pct,
        score,
        is_applicable,
        is_provisional as provisional,
        cutoff_at
    from scored
)

select * from final
